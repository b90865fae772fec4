// Runtime movie data: every movie of the data set as processed/movie_metadata.csv lists it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
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

  // Reads movie_metadata.csv (see processed.hpp): columns movieId, title, year, genres,
  // rating_count, rating_mean, imdbId, tmdbId, tags, overview, release_date, runtime, found by
  // header name in any order; other columns are ignored. Genres and tags are "|"-joined
  // ("(no genres listed)" is none). Empty numeric fields mean unknown (0); runtime may be "94" or
  // "94.0" (rounded to minutes); external ids are digits ("862.0" reads as "862"). Throws
  // InputError naming source, line and column for a missing column, a repeated or non-positive
  // id, an empty or non-UTF-8 title, a number that does not parse or is out of range (year
  // 0..9999, rating_count >= 0, rating_mean 0..5), or a release date not in YYYY-MM-DD.
  static Catalog read(std::istream& in, const std::string& source);
  // read() of a file; InputError if it cannot be opened.
  static Catalog load(const std::filesystem::path& metadata_csv);

  const std::vector<MovieInfo>& movies() const { return movies_; }
  std::size_t size() const { return movies_.size(); }
  // nullptr when the id is unknown.
  const MovieInfo* find(std::int32_t id) const;

 private:
  std::vector<MovieInfo> movies_;
  std::unordered_map<std::int32_t, std::size_t> index_;
};

// A MovieLens title taken apart. MovieLens writes "Name, Article (Alternative, Article) (Year)":
// the name, then any number of parenthesised alternative titles (often the original-language
// title, or "a.k.a. ..."), then the year in parentheses (or a range such as "2006–2007"; absent
// for a few titles). Each part comes back with its article put back in front.
struct TitleParts {
  std::string name;                       // "The Matrix"; never empty for a non-empty title
  std::vector<std::string> alternatives;  // "Le Fabuleux destin d'Amélie Poulain", "a.k.a. Se7en"
  std::string year_text;                  // what the final parentheses held: "1999", "2006–2007"
  int year = 0;                           // its first year; 0 when there is none
  // For the name, then each alternative: the article put back in front ("The", "L'"), or ""
  // when that part had none. Size 1 + alternatives.size().
  std::vector<std::string> articles;

  // "Name (Alternative) ... (Year)", as display_title() gives it.
  std::string display() const;
};

// Parses a MovieLens title (surrounding white space ignored). Never throws; text that does not
// follow the pattern becomes the name as it is.
TitleParts parse_title(std::string_view movielens_title);

// "Matrix, The (1999)" -> "The Matrix (1999)": the trailing article MovieLens moves behind the
// title, put back in front, in the name and in each alternative title: English (The, A, An),
// French (Le, La, Les, L', Un, Une), Spanish (El, La, Los, Las, Un, Una), Italian (Il, Lo, La, I,
// Gli, Le, L', Un, Uno, Una), German (Der, Die, Das, Den, Ein, Eine), Portuguese (O, A, Os, As,
// Um, Uma), Dutch (De, Het, Een) and Scandinavian (Den, Det, De, En, Et, Ett). Elided articles
// join the next word: "Auberge espagnole, L' (2002)" -> "L'Auberge espagnole (2002)". "Amelie
// (Fabuleux destin d'Amélie Poulain, Le) (2001)" -> "Amelie (Le Fabuleux destin d'Amélie Poulain)
// (2001)". Titles without a year or an article come back trimmed and otherwise unchanged.
std::string display_title(std::string_view movielens_title);

}  // namespace movierec
