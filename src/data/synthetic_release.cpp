// The parts of a synthetic release that need no random draws: its configuration keys, the movie
// and link files, and the atomic folder that holds it all.
#include <algorithm>
#include <climits>
#include <cstdio>
#include <fstream>
#include <optional>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/data/synthetic.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

constexpr int kFormatVersion = 1;
// links.csv: IMDb ids are written with seven digits, leading zeros kept, as MovieLens does; the
// offset gives small ids leading zeros. About one movie in a thousand lacks a TMDB id.
constexpr std::int32_t kImdbOffset = 10000;
constexpr std::int32_t kMissingTmdbEvery = 997;

std::string genre_list(const SyntheticModel& model, std::uint32_t genres) {
  std::vector<std::string> names;
  for (std::size_t g = 0; g < model.genre_names.size(); ++g) {
    if (genres & (1U << g)) names.push_back(model.genre_names[g]);
  }
  if (names.empty()) return "(no genres listed)";
  std::sort(names.begin(), names.end());  // MovieLens lists a movie's genres alphabetically
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : "|") + name;
  return text;
}

void close_checked(std::ofstream& out, const fs::path& path) {
  out.close();
  if (!out) throw Error("cannot write " + path.string() + " (disk full?)");
}

}  // namespace

void write_synthetic_movies(const SyntheticModel& model, std::ostream& movies) {
  CsvWriter out(movies);
  out.row("movieId", "title", "genres");
  for (std::size_t i = 0; i < model.movie_ids.size(); ++i) {
    out.row(std::int64_t{model.movie_ids[i]}, model.movie_titles[i],
            genre_list(model, model.movie_genres[i]));
  }
  out.flush();
}

void write_synthetic_links(const SyntheticModel& model, std::ostream& links) {
  CsvWriter out(links);
  out.row("movieId", "imdbId", "tmdbId");
  char imdb[16];
  for (std::int32_t id : model.movie_ids) {
    std::snprintf(imdb, sizeof imdb, "%07d", kImdbOffset + id);
    out.field(std::int64_t{id}).field(imdb);
    if (id % kMissingTmdbEvery == 0) {
      out.field("");
    } else {
      out.field(std::int64_t{id} * 3 + 11);  // any unique number will do
    }
    out.end_row();
  }
  out.flush();
}

SyntheticSummary write_synthetic_release(const SyntheticConfig& config, const fs::path& out,
                                         const SyntheticProgress& progress) {
  const SyntheticModel model = make_synthetic_model(config);
  AtomicDirectory folder(out);
  SyntheticSummary summary;
  {
    std::ofstream ratings = folder.create("ratings.csv");
    std::optional<std::ofstream> tags;
    if (config.tags) tags.emplace(folder.create("tags.csv"));
    summary = write_synthetic_ratings(model, ratings, tags ? &*tags : nullptr, progress);
    close_checked(ratings, folder.path() / "ratings.csv");
    if (tags) close_checked(*tags, folder.path() / "tags.csv");
  }
  {
    std::ofstream movies = folder.create("movies.csv");
    write_synthetic_movies(model, movies);
    close_checked(movies, folder.path() / "movies.csv");
    std::ofstream links = folder.create("links.csv");
    write_synthetic_links(model, links);
    close_checked(links, folder.path() / "links.csv");
  }
  nlohmann::json about = {
      {"format", "movierec-synthetic"},
      {"format_version", kFormatVersion},
      {"config", model.config.to_json()},
      {"counts",
       {{"users", summary.users},
        {"movies", summary.movies},
        {"ratings", summary.ratings},
        {"tags", summary.tags},
        {"movies_rated", summary.movies_rated}}},
  };
  std::ofstream json = folder.create("synthetic.json");
  json << about.dump(2) << '\n';
  close_checked(json, folder.path() / "synthetic.json");
  folder.commit();
  return summary;
}

// ---------------------------------------------------------------------------------------------
// SyntheticConfig

std::vector<ConfigField> SyntheticConfig::fields() {
  constexpr double kMaxCount = INT_MAX;
  return {
      {"size.ratings", &ratings, 1, kMaxCount, {}, "rating rows to write"},
      {"size.users", &users, 0, kMaxCount, {}, "users; 0: ratings / ratings_per_user"},
      {"size.movies",
       &movies,
       0,
       kMaxCount,
       {},
       "movies; 0: movies_per_sqrt_rating * sqrt(ratings)"},
      {"size.seed", &seed, 0, kMaxCount, {}, "random seed: the same seed writes the same files"},
      {"size.genres",
       &genres,
       1,
       kMaxSyntheticGenres,
       {},
       "genres (MovieLens' names for the first 19)"},
      {"size.tags", &tags, 0, 0, {}, "also write tags.csv"},
      {"size.ratings_per_user",
       &ratings_per_user,
       1,
       1e6,
       {},
       "mean ratings per user when users is 0"},
      {"size.movies_per_sqrt_rating",
       &movies_per_sqrt_rating,
       1e-3,
       1e6,
       {},
       "movies per square root of the ratings when movies is 0"},
      {"taste.factors", &factors, 1, 1000, {}, "hidden taste dimensions"},
      {"taste.global_mean", &global_mean, 0.5, 5, {}, "stars before biases and taste"},
      {"taste.user_bias_sd", &user_bias_sd, 0, 5, {}, "spread of the per-user bias, stars"},
      {"taste.movie_bias_sd", &movie_bias_sd, 0, 5, {}, "spread of the per-movie bias, stars"},
      {"taste.taste_scale", &taste_scale, 0, 10, {}, "stars per unit of user . movie"},
      {"taste.noise_sd", &noise_sd, 0, 5, {}, "per-rating noise, stars"},
      {"taste.whole_star_share", &whole_star_share, 0, 1, {}, "users who give whole stars only"},
      {"taste.genre_strength", &genre_strength, 0, 100, {}, "how strongly genres follow taste"},
      {"popularity.popularity_exponent",
       &popularity_exponent,
       0,
       4,
       {},
       "Zipf exponent of the movies' popularity"},
      {"popularity.popularity_offset",
       &popularity_offset,
       0,
       1e9,
       {},
       "added to the popularity rank before the exponent: flattens the head"},
      {"popularity.popularity_quality",
       &popularity_quality,
       -5,
       5,
       {},
       "stars of movie bias per sd of log popularity"},
      {"popularity.selection_strength",
       &selection_strength,
       0,
       100,
       {},
       "users pick a movie with logistic(this * expected stars above their mean)"},
      {"activity.min_user_ratings",
       &min_user_ratings,
       1,
       kMaxCount,
       {},
       "ratings per user, at least"},
      {"activity.activity_sigma", &activity_sigma, 0, 10, {}, "log-normal spread of user activity"},
      {"activity.max_user_share",
       &max_user_share,
       1e-6,
       1,
       {},
       "share of movies a user rates, at most"},
      {"time.start_year", &start_year, 1970, 2200, {}, "ratings start on 1 January of this year"},
      {"time.end_year", &end_year, 1970, 2200, {}, "ratings end on 31 December of this year"},
      {"time.window_median_days",
       &window_median_days,
       1e-3,
       1e6,
       {},
       "median length of a user's active window, days"},
      {"time.window_sigma", &window_sigma, 0, 10, {}, "log-normal spread of the window length"},
      {"time.time_skew", &time_skew, 0.01, 100, {}, "above 1 crowds ratings at the window's start"},
      {"movies.release_age_mean_years",
       &release_age_mean_years,
       0,
       1000,
       {},
       "mean age of a movie at time.end_year"},
      {"movies.first_release_year", &first_release_year, 1800, 2200, {}, "oldest release year"},
      {"movies.article_share", &article_share, 0, 1, {}, "titles ending in ', The'"},
      {"movies.comma_share", &comma_share, 0, 1, {}, "titles with a comma"},
      {"movies.quote_share", &quote_share, 0, 1, {}, "titles with double quotes"},
      {"movies.alternative_share",
       &alternative_share,
       0,
       1,
       {},
       "titles with an accented alternative"},
      {"movies.no_year_share", &no_year_share, 0, 1, {}, "titles without a year"},
      {"movies.no_genre_share", &no_genre_share, 0, 1, {}, "movies with no genres listed"},
      {"movies.id_gap_share", &id_gap_share, 0, 1, {}, "chance of a gap before the next movie id"},
      {"tags.tagger_share", &tagger_share, 0, 1, {}, "users who tag"},
      {"tags.tag_rate", &tag_rate, 0, 1, {}, "share of a tagger's movies that get a tag"},
      {"tags.genre_tag_share", &genre_tag_share, 0, 1, {}, "tags that name the movie's genre"},
      {"sampling.heavy_user_share",
       &heavy_user_share,
       0,
       1,
       {},
       "users rating more than this share of movies are drawn in one pass over all movies"},
      {"sampling.max_attempts",
       &max_attempts,
       1,
       1e6,
       {},
       "draws per rating before a user falls back to the one-pass method"},
      {"sampling.threads",
       &threads,
       1,
       64,
       {},
       "users drawn in parallel (the files are the same for any number)"},
  };
}

nlohmann::json SyntheticConfig::to_json() const {
  SyntheticConfig copy = *this;
  return fields_to_json(copy.fields());
}

}  // namespace movierec
