// Writing a synthetic release's ratings and tags: who rates what, how many stars, and when.
#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <numeric>
#include <sstream>
#include <string_view>
#include <thread>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/data/synthetic.hpp"
#include "synthetic_detail.hpp"

namespace movierec {
namespace {

using namespace synthetic_detail;

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
// Writing ratings and tags

constexpr std::array<std::string_view, 10> kStars = {"0.5", "1.0", "1.5", "2.0", "2.5",
                                                     "3.0", "3.5", "4.0", "4.5", "5.0"};
// Tags that fit any movie; two of them make the CSV writer quote.
constexpr std::array<const char*, 10> kGenericTags = {
    "atmospheric", "twist ending",     "classic",   "quirky",
    "slow",        "great soundtrack", "overrated", "visually appealing",
    "funny, sad",  "\"cult\" classic"};
constexpr std::size_t kUsersPerBlock = 1024;  // per worker and round: ~4 MB of text

// Picks a user's movies: each draw follows popularity, and is kept with the chance that the
// user expects to like the movie, as people choose what they watch. Movies already picked are
// skipped.
class MoviePicker {
 public:
  MoviePicker(const SyntheticModel& model, const AliasTable& popularity)
      : model_(model), popularity_(popularity), stamp_(model.movie_ids.size(), 0) {}

  // True once any user of this picker has picked the movie.
  bool picked(std::size_t movie) const { return stamp_[movie] != 0; }

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
  const AliasTable& popularity_;
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

// One worker's share of a round: the CSV rows of a block of users, drawn into memory.
struct UserBlock {
  std::string ratings, tags;
  std::size_t rows = 0, tag_rows = 0;
  std::exception_ptr failure;
};

void draw_user(const SyntheticModel& m, MoviePicker& picker, std::size_t user, CsvWriter& ratings,
               CsvWriter* tags, UserBlock& block, std::vector<std::uint32_t>& chosen) {
  const SyntheticConfig& c = m.config;
  Random random(c.seed, kRatingStream, user);
  picker.pick(user, m.user_ratings[user], random, chosen);
  const std::int64_t user_id = static_cast<std::int64_t>(user) + 1;
  Random tag_random(c.seed, kTagStream, user);
  const bool tagger = tags != nullptr && tag_random.chance(c.tagger_share);
  for (std::uint32_t movie : chosen) {
    const double when = std::pow(random.uniform(), c.time_skew);
    const std::int64_t timestamp =
        m.user_start[user] +
        static_cast<std::int64_t>(when * static_cast<double>(m.user_window[user]));
    ratings.row(user_id, std::int64_t{m.movie_ids[movie]}, draw_stars(m, user, movie, random),
                timestamp);
    if (tagger && tag_random.chance(c.tag_rate)) {
      tags->row(user_id, std::int64_t{m.movie_ids[movie]}, draw_tag(m, movie, tag_random),
                timestamp);
      ++block.tag_rows;
    }
  }
  block.rows += chosen.size();
}

// Draws users [begin, end) into `block`; runs on a worker thread, so it keeps any exception.
void draw_block(const SyntheticModel& m, MoviePicker& picker, std::size_t begin, std::size_t end,
                bool with_tags, UserBlock& block) noexcept {
  block.rows = block.tag_rows = 0;
  try {
    std::ostringstream ratings_text, tags_text;
    {
      CsvWriter ratings(ratings_text), tags(tags_text);
      std::vector<std::uint32_t> chosen;
      for (std::size_t user = begin; user < end; ++user) {
        draw_user(m, picker, user, ratings, with_tags ? &tags : nullptr, block, chosen);
      }
      ratings.flush();
      tags.flush();
    }
    block.ratings = std::move(ratings_text).str();
    block.tags = std::move(tags_text).str();
  } catch (...) {
    block.failure = std::current_exception();
  }
}

}  // namespace

SyntheticSummary write_synthetic_ratings(const SyntheticModel& m, std::ostream& ratings_out,
                                         std::ostream* tags_out,
                                         const SyntheticProgress& progress) {
  const std::size_t users = m.user_ratings.size();
  const std::size_t workers = static_cast<std::size_t>(m.config.threads);
  const AliasTable popularity(m.movie_weight);
  std::vector<MoviePicker> pickers;
  pickers.reserve(workers);
  for (std::size_t w = 0; w < workers; ++w) pickers.emplace_back(m, popularity);
  std::vector<UserBlock> blocks(workers);
  CsvWriter(ratings_out).row("userId", "movieId", "rating", "timestamp");
  if (tags_out != nullptr) CsvWriter(*tags_out).row("userId", "movieId", "tag", "timestamp");

  SyntheticSummary summary;
  summary.users = users;
  summary.movies = m.movie_ids.size();
  // Users draw from their own generators, so blocks of them are drawn in parallel and written in
  // order: the files are the same for any number of threads.
  for (std::size_t start = 0; start < users; start += workers * kUsersPerBlock) {
    const auto run = [&](std::size_t w) {
      const std::size_t begin = std::min(users, start + w * kUsersPerBlock);
      draw_block(m, pickers[w], begin, std::min(users, begin + kUsersPerBlock), tags_out != nullptr,
                 blocks[w]);
    };
    {
      std::vector<std::jthread> threads;  // joined when they go out of scope, even on a throw
      for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(run, w);
      run(0);
    }
    for (UserBlock& block : blocks) {
      if (block.failure) std::rethrow_exception(block.failure);
      ratings_out << block.ratings;
      if (tags_out != nullptr) *tags_out << block.tags;
      summary.ratings += block.rows;
      summary.tags += block.tag_rows;
    }
    if (!ratings_out || (tags_out != nullptr && !*tags_out)) {
      throw Error("write failed (disk full or file not writable?)");
    }
    if (progress) progress(summary.ratings);
  }
  for (std::size_t movie = 0; movie < summary.movies; ++movie) {
    summary.movies_rated += std::any_of(pickers.begin(), pickers.end(),
                                        [&](const MoviePicker& p) { return p.picked(movie); });
  }
  return summary;
}

}  // namespace movierec
