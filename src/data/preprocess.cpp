#include "movierec/data/preprocess.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <future>
#include <limits>
#include <optional>
#include <unordered_map>

#include "movierec/data/metadata.hpp"
#include "movierec/data/order_signal.hpp"
#include "movierec/data/processed.hpp"
#include "movierec/data/processed_files.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/id_index.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

// XXH3 of the files' bytes, one after the other: the identity of a run's input.
std::string files_checksum(const std::vector<fs::path>& paths) {
  Checksum sum;
  std::string chunk(std::size_t{1} << 20, '\0');
  for (const fs::path& path : paths) {
    std::ifstream in = open_input(path);
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
      sum.update(chunk.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) throw InputError(path.string(), 0, "read error");
  }
  return sum.hex();
}

// The movies that kept at least one rating, sorted by id.
std::vector<Movie> kept_movies(const std::vector<Movie>& movies,
                               const std::vector<Rating>& ratings) {
  const IdIndex kept(ratings, [](const Rating& r) { return r.movie; });
  std::vector<Movie> out;
  out.reserve(kept.size());
  for (const Movie& movie : movies) {
    if (kept.find(movie.id) != IdIndex::kNone) out.push_back(movie);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Movie& a, const Movie& b) { return a.id < b.id; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Movie& a, const Movie& b) { return a.id == b.id; }),
            out.end());
  return out;
}

// The output folder is replaced whole, so it must be one preprocess wrote (or empty but for
// README.md and dotfiles, which are kept): never a data folder or a project root given by mistake.
void check_output_folder(const fs::path& out_dir) {
  std::error_code ec;
  if (!fs::exists(out_dir, ec)) return;
  if (!fs::is_directory(out_dir, ec)) {
    throw Error("output folder " + out_dir.string() + " exists and is not a folder");
  }
  if (fs::exists(out_dir / processed_files::kManifest, ec)) return;
  for (const auto& entry : fs::directory_iterator(out_dir)) {
    const std::string name = entry.path().filename().string();
    if (name != "README.md" && name.front() != '.') {
      throw Error("output folder " + out_dir.string() + " holds files preprocess did not write (" +
                  name + "); it would be replaced whole, so choose another folder or empty it");
    }
  }
}

// Train must not be empty: say which setting emptied it.
void check_split(const SplitRows& split, const PipelineConfig& config) {
  if (split.users_split == 0) {
    throw Error("no user kept by the filter has at least " +
                std::to_string(config.min_split_ratings) + " ratings to split (split.min_ratings)");
  }
  if (split.train.empty()) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%g", config.train_ratio);
    throw Error(std::string("the split left no training rating: every user has too few ratings "
                            "for split.train_ratio ") +
                ratio);
  }
}

nlohmann::json counts_json(const PreprocessReport& r) {
  return {{"rating_rows", r.rating_rows},
          {"dropped_bad_timestamp", r.dropped_bad_timestamp},
          {"dropped_unknown_movie", r.dropped_unknown_movie},
          {"dropped_duplicate", r.dropped_duplicate},
          {"merged_movies", r.merged_movies},
          {"ratings_valid", r.filter.ratings_in},
          {"users_in", r.filter.users_in},
          {"movies_in", r.filter.movies_in},
          {"dropped_by_user_threshold", r.filter.ratings_dropped_by_user_threshold},
          {"dropped_by_movie_threshold", r.filter.ratings_dropped_by_movie_threshold},
          {"ratings_kept", r.filter.ratings_kept},
          {"users_kept", r.filter.users_kept},
          {"movies_kept", r.filter.movies_kept},
          {"users_split", r.users_split},
          {"users_skipped", r.users_skipped},
          {"train", r.train},
          {"val", r.val},
          {"test", r.test},
          {"movies_listed", r.movies_listed},
          {"movies_with_tmdb", r.movies_with_tmdb}};
}

// "profiles": {name: user id} of the profiles with ratings in train.
nlohmann::json profiles_json(const PreprocessReport& r) {
  nlohmann::json profiles = nlohmann::json::object();
  for (const ProfileUser& user : r.profiles) {
    if (user.ratings > 0) profiles[user.name] = user.user;
  }
  return profiles;
}

std::vector<std::string> file_names(const std::vector<fs::path>& paths) {
  std::vector<std::string> names;
  for (const fs::path& path : paths) names.push_back(path.filename().string());
  return names;
}

// 1234567 -> "1,234,567"
std::string grouped(std::size_t value) {
  std::string digits = std::to_string(value);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

RawDataset load(const fs::path& data_dir, PreprocessReport& report, const ProgressSink& progress) {
  const std::string step = "reading " + data_dir.string();
  RawDataset raw = load_movielens(data_dir, [&](std::size_t rows) {
    if (progress) progress(step, rows, 0);
  });
  report.layout = raw.layout;
  report.rating_rows = raw.rating_rows;
  report.dropped_bad_timestamp = raw.dropped_bad_timestamp;
  report.dropped_unknown_movie = raw.dropped_unknown_movie;
  report.dropped_duplicate = raw.dropped_duplicate;
  report.merged_movies = raw.merged_movies;
  return raw;
}

// Appends the profiles' ratings to the release's, each profile a user above the release's
// largest id (in the options' order), and returns their ids (increasing). Ratings of movies
// the release does not list are dropped and counted; of a movie rated twice, the last counts.
std::vector<std::int32_t> add_profiles(const PreprocessOptions& options, RawDataset& raw,
                                       PreprocessReport& report) {
  if (!options.profiles) return {};
  report.profiles_used = true;
  std::int32_t last = 0;
  for (const Rating& r : raw.ratings) last = std::max(last, r.user);
  const IdIndex movies(raw.movies, [](const Movie& m) { return m.id; });
  std::vector<std::int32_t> ids;
  for (const ProfileRatings& profile : *options.profiles) {
    ProfileUser user{profile.name, 0, 0, 0};
    std::unordered_map<std::int32_t, Rating> by_movie;
    for (const Rating& r : profile.ratings) {
      if (movies.find(r.movie) == IdIndex::kNone) {
        ++user.dropped;
      } else if (!by_movie.insert_or_assign(r.movie, r).second) {
        ++user.dropped;  // an earlier rating of the same movie
      }
    }
    if (!by_movie.empty()) {
      if (last == std::numeric_limits<std::int32_t>::max()) {
        throw Error("no user id is left above the release's largest for profile " + user.name);
      }
      user.user = ++last;
      ids.push_back(user.user);
    }
    for (auto [movie, rating] : by_movie) {
      rating.user = user.user;
      raw.ratings.push_back(rating);
    }
    user.ratings = by_movie.size();
    report.profiles.push_back(user);
  }
  return ids;
}

// The profiles' ratings that the movie filter kept; the rest count as dropped.
void note_profiles(const std::vector<Rating>& kept, PreprocessReport& report) {
  std::unordered_map<std::int32_t, std::size_t> counts;
  for (const ProfileUser& user : report.profiles) {
    if (user.user != 0) counts[user.user] = 0;
  }
  for (const Rating& r : kept) {
    if (const auto it = counts.find(r.user); it != counts.end()) ++it->second;
  }
  for (ProfileUser& user : report.profiles) {
    const std::size_t left = user.user != 0 ? counts[user.user] : 0;
    user.dropped += user.ratings - left;
    user.ratings = left;
  }
}

void note_split(const SplitRows& split, PreprocessReport& report) {
  report.users_split = split.users_split;
  report.users_skipped = split.users_skipped;
  report.train = split.train.size();
  report.val = split.val.size();
  report.test = split.test.size();
}

void write(const ProcessedData& data, const nlohmann::json& manifest,
           const PreprocessReport& report, const ProgressSink& progress) {
  const std::size_t rows = report.filter.ratings_kept +
                           2 * (report.train + report.val + report.test) + data.rare_train.size();
  const std::string step = "writing " + report.out_dir.string() + " (rows)";
  write_processed(report.out_dir, data, report.config, manifest, [&](std::size_t written) {
    if (progress) progress(step, written, rows);
  });
}

std::string profiles_summary(const PreprocessReport& r) {
  std::size_t added = 0, ratings = 0, dropped = 0;
  std::string users;
  for (const ProfileUser& user : r.profiles) {
    dropped += user.dropped;
    if (user.ratings == 0) continue;
    ++added;
    ratings += user.ratings;
    users += (users.empty() ? "" : ", ") + user.name + " " + std::to_string(user.user);
  }
  std::string text = "  profiles: " + grouped(r.profiles.size()) + " in the store";
  if (added > 0) {
    text += ", " + grouped(added) + (added == 1 ? " added as a user (" : " added as users (") +
            users + ") with " + grouped(ratings) + " ratings, all in train";
  }
  if (dropped > 0) {
    text += "; " + grouped(dropped) + (dropped == 1 ? " answer" : " answers") +
            " dropped (movies not in the release or filtered out, or answered again)";
  }
  return text + "\n";
}

}  // namespace

std::vector<ConfigField> preprocess_fields(PipelineConfig& config) {
  std::vector<ConfigField> fields = config.fields();
  std::erase_if(fields, [](const ConfigField& f) { return f.name.rfind("train.", 0) == 0; });
  return fields;
}

PreprocessReport run_preprocess(const PreprocessOptions& options, const ProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  auto lap_start = start;
  PreprocessReport report;
  const auto lap = [&](const char* step) {
    const auto now = std::chrono::steady_clock::now();
    report.steps.emplace_back(step, std::chrono::duration<double>(now - lap_start).count());
    lap_start = now;
  };
  const PipelineConfig& config = options.config;
  report.data_dir = options.data_dir;
  report.out_dir = options.out_dir;
  report.config = config;
  check_output_folder(options.out_dir);

  // The TMDB file is small: read it first, so a bad one fails before the long load.
  std::optional<TmdbTable> tmdb;
  nlohmann::json manifest;
  manifest["tmdb"] = nullptr;
  if (options.tmdb_file) {
    tmdb = read_tmdb_file(*options.tmdb_file);
    manifest["tmdb"] = {{"file", options.tmdb_file->string()},
                        {"checksum", file_checksum(*options.tmdb_file)},
                        {"movies", tmdb->size()}};
    report.tmdb_used = true;
  }
  RawDataset raw = load(options.data_dir, report, progress);
  const std::vector<std::int32_t> profile_users = add_profiles(options, raw, report);
  lap("read");
  // The inputs' checksum reads the files again (from the page cache) while the pipeline runs.
  const std::vector<fs::path> input_files(raw.files.begin(), raw.files.end());
  auto data_checksum = std::async(std::launch::async, files_checksum, input_files);

  ProcessedData data;
  data.metadata = build_movie_metadata(raw, tmdb ? &*tmdb : nullptr, config);
  tmdb.reset();
  report.movies_listed = data.metadata.size();
  report.movies_with_tmdb = static_cast<std::size_t>(
      std::count_if(data.metadata.begin(), data.metadata.end(), [](const MovieInfo& m) {
        return !m.overview.empty() || !m.release_date.empty() || m.runtime_minutes > 0;
      }));
  lap("metadata");
  data.filtered = filter_ratings(std::move(raw.ratings), config, profile_users);
  report.filter = data.filtered.stats;
  if (report.profiles_used) note_profiles(data.filtered.ratings, report);
  data.movies = kept_movies(raw.movies, data.filtered.ratings);
  raw = RawDataset();  // titles and tags are in the metadata now
  lap("filter");
  data.split = split_rows(data.filtered.ratings, config, profile_users);
  check_split(data.split, config);
  note_split(data.split, report);
  data.stats = train_statistics(data.split.train);
  data.rare_train = train_period(data.filtered.rare, data.split.train);
  std::vector<Rating>().swap(data.filtered.rare);
  report.train_order_signal = order_signal(data.split.train);
  lap("split");

  manifest["data"] = {{"dir", fs::absolute(options.data_dir).lexically_normal().string()},
                      {"layout", describe(report.layout)},
                      {"files", file_names(input_files)},
                      {"checksum", data_checksum.get()}};
  manifest["counts"] = counts_json(report);
  // train_svd leaves out lead-ins below kMinOrderSignal without reading train.csv again.
  manifest["train_order_signal"] = std::isnan(report.train_order_signal)
                                       ? nlohmann::json(nullptr)
                                       : nlohmann::json(report.train_order_signal);
  if (report.profiles_used) manifest["profiles"] = profiles_json(report);
  write(data, manifest, report, progress);
  lap("write");
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

std::string summarize(const PreprocessReport& r) {
  const std::size_t dropped =
      r.dropped_bad_timestamp + r.dropped_unknown_movie + r.dropped_duplicate;
  std::string text;
  text += "read " + grouped(r.rating_rows) + " rating rows from " + r.data_dir.string() + " (" +
          describe(r.layout) + ")\n";
  text += "  dropped " + grouped(dropped) + ": " + grouped(r.dropped_bad_timestamp) +
          " with a missing or invalid timestamp, " + grouped(r.dropped_unknown_movie) +
          " of movies not in the movie list, " + grouped(r.dropped_duplicate) +
          " older duplicates\n";
  if (r.merged_movies > 0) {
    text += "  merged " + grouped(r.merged_movies) +
            " movies listed twice (same title, year and genres, or same IMDb id) into one; a "
            "person who rated both keeps the later rating\n";
  }
  text += "  filter: dropped " + grouped(r.filter.ratings_dropped_by_user_threshold) +
          " ratings of users with fewer than " + std::to_string(r.config.min_user_ratings) +
          ", then " + grouped(r.filter.ratings_dropped_by_movie_threshold) +
          " of movies with fewer than " + std::to_string(r.config.min_movie_ratings) + "\n";
  text += "  kept " + grouped(r.filter.ratings_kept) + " ratings: " + grouped(r.filter.users_kept) +
          " of " + grouped(r.filter.users_in) + " users, " + grouped(r.filter.movies_kept) +
          " of " + grouped(r.filter.movies_in) + " movies\n";
  text += "  split " + grouped(r.users_split) + " users (" + grouped(r.users_skipped) +
          " skipped with fewer than " + std::to_string(r.config.min_split_ratings) +
          " ratings): train " + grouped(r.train) + ", val " + grouped(r.val) + ", test " +
          grouped(r.test) + "\n";
  text += "  metadata: " + grouped(r.movies_listed) + " movies" +
          (r.tmdb_used ? ", " + grouped(r.movies_with_tmdb) + " with TMDB details"
                       : " (no TMDB file)") +
          "\n";
  if (r.profiles_used) text += profiles_summary(r);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", r.seconds);
  text += "wrote " + r.out_dir.string() + "/ in " + seconds + " s (";
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    std::snprintf(seconds, sizeof seconds, "%.2f", r.steps[i].second);
    text += (i > 0 ? ", " : "") + r.steps[i].first + " " + seconds;
  }
  text += ")\n";
  return text;
}

}  // namespace movierec
