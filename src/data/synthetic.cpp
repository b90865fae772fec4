#include "movierec/data/synthetic.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numeric>

#include "movierec/io/error.hpp"
#include "synthetic_detail.hpp"

namespace movierec {
namespace {

using namespace synthetic_detail;

constexpr double kExtraGenreShare = 0.05;  // share of movies in genres past MovieLens' 19

constexpr std::array<const char*, 3> kArticles = {"The", "A", "An"};
constexpr std::array<const char*, 4> kAlternatives = {"Película Sintética", "Film synthétique",
                                                      "Künstlicher Film", "Filme Sintético"};

std::int64_t year_start(int year) {
  using namespace std::chrono;
  const sys_days day{std::chrono::year{year} / January / 1};
  return duration_cast<seconds>(day.time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------------
// Drawing the model

void resolve_sizes(SyntheticConfig& c) {
  if (c.users == 0) {
    c.users = std::max(1, static_cast<int>(std::lround(c.ratings / c.ratings_per_user)));
  }
  if (c.movies == 0) {
    c.movies =
        std::max(1, static_cast<int>(std::lround(c.movies_per_sqrt_rating * std::sqrt(c.ratings))));
  }
  if (c.users > c.ratings) {
    throw ConfigError("synthetic", 0, "size.users",
                      "every user needs a rating, but there are " + std::to_string(c.users) +
                          " users for " + std::to_string(c.ratings) + " ratings");
  }
  const double cap = std::max(1.0, std::floor(c.max_user_share * c.movies));
  if (static_cast<double>(c.ratings) > cap * c.users) {
    throw ConfigError("synthetic", 0, "size.ratings",
                      std::to_string(c.ratings) + " ratings cannot be spread over " +
                          std::to_string(c.users) + " users rating at most " +
                          std::to_string(static_cast<long>(cap)) +
                          " movies each (max_user_share); raise size.users or size.movies");
  }
  if (c.end_year < c.start_year) {
    throw ConfigError("synthetic", 0, "time.end_year", "must not be before time.start_year");
  }
}

void draw_genre_directions(SyntheticModel& m) {
  const SyntheticConfig& c = m.config;
  Random random(c.seed, kGenreStream, 0);
  m.genre_directions.resize(c.factors, c.genres);
  for (int g = 0; g < c.genres; ++g) {
    for (int f = 0; f < c.factors; ++f)
      m.genre_directions(f, g) = static_cast<float>(random.normal());
    m.genre_directions.col(g).normalize();
    m.genre_names.push_back(g < static_cast<int>(kGenres.size()) ? kGenres[g].name
                                                                 : "Genre" + std::to_string(g + 1));
  }
}

std::string make_title(const SyntheticConfig& c, std::int32_t id, int year, Random& random) {
  std::string title = "Synthetic Movie " + std::to_string(id);
  if (random.chance(c.comma_share)) title += ": Now, Then";
  if (random.chance(c.quote_share)) title += " \"Redux\"";
  if (random.chance(c.article_share)) {
    title += ", " + std::string(kArticles[random.below(kArticles.size())]);
  }
  if (random.chance(c.alternative_share)) {
    title += " (" + std::string(kAlternatives[random.below(kAlternatives.size())]) + " " +
             std::to_string(id) + ")";
  }
  if (!random.chance(c.no_year_share)) title += " (" + std::to_string(year) + ")";
  return title;
}

// The x with P(Z > x) = p for a standard normal Z, by bisection (p in (0, 1)).
double normal_upper_quantile(double p) {
  double low = -40, high = 40;
  for (int i = 0; i < 200 && high - low > 1e-12; ++i) {
    const double mid = 0.5 * (low + high);
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > p ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

// A movie has genre g when genre_strength * (movie · direction_g) + N(0, 1) noise clears a
// threshold; the sum is N(0, strength^2 + 1), so the threshold that keeps the genre's MovieLens
// share follows from the normal quantile.
std::vector<double> genre_thresholds(const SyntheticConfig& c) {
  std::vector<double> thresholds;
  const double spread = std::sqrt(c.genre_strength * c.genre_strength + 1.0);
  for (int g = 0; g < c.genres; ++g) {
    const double share = g < static_cast<int>(kGenres.size()) ? kGenres[g].share : kExtraGenreShare;
    thresholds.push_back(spread * normal_upper_quantile(share));
  }
  return thresholds;
}

std::uint32_t draw_genres(const SyntheticModel& m, std::size_t movie,
                          const std::vector<double>& thresholds, Random& random) {
  const SyntheticConfig& c = m.config;
  if (random.chance(c.no_genre_share)) return 0;
  std::uint32_t genres = 0;
  int nearest = 0;
  double nearest_margin = -INFINITY;
  for (int g = 0; g < c.genres; ++g) {
    const double dot = m.movie_factors.row(movie).dot(m.genre_directions.col(g).transpose());
    const double margin = c.genre_strength * dot + random.normal() - thresholds[g];
    if (margin > 0) genres |= 1U << g;
    if (margin > nearest_margin) nearest_margin = margin, nearest = g;
  }
  return genres != 0 ? genres : 1U << nearest;  // MovieLens movies nearly always have one
}

void draw_movies(SyntheticModel& m) {
  const SyntheticConfig& c = m.config;
  const std::size_t movies = static_cast<std::size_t>(c.movies);
  // Popularity ranks are a random permutation, so popularity does not follow the id order.
  std::vector<std::size_t> rank(movies);
  std::iota(rank.begin(), rank.end(), std::size_t{1});
  Random shuffle(c.seed, kRankStream, 0);
  for (std::size_t i = movies; i > 1; --i) std::swap(rank[i - 1], rank[shuffle.below(i)]);

  m.movie_factors.resize(c.movies, c.factors);
  m.movie_weight.resize(movies);
  m.movie_bias.resize(movies);
  m.movie_genres.resize(movies);
  std::vector<double> log_weight(movies);
  const std::vector<double> thresholds = genre_thresholds(c);
  std::int32_t id = 0;
  for (std::size_t i = 0; i < movies; ++i) {
    Random random(c.seed, kMovieStream, i);
    for (int f = 0; f < c.factors; ++f) m.movie_factors(i, f) = static_cast<float>(random.normal());
    log_weight[i] =
        -c.popularity_exponent * std::log(static_cast<double>(rank[i]) + c.popularity_offset);
    m.movie_weight[i] = std::exp(log_weight[i]);
    m.movie_bias[i] = static_cast<float>(c.movie_bias_sd * random.normal());
    m.movie_genres[i] = draw_genres(m, i, thresholds, random);
    id += 1 + (random.chance(c.id_gap_share) ? static_cast<std::int32_t>(random.below(10)) : 0);
    m.movie_ids.push_back(id);
    const double age = -c.release_age_mean_years * std::log(random.open_uniform());
    const int year = std::max(c.first_release_year, c.end_year - static_cast<int>(age));
    m.movie_titles.push_back(make_title(c, id, year, random));
  }
  // Popular movies are rated a little higher, as in MovieLens.
  const double count = static_cast<double>(movies);
  const double mean = std::accumulate(log_weight.begin(), log_weight.end(), 0.0) / count;
  double variance = 0;
  for (double w : log_weight) variance += (w - mean) * (w - mean) / count;
  const double sd = variance > 0 ? std::sqrt(variance) : 1.0;
  for (std::size_t i = 0; i < movies; ++i) {
    m.movie_bias[i] += static_cast<float>(c.popularity_quality * (log_weight[i] - mean) / sd);
  }
}

// Ratings per user: a floor plus a log-normal share of the rest, capped at max_user_share of
// the movies (the excess goes to the others), summing exactly to config.ratings.
void spread_ratings(SyntheticModel& m, const std::vector<double>& activity) {
  const SyntheticConfig& c = m.config;
  const std::size_t users = activity.size();
  const int cap = std::max(1, static_cast<int>(std::floor(c.max_user_share * c.movies)));
  const int floor = std::min({c.min_user_ratings, c.ratings / c.users, cap});
  std::vector<double> extra(users, 0.0);
  std::vector<bool> capped(users, false);
  double budget = static_cast<double>(c.ratings) - static_cast<double>(floor) * c.users;
  for (bool changed = true; changed && budget > 0;) {
    double total = 0;
    for (std::size_t u = 0; u < users; ++u) total += capped[u] ? 0.0 : activity[u];
    changed = false;
    for (std::size_t u = 0; u < users; ++u) {
      if (capped[u]) continue;
      extra[u] = budget * activity[u] / total;
      if (extra[u] > cap - floor) {
        extra[u] = cap - floor, capped[u] = true, changed = true;
        budget -= extra[u];
      }
    }
  }
  m.user_ratings.resize(users);
  long long remaining = c.ratings;
  for (std::size_t u = 0; u < users; ++u) {
    m.user_ratings[u] = floor + static_cast<int>(extra[u]);
    remaining -= m.user_ratings[u];
  }
  for (std::size_t u = 0; remaining > 0; u = (u + 1) % users) {
    if (m.user_ratings[u] < cap) ++m.user_ratings[u], --remaining;
  }
}

void draw_users(SyntheticModel& m) {
  const SyntheticConfig& c = m.config;
  const std::size_t users = static_cast<std::size_t>(c.users);
  const std::int64_t first = year_start(c.start_year);
  const std::int64_t span = year_start(c.end_year + 1) - 1 - first;
  constexpr double kSecondsPerDay = 86400;
  const double scale = 1.0 / std::sqrt(static_cast<double>(c.factors));  // user · movie ~ N(0, 1)
  m.user_factors.resize(c.users, c.factors);
  m.user_bias.resize(users);
  m.user_start.resize(users);
  m.user_window.resize(users);
  m.user_whole_stars.resize(users);
  std::vector<double> activity(users);
  for (std::size_t u = 0; u < users; ++u) {
    Random random(c.seed, kUserStream, u);
    for (int f = 0; f < c.factors; ++f) {
      m.user_factors(u, f) = static_cast<float>(scale * random.normal());
    }
    m.user_bias[u] = static_cast<float>(c.user_bias_sd * random.normal());
    m.user_whole_stars[u] = random.chance(c.whole_star_share);
    activity[u] = std::exp(c.activity_sigma * random.normal());
    const double days = c.window_median_days * std::exp(c.window_sigma * random.normal());
    m.user_window[u] = std::clamp<std::int64_t>(std::llround(days * kSecondsPerDay), 1, span);
    m.user_start[u] = first + static_cast<std::int64_t>(
                                  random.uniform() * static_cast<double>(span - m.user_window[u]));
  }
  spread_ratings(m, activity);
}

}  // namespace

double SyntheticModel::expected_rating(std::size_t user, std::size_t movie) const {
  return config.global_mean + user_bias[user] + movie_bias[movie] +
         config.taste_scale * user_factors.row(user).dot(movie_factors.row(movie));
}

SyntheticModel make_synthetic_model(SyntheticConfig config) {
  resolve_sizes(config);
  SyntheticModel model;
  model.config = config;
  draw_genre_directions(model);
  draw_movies(model);
  draw_users(model);
  return model;
}

}  // namespace movierec
