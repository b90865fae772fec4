#include "movierec/synthetic.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>
#include <string_view>

#include "movierec/csv.hpp"
#include "movierec/error.hpp"

namespace movierec {
namespace {

// Each user and movie gets its own generator, keyed by (seed, stream, index), so that a draw
// never depends on how many draws came before it elsewhere (sizes, tags on or off).
enum Stream : std::uint64_t {
  kGenreStream = 1,
  kRankStream,
  kMovieStream,
  kUserStream,
  kRatingStream,
  kTagStream
};

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// std::mt19937_64's sequence is fixed by the standard, but the standard distributions are not,
// so uniform and normal variates are made here: the same seed gives the same files everywhere.
class Random {
 public:
  Random(int seed, Stream stream, std::size_t index)
      : engine_(splitmix64(splitmix64(static_cast<std::uint64_t>(seed)) ^
                           splitmix64((static_cast<std::uint64_t>(stream) << 40) + index))) {}

  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double open_uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }
  std::size_t below(std::size_t n) {
    return static_cast<std::size_t>(uniform() * static_cast<double>(n));
  }
  double normal() {  // Box-Muller; the second variate is dropped to keep the code simple
    return std::sqrt(-2.0 * std::log(open_uniform())) * std::cos(2.0 * M_PI * uniform());
  }

 private:
  std::mt19937_64 engine_;
};

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Genre names in ml-latest-small's order of frequency, with the share of movies carrying each.
struct GenreBase {
  const char* name;
  double share;
  const char* tag;  // a tag people give movies of the genre
};
constexpr std::array<GenreBase, 19> kGenres = {{
    {"Drama", 0.39, "emotional"},
    {"Comedy", 0.33, "funny"},
    {"Thriller", 0.19, "suspense"},
    {"Romance", 0.16, "romantic"},
    {"Action", 0.15, "explosions"},
    {"Adventure", 0.11, "journey"},
    {"Crime", 0.11, "heist"},
    {"Sci-Fi", 0.10, "space"},
    {"Horror", 0.09, "scary"},
    {"Fantasy", 0.08, "magic"},
    {"Children", 0.063, "family"},
    {"Mystery", 0.058, "whodunit"},
    {"Animation", 0.056, "animated"},
    {"War", 0.039, "battle"},
    {"Documentary", 0.037, "true story"},
    {"Musical", 0.034, "songs"},
    {"Western", 0.017, "cowboys"},
    {"IMAX", 0.016, "imax"},
    {"Film-Noir", 0.009, "noir"},
}};
constexpr double kExtraGenreShare = 0.05;  // share of movies in genres past MovieLens' 19

constexpr std::array<const char*, 3> kArticles = {"The", "A", "An"};
constexpr std::array<const char*, 4> kAlternatives = {"Película Sintética", "Film synthétique",
                                                      "Künstlicher Film", "Filme Sintético"};

std::int64_t year_start(int year) {
  using namespace std::chrono;
  const sys_days day{std::chrono::year{year} / January / 1};
  return duration_cast<seconds>(day.time_since_epoch()).count();
}

// Walker's alias method: draws an index with probability proportional to its weight in O(1).
// Each slot's chance and alias sit together, so a draw touches one cache line.
class AliasTable {
 public:
  explicit AliasTable(const std::vector<double>& weights) : slots_(weights.size()) {
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    const double n = static_cast<double>(weights.size());
    std::vector<double> scaled(weights.size());
    std::vector<std::uint32_t> small, large;
    for (std::uint32_t i = 0; i < weights.size(); ++i) {
      scaled[i] = weights[i] * n / total;
      (scaled[i] < 1.0 ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t less = small.back(), more = large.back();
      small.pop_back();
      slots_[less] = {scaled[less], more};
      scaled[more] -= 1.0 - scaled[less];
      if (scaled[more] < 1.0) {
        large.pop_back();
        small.push_back(more);
      }
    }
    for (std::uint32_t i : small) slots_[i] = {1.0, i};  // rounding leftovers
    for (std::uint32_t i : large) slots_[i] = {1.0, i};
  }

  std::size_t draw(Random& random) const {
    const Slot& slot = slots_[random.below(slots_.size())];
    return random.uniform() < slot.chance ? static_cast<std::size_t>(&slot - slots_.data())
                                          : slot.alias;
  }

 private:
  struct Slot {
    double chance = 1.0;
    std::uint32_t alias = 0;
  };
  std::vector<Slot> slots_;
};

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
    log_weight[i] = -c.popularity_exponent * std::log(static_cast<double>(rank[i]));
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

// ---------------------------------------------------------------------------------------------
// Writing ratings and tags

constexpr std::array<std::string_view, 10> kStars = {"0.5", "1.0", "1.5", "2.0", "2.5",
                                                     "3.0", "3.5", "4.0", "4.5", "5.0"};
// Tags that fit any movie; two of them make the CSV writer quote.
constexpr std::array<const char*, 10> kGenericTags = {
    "atmospheric", "twist ending",     "classic",   "quirky",
    "slow",        "great soundtrack", "overrated", "visually appealing",
    "funny, sad",  "\"cult\" classic"};
constexpr std::size_t kProgressEvery = 1 << 16;

// Picks a user's movies: each draw follows popularity, and is kept with the chance that the
// user expects to like the movie, as people choose what they watch. Movies already picked are
// skipped.
class MoviePicker {
 public:
  explicit MoviePicker(const SyntheticModel& model)
      : model_(model), popularity_(model.movie_weight), stamp_(model.movie_ids.size(), 0) {}

  // Fills `chosen` with `count` distinct movie rows of `user`, sorted.
  void pick(std::size_t user, int count, Random& random, std::vector<std::uint32_t>& chosen) {
    const SyntheticConfig& c = model_.config;
    const std::uint32_t tag = static_cast<std::uint32_t>(user) + 1;
    chosen.clear();
    const double movies = static_cast<double>(stamp_.size());
    const bool heavy = count > c.heavy_user_share * movies;
    double attempts = heavy ? 0 : c.max_attempts * count;
    while (static_cast<int>(chosen.size()) < count && attempts-- > 0) {
      const std::size_t movie = popularity_.draw(random);
      if (stamp_[movie] == tag || !random.chance(appeal(user, movie))) continue;
      stamp_[movie] = tag;
      chosen.push_back(static_cast<std::uint32_t>(movie));
    }
    if (static_cast<int>(chosen.size()) < count) pick_in_one_pass(user, count, random, chosen);
    std::sort(chosen.begin(), chosen.end());
  }

 private:
  double appeal(std::size_t user, std::size_t movie) const {
    const SyntheticConfig& c = model_.config;
    const double above_mean =
        model_.movie_bias[movie] +
        c.taste_scale * model_.user_factors.row(user).dot(model_.movie_factors.row(movie));
    return logistic(c.selection_strength * above_mean);
  }

  // Weighted sampling without replacement (Efraimidis and Spirakis): the movies with the
  // largest log(u) / weight win. Same distribution as the draws above, in one pass.
  void pick_in_one_pass(std::size_t user, int count, Random& random,
                        std::vector<std::uint32_t>& chosen) {
    const std::uint32_t tag = static_cast<std::uint32_t>(user) + 1;
    keys_.clear();
    for (std::size_t movie = 0; movie < stamp_.size(); ++movie) {
      if (stamp_[movie] == tag) continue;
      const double weight = model_.movie_weight[movie] * appeal(user, movie);
      keys_.emplace_back(std::log(random.open_uniform()) / weight,
                         static_cast<std::uint32_t>(movie));
    }
    const std::size_t need = static_cast<std::size_t>(count) - chosen.size();
    std::nth_element(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(need) - 1,
                     keys_.end(), std::greater<>());
    for (std::size_t i = 0; i < need; ++i) {
      stamp_[keys_[i].second] = tag;
      chosen.push_back(keys_[i].second);
    }
  }

  const SyntheticModel& model_;
  AliasTable popularity_;
  std::vector<std::uint32_t> stamp_;  // user + 1 of the last user who picked the movie
  std::vector<std::pair<double, std::uint32_t>> keys_;
};

std::string_view draw_stars(const SyntheticModel& m, std::size_t user, std::size_t movie,
                            Random& random) {
  const double stars = m.expected_rating(user, movie) + m.config.noise_sd * random.normal();
  const double halves = m.user_whole_stars[user] ? 2.0 * std::clamp(std::round(stars), 1.0, 5.0)
                                                 : std::clamp(std::round(2.0 * stars), 1.0, 10.0);
  return kStars[static_cast<std::size_t>(halves) - 1];
}

std::string draw_tag(const SyntheticModel& m, std::size_t movie, Random& random) {
  const std::uint32_t genres = m.movie_genres[movie];
  if (genres != 0 && random.chance(m.config.genre_tag_share)) {
    std::vector<int> own;
    for (int g = 0; g < m.config.genres; ++g) {
      if (genres & (1U << g)) own.push_back(g);
    }
    const int g = own[random.below(own.size())];
    return g < static_cast<int>(kGenres.size()) ? kGenres[g].tag : "genre " + std::to_string(g + 1);
  }
  return kGenericTags[random.below(kGenericTags.size())];
}

}  // namespace

SyntheticSummary write_synthetic_ratings(const SyntheticModel& m, std::ostream& ratings_out,
                                         std::ostream* tags_out,
                                         const SyntheticProgress& progress) {
  const SyntheticConfig& c = m.config;
  SyntheticSummary summary;
  summary.users = m.user_ratings.size();
  summary.movies = m.movie_ids.size();
  MoviePicker picker(m);
  std::vector<bool> rated(summary.movies, false);
  CsvWriter ratings(ratings_out);
  ratings.row("userId", "movieId", "rating", "timestamp");
  std::optional<CsvWriter> tags;
  if (tags_out != nullptr) tags.emplace(*tags_out).row("userId", "movieId", "tag", "timestamp");
  std::vector<std::uint32_t> chosen;
  for (std::size_t user = 0; user < summary.users; ++user) {
    Random random(c.seed, kRatingStream, user);
    picker.pick(user, m.user_ratings[user], random, chosen);
    const std::int64_t user_id = static_cast<std::int64_t>(user) + 1;
    Random tag_random(c.seed, kTagStream, user);
    const bool tagger = tags && tag_random.chance(c.tagger_share);
    for (std::uint32_t movie : chosen) {
      const double when = std::pow(random.uniform(), c.time_skew);
      const std::int64_t timestamp =
          m.user_start[user] +
          static_cast<std::int64_t>(when * static_cast<double>(m.user_window[user]));
      ratings.row(user_id, std::int64_t{m.movie_ids[movie]}, draw_stars(m, user, movie, random),
                  timestamp);
      rated[movie] = true;
      if (tagger && tag_random.chance(c.tag_rate)) {
        tags->row(user_id, std::int64_t{m.movie_ids[movie]}, draw_tag(m, movie, tag_random),
                  timestamp);
        ++summary.tags;
      }
    }
    const std::size_t before = summary.ratings;
    summary.ratings += chosen.size();
    if (progress && before / kProgressEvery != summary.ratings / kProgressEvery) {
      progress(summary.ratings);
    }
  }
  ratings.flush();
  if (tags) tags->flush();
  summary.movies_rated = static_cast<std::size_t>(std::count(rated.begin(), rated.end(), true));
  return summary;
}

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
