// Detects and loads every MovieLens release layout into one in-memory form.
//
//   layout   releases                     files (in the release folder)
//   csv      ml-latest(-small), ml-20m,   ratings.csv, movies.csv; optional links.csv, tags.csv
//            ml-25m, ml-32m               (genome-* files may be present and are not read)
//   dat      ml-1m, ml-10m                ratings.dat, movies.dat ("::"-separated, titles in
//                                         Latin-1 in ml-1m); optional tags.dat (ml-10m)
//   ml100k   ml-100k                      u.data (tab-separated), u.item ("|"-separated, 19
//                                         genre flags, Latin-1), u.genre (genre names)
//
// CSV files are read by header name, so columns may come in any order. Titles and tags come out
// as UTF-8. Ratings must be numbers from 0.5 to 5; a rating row whose timestamp is missing or
// invalid is dropped and counted, every other problem throws InputError naming file and line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace movierec {

enum class Layout { kCsv, kDat, kMl100k };

// "csv (ml-latest, ml-20m, ml-25m, ml-32m)" and so on, for messages.
std::string describe(Layout layout);

struct Rating {
  std::int32_t user = 0;
  std::int32_t movie = 0;
  float rating = 0;             // stars, 0.5 to 5
  std::int64_t timestamp = 0;   // Unix seconds
};

struct Movie {
  std::int32_t id = 0;
  std::string title;   // as MovieLens writes it, year included: "Matrix, The (1999)"
  std::string genres;  // "Action|Sci-Fi"; empty when the release lists none
};

struct Link {
  std::int32_t movie = 0;
  std::string imdb_id;  // digits as in links.csv, leading zeros kept ("0114709"); may be empty
  std::string tmdb_id;  // may be empty
};

struct Tag {
  std::int32_t movie = 0;
  std::string text;
  std::int32_t user = 0;  // who tagged (0 when the file does not say)
};

struct RawDataset {
  Layout layout = Layout::kCsv;
  std::vector<Rating> ratings;  // the valid rows, in file order
  std::vector<Movie> movies;
  std::vector<Link> links;      // empty when the release has none
  std::vector<Tag> tags;        // empty when the release has none
  std::size_t rating_rows = 0;              // rating rows read from the file
  std::size_t dropped_bad_timestamp = 0;    // rows dropped: timestamp missing or invalid
  std::size_t dropped_unknown_movie = 0;    // rows dropped: movie absent from the movie list
  std::size_t dropped_duplicate = 0;        // rows dropped: an older rating of the same pair
  std::size_t merged_movies = 0;            // movies listed twice, merged into the first id
  std::vector<std::string> files;           // the files read, for checksums and messages
};

// Which layout `dir` holds, from the files present. Throws InputError naming the folder and the
// files each layout needs when none matches.
Layout detect_layout(const std::filesystem::path& dir);

// Called now and then (every million rows and at the end) with the count of rating rows read,
// for progress display.
using ProgressCallback = std::function<void(std::size_t rows)>;

// Loads the release in `dir`. Ratings of a (user, movie) pair rated twice keep the newest (on a
// tie in time, the later row); ratings of movies absent from the movie list are dropped. Both are
// counted in the result. Throws InputError naming the file and line of any malformed input.
RawDataset load_movielens(const std::filesystem::path& dir, const ProgressCallback& progress = {});

// Merges the movies a release lists twice (ml-100k lists 18 films under two ids): the same
// title (the year is part of it) and genres, or the same IMDb id in the links. The lowest id of
// each group stays; the ratings, tags and links of the others move to it (their links only fill
// what the kept id lacks), the others leave the movie list, and merged_movies counts them. A
// person who rated both keeps two ratings of one movie until the duplicate ratings are dropped
// (load_movielens does it next: the later rating stays). Movies that only share a title (other
// genres, other IMDb ids) are different films and stay apart.
void merge_duplicate_movies(RawDataset& data);

// The readers behind load_movielens, on streams (for tests and fuzzing). `source` names the
// stream in errors. They append to `out`.
void read_ratings_csv(std::istream& in, const std::string& source, RawDataset& out,
                      const ProgressCallback& progress = {});
void read_movies_csv(std::istream& in, const std::string& source, RawDataset& out);
void read_links_csv(std::istream& in, const std::string& source, RawDataset& out);
void read_tags_csv(std::istream& in, const std::string& source, RawDataset& out);
void read_ratings_dat(std::istream& in, const std::string& source, RawDataset& out,
                      const ProgressCallback& progress = {});
void read_movies_dat(std::istream& in, const std::string& source, RawDataset& out);
void read_tags_dat(std::istream& in, const std::string& source, RawDataset& out);
void read_ratings_100k(std::istream& in, const std::string& source, RawDataset& out,
                       const ProgressCallback& progress = {});
// u.genre first (genre names by index), then u.item.
std::vector<std::string> read_genres_100k(std::istream& in, const std::string& source);
void read_movies_100k(std::istream& in, const std::string& source,
                      const std::vector<std::string>& genre_names, RawDataset& out);

}  // namespace movierec
