// Synthetic MovieLens releases in the ml-latest layout, at any size, for benchmarks and tests.
//
// The data has the structure a recommender feeds on, so that what works on MovieLens works here:
//   - taste: every user and movie has a hidden vector of `factors` numbers; a rating is
//     global_mean + user bias + movie bias + taste_scale * (user · movie) + noise, rounded to half
//     stars in 0.5..5 (whole stars for some users), so a truncated SVD can find the factors;
//   - genres: each genre has a direction in factor space, and a movie carries the genre more often
//     the closer its vector lies to that direction;
//   - popularity: movies are drawn with Zipf-Mandelbrot weights, (rank + popularity_offset) ^
//     -popularity_exponent: a flat head, as no movie is seen by everyone, and a steep tail; users
//     pick what they expect to like (selection_strength), as people do;
//   - activity: ratings per user are heavy-tailed (log-normal above a floor, capped);
//   - time: each user rates within a window of their own (log-normal length) placed in
//     [start_year, end_year];
//   - titles: "Synthetic Movie 123 (1994)", some with a trailing article in MovieLens form
//     ("Synthetic Movie 7, The (1999)"), a comma, double quotes, an accented alternative title,
//     or no year; sparse movie ids as in MovieLens.
// Everything is deterministic for a seed: each user and movie draws from its own generator, so
// the output does not depend on the order of work. Ratings are streamed out one user at a time,
// so memory stays small at 25 million ratings.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "movierec/io/config.hpp"

namespace movierec {

inline constexpr int kMaxSyntheticGenres = 32;  // genres are the bits of a 32-bit mask

struct SyntheticConfig {
  // size
  int ratings = 1000000;  // rating rows written
  int users = 0;          // 0: ratings / ratings_per_user
  int movies = 0;         // 0: movies_per_sqrt_rating * sqrt(ratings)
  int seed = 1;
  int genres = 19;                       // the first ones take MovieLens' names, most common first
  bool tags = false;                     // also write tags.csv
  double ratings_per_user = 156.0;       // for users = 0 (ml-25m: 25M ratings, 162k users)
  double movies_per_sqrt_rating = 12.0;  // for movies = 0 (ml-25m: 62k movies)
  // taste
  int factors = 10;                // hidden dimensions of the taste vectors
  double global_mean = 3.0;        // stars before biases; picking what one likes lifts the mean
  double user_bias_sd = 0.45;      // spread of per-user bias, stars
  double movie_bias_sd = 0.4;      // spread of per-movie bias, stars
  double taste_scale = 0.7;        // stars per unit of user · movie (whose spread is about 1)
  double noise_sd = 0.6;           // per-rating noise, stars
  double whole_star_share = 0.25;  // users who only give whole stars
  double genre_strength = 2.0;     // how strongly genres follow the factors (0: not at all)
  // popularity and choice
  double popularity_exponent = 1.2;  // Zipf exponent of the movie weights
  double popularity_offset = 30;     // added to the rank: flattens the head
  double popularity_quality = 0.15;  // stars of movie bias per sd of log popularity
  double selection_strength = 1.5;   // users pick movies with logistic(this * expected stars)
  // activity
  int min_user_ratings = 20;    // floor per user (lowered to ratings / users if needed)
  double activity_sigma = 1.4;  // log-normal spread of ratings above the floor
  double max_user_share = 0.5;  // at most this share of the movies per user
  // time
  int start_year = 1996;          // first rating time: 1 January of this year (UTC)
  int end_year = 2019;            // last: 31 December of this year
  double window_median_days = 7;  // median length of a user's active window
  double window_sigma = 2.5;      // log-normal spread of the window length
  double time_skew = 2.0;         // > 1 crowds a user's ratings at the start of the window
  // titles and ids
  double article_share = 0.05;         // "..., The (1999)"
  double comma_share = 0.03;           // a subtitle with a comma (the CSV field gets quoted)
  double quote_share = 0.01;           // double quotes inside the title
  double alternative_share = 0.02;     // an accented alternative title in parentheses
  double no_year_share = 0.002;        // no "(year)" at all, as for some MovieLens titles
  double no_genre_share = 0.003;       // "(no genres listed)"
  double id_gap_share = 0.3;           // chance of a gap before the next movie id
  double release_age_mean_years = 15;  // mean age of a movie at end_year (exponential)
  int first_release_year = 1910;       // oldest release year
  // tags (with tags = true)
  double tagger_share = 0.1;     // users who tag
  double tag_rate = 0.4;         // share of a tagger's rated movies that get a tag
  double genre_tag_share = 0.5;  // tags that name something of the movie's genre
  // sampling effort
  double heavy_user_share = 0.05;  // users rating more than this share of the movies are drawn
                                   // exactly in one pass over all movies, not by rejection
  double max_attempts = 50;        // draws per rating before a user falls back to one pass
  int threads = 2;                 // users drawn in parallel; the files do not depend on it

  // Every key above, bound to this struct ("size.ratings", "taste.factors", ...).
  std::vector<ConfigField> fields();
  nlohmann::json to_json() const;
};

// The hidden truth behind a synthetic release, and what it takes to write it. Rows of the
// matrices follow users (user id u is row u - 1) and `movie_ids`.
struct SyntheticModel {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  SyntheticConfig config;  // with users and movies resolved
  std::vector<std::string> genre_names;
  Eigen::MatrixXf genre_directions;  // factors x genres, unit columns

  Matrix user_factors;  // users x factors
  std::vector<float> user_bias;
  std::vector<int> user_ratings;          // how many ratings each user writes
  std::vector<std::int64_t> user_start;   // window start, Unix seconds
  std::vector<std::int64_t> user_window;  // window length, seconds
  std::vector<bool> user_whole_stars;

  std::vector<std::int32_t> movie_ids;  // increasing, with gaps
  Matrix movie_factors;                 // movies x factors
  std::vector<float> movie_bias;
  std::vector<double> movie_weight;         // popularity weight (not normalised)
  std::vector<std::uint32_t> movie_genres;  // bit g set: genre_names[g]
  std::vector<std::string> movie_titles;    // as MovieLens writes them, year included

  // The noise-free expected rating of a user (0-based row) for a movie (0-based row), stars.
  double expected_rating(std::size_t user, std::size_t movie) const;
};

// Resolves the sizes and draws the hidden model. Throws ConfigError naming the key when the
// sizes cannot be met (more ratings than the users can give under max_user_share, ...).
SyntheticModel make_synthetic_model(SyntheticConfig config);

// Counts of what was written.
struct SyntheticSummary {
  std::size_t users = 0;
  std::size_t movies = 0;
  std::size_t ratings = 0;
  std::size_t tags = 0;
  std::size_t movies_rated = 0;  // movies with at least one rating
};

// Called now and then with the rating rows written so far.
using SyntheticProgress = std::function<void(std::size_t rows)>;

// Writes the release's files to streams, in MovieLens' order: ratings.csv and tags.csv by user
// then movie id (tags may be null: no tags), movies.csv and links.csv by movie id. Throws Error
// when a stream fails.
SyntheticSummary write_synthetic_ratings(const SyntheticModel& model, std::ostream& ratings,
                                         std::ostream* tags,
                                         const SyntheticProgress& progress = {});
void write_synthetic_movies(const SyntheticModel& model, std::ostream& movies);
void write_synthetic_links(const SyntheticModel& model, std::ostream& links);

// Draws the model and writes ratings.csv, movies.csv, links.csv, tags.csv (when config.tags)
// and synthetic.json (the configuration and counts) into `out`, atomically: the folder appears
// complete or not at all.
SyntheticSummary write_synthetic_release(const SyntheticConfig& config,
                                         const std::filesystem::path& out,
                                         const SyntheticProgress& progress = {});

}  // namespace movierec
