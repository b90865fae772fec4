// Runtime movie data: every movie of the data set as processed/movie_metadata.csv lists it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <unordered_map>
#include <vector>

namespace movierec {

struct MovieInfo {
  std::int32_t id = 0;
  std::string title;                // as MovieLens writes it: "Matrix, The (1999)"
  int year = 0;                     // 0 when unknown
  std::vector<std::string> genres;  // empty when none are listed
  std::int64_t rating_count = 0;    // valid ratings in the whole data set
  double rating_mean = 0;           // their mean stars (0 when there are none)
  std::string imdb_id;              // digits, may be empty
  std::string tmdb_id;              // may be empty
  std::vector<std::string> tags;    // most used first
  std::string overview;             // TMDB; may be empty
  std::string release_date;         // TMDB, YYYY-MM-DD; may be empty
  int runtime_minutes = 0;          // TMDB; 0 when unknown
};

class Catalog {
 public:
  Catalog() = default;
  explicit Catalog(std::vector<MovieInfo> movies);  // throws Error on a repeated id

  // Reads movie_metadata.csv. Throws InputError naming source, line and column.
  static Catalog read(std::istream& in, const std::string& source);
  static Catalog load(const std::filesystem::path& metadata_csv);

  const std::vector<MovieInfo>& movies() const { return movies_; }
  std::size_t size() const { return movies_.size(); }
  // nullptr when the id is unknown.
  const MovieInfo* find(std::int32_t id) const;

 private:
  std::vector<MovieInfo> movies_;
  std::unordered_map<std::int32_t, std::size_t> index_;
};

// "Matrix, The (1999)" -> "The Matrix (1999)": the trailing article MovieLens moves behind the
// title, put back in front (English, French, Spanish, Italian, German and other articles).
std::string display_title(const std::string& movielens_title);

}  // namespace movierec
