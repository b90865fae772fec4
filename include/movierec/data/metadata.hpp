// Movie metadata for processed/movie_metadata.csv: what the recommender shows about a movie,
// gathered from the MovieLens release (titles, genres, ratings, links, tags) and, optionally,
// the TMDB 5000 movies file (overview, release date, runtime).
//
// movie_metadata.csv has one row per movie of the release, kept by the filter or not, sorted by
// movieId, with the columns
//   movieId        MovieLens id
//   title          as MovieLens writes it, year included: "Matrix, The (1999)"
//   year           the title's trailing "(YYYY)"; empty when it has none
//   genres         "Action|Sci-Fi"; empty when the release lists none
//   rating_count   valid ratings of the movie in the whole release (before filtering)
//   rating_mean    their mean stars; 0 when rating_count is 0
//   imdbId, tmdbId from links.csv, as written there (leading zeros kept); empty when unknown
//   tags           the top_tags tags most used on the movie, most used first (ties in
//                  alphabetical order), spellings that differ only in ASCII case counted as one
//                  tag and shown as their most used spelling, joined by "|"; only tags that
//                  at least min_tag_users people used (on any movie) and that is_unfit_tag
//                  does not refuse
//   overview       TMDB overview (line breaks turned into spaces); empty when unknown
//   release_date   TMDB release date, YYYY-MM-DD; empty when unknown
//   runtime        TMDB runtime in whole minutes; empty when unknown or 0
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "movierec/data/catalog.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/data/movielens.hpp"

namespace movierec {

struct TmdbMovie {
  std::string overview;      // one line, UTF-8
  std::string release_date;  // YYYY-MM-DD or empty
  int runtime_minutes = 0;   // 0 when unknown
  std::size_t line = 0;      // where the file lists it, for messages
};

// TMDB movies by TMDB id.
using TmdbTable = std::unordered_map<std::int64_t, TmdbMovie>;

// Reads a TMDB movies CSV with a header. Columns are found by name: id, overview, release_date
// and runtime are read, any others ignored. The id must be a whole number and appear once;
// release_date empty or YYYY-MM-DD; runtime empty or a number of minutes from 0 (fractions
// are rounded: "94.0" is 94). Throws InputError naming source and line otherwise.
TmdbTable read_tmdb_csv(std::istream& in, const std::string& source);
TmdbTable read_tmdb_file(const std::filesystem::path& path);

// The year of a MovieLens title: its trailing "(YYYY)" (trailing spaces ignored); 0 when none.
int title_year(std::string_view title);

// The `limit` most used tags of one movie, given every use of a tag on it, ranked as the tags
// column above says. Tags are trimmed; empty ones are ignored; "|" inside a tag becomes "/".
std::vector<std::string> rank_tags(const std::vector<std::string_view>& uses, std::size_t limit);

// True for a tag not to show people: a spoiler ("twist ending", "spoiler", "dies") or a swear
// word ("mindfuck"), by a fixed stop list of words and, for swearing, word parts; ASCII case is
// ignored.
bool is_unfit_tag(std::string_view tag);

// One MovieInfo per movie of `data`, sorted by id. `tmdb` may be null (no TMDB file); it is
// joined through the links' tmdbId.
std::vector<MovieInfo> build_movie_metadata(const RawDataset& data, const TmdbTable* tmdb,
                                            const PipelineConfig& config);

// Writes movie_metadata.csv (header and one row per movie).
void write_movie_metadata(std::ostream& out, const std::vector<MovieInfo>& movies);

}  // namespace movierec
