// Fuzzes the readers of the dat layout (ml-1m, ml-10m; movielens.hpp). The input's first byte
// picks the file ('0' ratings.dat, '1' movies.dat, '2' tags.dat, by its value modulo 3); the rest
// is the file. Readers may only throw InputError, and what they return must keep the contract.
#include <sstream>
#include <string>

#include "fuzz_movielens.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::istringstream in{std::string(movierec::fuzz::as_text(data + 1, size - 1))};
  movierec::RawDataset out;
  try {
    switch (data[0] % 3) {
      case 0:
        movierec::read_ratings_dat(in, "ratings.dat", out);
        break;
      case 1:
        movierec::read_movies_dat(in, "movies.dat", out);
        break;
      default:
        movierec::read_tags_dat(in, "tags.dat", out);
        break;
    }
  } catch (const movierec::InputError&) {
    return 0;
  }
  movierec::fuzz::check_dataset(out);
  return 0;
}
