// Fuzzes the readers of the csv layout (ml-latest, ml-20m, ml-25m, ml-32m; movielens.hpp). The
// input's first byte picks the file ('0' ratings.csv, '1' movies.csv, '2' links.csv, '3'
// tags.csv, by its value modulo 4); the rest is the file. Readers may only throw InputError, and
// what they return must keep the contract (ratings from 0.5 to 5, UTF-8 titles).
#include <sstream>
#include <string>

#include "fuzz_movielens.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::istringstream in{std::string(movierec::fuzz::as_text(data + 1, size - 1))};
  movierec::RawDataset out;
  try {
    switch (data[0] % 4) {
      case 0:
        movierec::read_ratings_csv(in, "ratings.csv", out);
        break;
      case 1:
        movierec::read_movies_csv(in, "movies.csv", out);
        break;
      case 2:
        movierec::read_links_csv(in, "links.csv", out);
        break;
      default:
        movierec::read_tags_csv(in, "tags.csv", out);
        break;
    }
  } catch (const movierec::InputError&) {
    return 0;
  }
  movierec::fuzz::check_dataset(out);
  return 0;
}
