// Fuzzes the readers of the ml-100k layout (movielens.hpp). The input's first byte picks what
// it holds ('0' u.data; '1' u.genre, a line "--", then u.item; by its value modulo 2). Readers
// may only throw InputError, and what they return must keep the contract.
#include <sstream>
#include <string>

#include "fuzz_movielens.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = movierec::fuzz::as_text(data + 1, size - 1);
  movierec::RawDataset out;
  try {
    if (data[0] % 2 == 0) {
      std::istringstream in{std::string(text)};
      movierec::read_ratings_100k(in, "u.data", out);
    } else {
      const auto files = movierec::fuzz::split_files(text, 2);
      std::istringstream genre_file(files[0]);
      const auto genres = movierec::read_genres_100k(genre_file, "u.genre");
      std::istringstream item_file(files[1]);
      movierec::read_movies_100k(item_file, "u.item", genres, out);
    }
  } catch (const movierec::InputError&) {
    return 0;
  }
  movierec::fuzz::check_dataset(out);
  return 0;
}
