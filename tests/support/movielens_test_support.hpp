// Helpers shared by the movielens tests: fixture paths, a temporary folder, and comparable
// forms of the loaded records.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "movierec/io/error.hpp"
#include "movierec/data/movielens.hpp"

namespace movierec::testing {

inline std::filesystem::path fixture(const std::string& layout) {
  return std::filesystem::path(MOVIEREC_FIXTURES_DIR) / "movielens" / layout;
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fresh folder under the system's temporary folder, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    static int count = 0;
    path_ =
        std::filesystem::temp_directory_path() /
        ("movierec-movielens-test-" + std::to_string(::getpid()) + "-" + std::to_string(count++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path_ / name, std::ios::binary) << bytes;
  }

 private:
  std::filesystem::path path_;
};

// what() of the InputError `action` throws, or a note that it threw none.
template <typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no InputError)";
}

// The error of reading `text` with `reader` (a read_*(istream, source, RawDataset) function).
template <typename Reader>
std::string error_reading(Reader reader, const std::string& source, const std::string& text) {
  std::istringstream in(text);
  RawDataset data;
  return error_of([&] { reader(in, source, data); });
}

using RatingTuple = std::tuple<std::int32_t, std::int32_t, float, std::int64_t>;
using MovieTuple = std::tuple<std::int32_t, std::string, std::string>;

inline std::vector<RatingTuple> rating_tuples(const RawDataset& data) {
  std::vector<RatingTuple> rows;
  for (const Rating& r : data.ratings) rows.emplace_back(r.user, r.movie, r.rating, r.timestamp);
  return rows;
}

inline std::vector<MovieTuple> movie_tuples(const RawDataset& data) {
  std::vector<MovieTuple> rows;
  for (const Movie& m : data.movies) rows.emplace_back(m.id, m.title, m.genres);
  return rows;
}

}  // namespace movierec::testing
