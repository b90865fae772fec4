// The preprocess program's work as one library call: load a MovieLens release, build the movie
// metadata, filter, split, transform, and write processed/ (seed sections 2-4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "movierec/data/movielens.hpp"
#include "movierec/data/pipeline.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/io/progress.hpp"

namespace movierec {

// One profile of the profile store as plain ratings (preprocess --profiles): per movie the
// stars of its latest answer, timestamps in Unix seconds. `user` of the ratings is not read:
// preprocess gives each profile its own user id.
struct ProfileRatings {
  std::string name;
  std::vector<Rating> ratings;
};

struct PreprocessOptions {
  std::filesystem::path data_dir = "data/ml-latest-small";  // a release folder, any layout
  std::filesystem::path out_dir = "processed";
  std::optional<std::filesystem::path> tmdb_file;  // TMDB movies CSV; none: no TMDB fields
  PipelineConfig config;                           // validated by the caller
  // Profiles to add as users, sorted by name (none: preprocess runs as without a store). Each
  // gets a user id above the release's largest, in this order, is kept whatever the user filter
  // says, and has all its ratings in train; manifest.json lists them as "profiles": {name: id}.
  std::optional<std::vector<ProfileRatings>> profiles;
};

// What preprocess did with one profile.
struct ProfileUser {
  std::string name;
  std::int32_t user = 0;      // its user id in processed/
  std::size_t ratings = 0;    // ratings it brought
  std::size_t dropped = 0;    // of movies absent from the release or dropped by the filter
};

// What happened, for the summary and the manifest's counts.
struct PreprocessReport {
  std::filesystem::path data_dir, out_dir;
  Layout layout = Layout::kCsv;
  std::size_t rating_rows = 0;  // rows of the ratings file
  std::size_t dropped_bad_timestamp = 0, dropped_unknown_movie = 0, dropped_duplicate = 0;
  std::size_t merged_movies = 0;  // movies listed twice, merged (merge_duplicate_movies)
  FilterStats filter;
  std::size_t users_split = 0, users_skipped = 0;
  std::size_t train = 0, val = 0, test = 0;
  // order_signal (order_signal.hpp) of the train ratings; NaN when too few ratings tell.
  double train_order_signal = std::numeric_limits<double>::quiet_NaN();
  std::size_t movies_listed = 0;  // rows of movie_metadata.csv
  std::size_t movies_with_tmdb = 0;
  bool tmdb_used = false;
  bool profiles_used = false;
  std::vector<ProfileUser> profiles;
  PipelineConfig config;
  double seconds = 0;                                 // wall time of the whole run
  std::vector<std::pair<std::string, double>> steps;  // wall seconds of read, metadata, ...
};

// The config keys preprocess uses (filter, split, transform, metadata; not train), bound to
// `config`: the flags the program offers.
std::vector<ConfigField> preprocess_fields(PipelineConfig& config);

// Runs every step and replaces options.out_dir in one step at the end. Throws InputError for bad
// data (naming file and line), Error when filtering or splitting leaves nothing (naming the
// setting responsible), Error when out_dir exists but holds files of its own (no manifest.json;
// anything but README.md and dotfiles), so that a data folder given as --out is never replaced.
// On any error the previous out_dir is untouched. Reports the reading (rating rows, total
// unknown) and the writing (rows of every rating file) to `progress`.
PreprocessReport run_preprocess(const PreprocessOptions& options,
                                const ProgressSink& progress = {});

// A few lines for a person: rows read, dropped and why, kept, split sizes, time taken.
std::string summarize(const PreprocessReport& report);

}  // namespace movierec
