#include "movierec/data/pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>

#include "movierec/io/error.hpp"
#include "movierec/io/parallel.hpp"

namespace movierec {
namespace {

constexpr double kSecondsPerDay = 86400.0;
// Absorbs the rounding of n * ratio (0.7 * 90 is 62.99999999999999 in binary floating point),
// far below the 1/n steps the boundaries move by.
constexpr double kSplitEpsilon = 1e-9;
// Pieces per thread when sorting users' ratings, so uneven users still balance out.
constexpr std::size_t kSortPieces = 64;

bool earlier(const Rating& a, const Rating& b) {
  if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
  return a.movie < b.movie;
}

bool in_order(const Rating& a, const Rating& b) {
  if (a.user != b.user) return a.user < b.user;
  return !earlier(b, a);
}

std::string count_text(std::size_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Sorts each user's ratings (the ranges [starts[u], starts[u + 1])) by time, then movie.
void sort_users(std::vector<Rating>& ratings, const std::vector<std::size_t>& starts) {
  const std::size_t users = starts.size() - 1;
  std::vector<std::size_t> pieces{0};  // user indexes where a piece of work begins
  const std::size_t piece_size = ratings.size() / kSortPieces + 1;
  for (std::size_t u = 0; u < users; ++u) {
    if (starts[u] - starts[pieces.back()] >= piece_size) pieces.push_back(u);
  }
  pieces.push_back(users);
  parallel_for(pieces.size() - 1, [&](std::size_t piece) {
    for (std::size_t u = pieces[piece]; u < pieces[piece + 1]; ++u) {
      std::sort(ratings.begin() + static_cast<std::ptrdiff_t>(starts[u]),
                ratings.begin() + static_cast<std::ptrdiff_t>(starts[u + 1]), earlier);
    }
  });
}

// Flags the entries whose count reaches `min`. Throws, naming the setting `key`, when none does.
std::vector<char> at_least(const std::vector<std::size_t>& counts, int min, const std::string& who,
                           const std::string& among, const std::string& key) {
  const auto needed = static_cast<std::size_t>(min);
  const std::size_t most = *std::max_element(counts.begin(), counts.end());
  if (most < needed) {
    throw Error("no " + who + " has at least " + count_text(needed, "rating") + among + " (" + key +
                "); the most any " + who + " has is " + std::to_string(most));
  }
  std::vector<char> kept(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) kept[i] = counts[i] >= needed;
  return kept;
}

// The ratings `keep` accepts, grouped by user (ids ascending) with a counting sort, then each
// user's sorted by time and movie.
template <typename Keep>
std::vector<Rating> group_by_user(const std::vector<Rating>& ratings, const IdIndex& users,
                                  Keep keep) {
  std::vector<std::size_t> starts(users.size() + 1, 0);
  for (const Rating& r : ratings) {
    if (keep(r)) ++starts[users.find(r.user) + 1];
  }
  std::partial_sum(starts.begin(), starts.end(), starts.begin());
  std::vector<Rating> out(starts.back());
  std::vector<std::size_t> next(starts.begin(), starts.end() - 1);
  for (const Rating& r : ratings) {
    if (keep(r)) out[next[users.find(r.user)]++] = r;
  }
  sort_users(out, starts);
  return out;
}

// Groups `ratings` by user (ids ascending) inside its own memory, then sorts each user's by time
// and movie: a counting sort that moves each rating to its user's next free place, swapping out
// the one there (American flag sort), after a check that skips it for input grouped already.
void group_in_place(std::vector<Rating>& ratings, const IdIndex& users) {
  std::vector<std::size_t> starts(users.size() + 1, 0);
  for (const Rating& r : ratings) ++starts[users.find(r.user) + 1];
  std::partial_sum(starts.begin(), starts.end(), starts.begin());
  const auto by_user = [](const Rating& a, const Rating& b) { return a.user < b.user; };
  if (!std::is_sorted(ratings.begin(), ratings.end(), by_user)) {
    std::vector<std::size_t> next(starts.begin(), starts.end() - 1);
    for (std::size_t u = 0; u < users.size(); ++u) {
      while (next[u] < starts[u + 1]) {
        Rating moving = ratings[next[u]];
        for (std::size_t to = users.find(moving.user); to != u; to = users.find(moving.user)) {
          std::swap(moving, ratings[next[to]++]);
        }
        ratings[next[u]++] = moving;
      }
    }
  }
  sort_users(ratings, starts);
}

}  // namespace

Filtered filter_ratings(std::vector<Rating> ratings, const PipelineConfig& config,
                        const std::vector<std::int32_t>& profile_users) {
  if (ratings.empty()) throw Error("no ratings to filter: the data set has no valid rating");
  Filtered out;
  FilterStats& stats = out.stats;
  const IdIndex users(ratings, [](const Rating& r) { return r.user; });
  const IdIndex movies(ratings, [](const Rating& r) { return r.movie; });
  stats.ratings_in = ratings.size();
  stats.users_in = users.size();
  stats.movies_in = movies.size();

  // Users first, over all ratings.
  std::vector<std::size_t> counts(users.size(), 0);
  for (const Rating& r : ratings) ++counts[users.find(r.user)];
  std::vector<char> user_kept =
      at_least(counts, config.min_user_ratings, "user", "", "filter.min_user_ratings");
  for (const std::int32_t user : profile_users) {
    if (const std::size_t u = users.find(user); u != IdIndex::kNone) user_kept[u] = 1;
  }

  // Then movies, counting only the ratings of the users kept.
  counts.assign(movies.size(), 0);
  for (const Rating& r : ratings) {
    if (user_kept[users.find(r.user)]) ++counts[movies.find(r.movie)];
  }
  const std::size_t after_users = std::accumulate(counts.begin(), counts.end(), std::size_t{0});
  stats.ratings_dropped_by_user_threshold = ratings.size() - after_users;
  const std::vector<char> movie_kept = at_least(counts, config.min_movie_ratings, "movie",
                                                " from the users kept", "filter.min_movie_ratings");
  stats.movies_kept = static_cast<std::size_t>(std::count(movie_kept.begin(), movie_kept.end(), 1));

  out.rare = group_by_user(ratings, users, [&](const Rating& r) {
    return user_kept[users.find(r.user)] && !movie_kept[movies.find(r.movie)];
  });
  std::erase_if(ratings, [&](const Rating& r) {
    return !user_kept[users.find(r.user)] || !movie_kept[movies.find(r.movie)];
  });
  group_in_place(ratings, users);
  out.ratings = std::move(ratings);
  stats.ratings_kept = out.ratings.size();
  stats.ratings_dropped_by_movie_threshold = after_users - stats.ratings_kept;
  for (std::size_t i = 0; i < out.ratings.size(); ++i) {  // grouped by user: count the runs
    stats.users_kept += i == 0 || out.ratings[i].user != out.ratings[i - 1].user;
  }
  return out;
}

void RatingPieces::add(std::span<const Rating> piece) {
  if (piece.empty()) return;
  if (!pieces_.empty() && pieces_.back().data() + pieces_.back().size() == piece.data()) {
    pieces_.back() = {pieces_.back().data(), pieces_.back().size() + piece.size()};
  } else {
    pieces_.push_back(piece);
    starts_.push_back(size_);
  }
  size_ += piece.size();
}

std::vector<std::span<const Rating>> RatingPieces::range(std::size_t begin,
                                                         std::size_t count) const {
  std::vector<std::span<const Rating>> out;
  if (count == 0) return out;
  auto piece = static_cast<std::size_t>(std::upper_bound(starts_.begin(), starts_.end(), begin) -
                                        starts_.begin() - 1);
  for (; count > 0; ++piece) {
    const std::size_t offset = begin - starts_[piece];
    const std::size_t take = std::min(count, pieces_[piece].size() - offset);
    out.push_back(pieces_[piece].subspan(offset, take));
    begin += take;
    count -= take;
  }
  return out;
}

std::vector<Rating> RatingPieces::to_vector() const {
  std::vector<Rating> out;
  out.reserve(size_);
  for (const std::span<const Rating> piece : pieces_) {
    out.insert(out.end(), piece.begin(), piece.end());
  }
  return out;
}

SplitRows split_rows(const std::vector<Rating>& ratings, const PipelineConfig& config,
                     const std::vector<std::int32_t>& profile_users) {
  for (std::size_t i = 1; i < ratings.size(); ++i) {
    if (!in_order(ratings[i - 1], ratings[i])) {
      throw Error("split_by_time: ratings must be sorted by user, then timestamp, then movie");
    }
  }
  SplitRows split;
  const std::span<const Rating> all(ratings);
  const auto rows = [&](std::size_t from, std::size_t to) { return all.subspan(from, to - from); };
  const auto min_ratings = static_cast<std::size_t>(config.min_split_ratings);
  for (std::size_t begin = 0, end; begin < ratings.size(); begin = end) {
    end = begin + 1;
    while (end < ratings.size() && ratings[end].user == ratings[begin].user) ++end;
    const std::size_t n = end - begin;
    if (std::binary_search(profile_users.begin(), profile_users.end(), ratings[begin].user)) {
      split.train.add(rows(begin, end));
      ++split.users_split;
      continue;
    }
    if (n < min_ratings) {
      ++split.users_skipped;
      continue;
    }
    const double count = static_cast<double>(n);
    const auto a = static_cast<std::size_t>(std::floor(count * config.train_ratio + kSplitEpsilon));
    const auto b = static_cast<std::size_t>(
        std::floor(count * (config.train_ratio + config.val_ratio) + kSplitEpsilon));
    const std::size_t val_begin = begin + std::min(a, n), test_begin = begin + std::min(b, n);
    split.train.add(rows(begin, val_begin));
    split.val.add(rows(val_begin, test_begin));
    split.test.add(rows(test_begin, end));
    ++split.users_split;
  }
  return split;
}

Split split_by_time(const std::vector<Rating>& ratings, const PipelineConfig& config,
                    const std::vector<std::int32_t>& profile_users) {
  const SplitRows rows = split_rows(ratings, config, profile_users);
  return {rows.train.to_vector(), rows.val.to_vector(), rows.test.to_vector(), rows.users_split,
          rows.users_skipped};
}

std::vector<Rating> train_period(const std::vector<Rating>& rare, const RatingPieces& train) {
  std::vector<Rating> kept;
  auto at = train.begin();  // train is grouped by user as `rare` is
  const auto train_end = train.end();
  for (std::size_t begin = 0, end; begin < rare.size(); begin = end) {
    const std::int32_t user = rare[begin].user;
    end = begin + 1;
    while (end < rare.size() && rare[end].user == user) ++end;
    while (at != train_end && at->user < user) ++at;
    if (at == train_end || at->user != user) continue;
    std::int64_t newest = at->timestamp;
    for (; at != train_end && at->user == user; ++at) newest = std::max(newest, at->timestamp);
    for (std::size_t i = begin; i < end && rare[i].timestamp <= newest; ++i) {
      kept.push_back(rare[i]);
    }
  }
  return kept;
}

TrainStatistics train_statistics(const RatingPieces& train) {
  TrainStatistics stats;
  if (train.empty()) return stats;
  const IdIndex users(train, [](const Rating& r) { return r.user; });
  const IdIndex movies(train, [](const Rating& r) { return r.movie; });
  std::vector<double> user_sum(users.size(), 0.0);
  std::vector<std::int64_t> user_count(users.size(), 0);
  std::vector<std::int64_t> movie_count(movies.size(), 0);
  double total = 0;
  stats.max_timestamp = train.begin()->timestamp;
  for (const Rating& r : train) {
    const std::size_t u = users.find(r.user);
    user_sum[u] += r.rating;
    ++user_count[u];
    ++movie_count[movies.find(r.movie)];
    total += r.rating;
    stats.max_timestamp = std::max(stats.max_timestamp, r.timestamp);
  }
  stats.global_mean = total / static_cast<double>(train.size());
  stats.user_means.reserve(users.size());
  for (std::size_t u = 0; u < users.size(); ++u) {
    stats.user_means.emplace(users.id(u), user_sum[u] / static_cast<double>(user_count[u]));
  }
  stats.movie_counts.reserve(movies.size());
  for (std::size_t m = 0; m < movies.size(); ++m) {
    stats.movie_counts.emplace(movies.id(m), movie_count[m]);
  }
  return stats;
}

Transformer::Transformer(const TrainStatistics& stats, const PipelineConfig& config)
    : users_(stats.user_means, [](const auto& entry) { return entry.first; }),
      user_means_(users_.size()),
      movies_(stats.movie_counts, [](const auto& entry) { return entry.first; }),
      pop_weights_(movies_.size()),
      global_mean_(stats.global_mean),
      max_timestamp_(stats.max_timestamp),
      half_life_days_(config.half_life_days) {
  for (const auto& [user, mean] : stats.user_means) user_means_[users_.find(user)] = mean;
  for (const auto& [movie, count] : stats.movie_counts) {
    // A count below 1 cannot come from train_statistics; treat it like an absent movie.
    const double counted = static_cast<double>(std::max<std::int64_t>(count, 1));
    pop_weights_[movies_.find(movie)] = std::pow(counted, -config.popularity_exponent);
  }
}

TransformedRating Transformer::operator()(const Rating& rating) const {
  TransformedRating out;
  out.rating = rating;
  const std::size_t u = users_.find(rating.user);
  out.rating_norm = rating.rating - (u == IdIndex::kNone ? global_mean_ : user_means_[u]);
  const std::size_t m = movies_.find(rating.movie);
  out.pop_weight = m == IdIndex::kNone ? 1.0 : pop_weights_[m];  // absent: a count of 1
  const double days_since =
      std::max(0.0, static_cast<double>(max_timestamp_ - rating.timestamp) / kSecondsPerDay);
  out.time_weight = std::exp(-std::numbers::ln2 * days_since / half_life_days_);
  out.final_rating = out.rating_norm * out.pop_weight * out.time_weight;
  return out;
}

std::vector<TransformedRating> transform(const std::vector<Rating>& ratings,
                                         const TrainStatistics& stats,
                                         const PipelineConfig& config) {
  const Transformer transformer(stats, config);
  std::vector<TransformedRating> out;
  out.reserve(ratings.size());
  for (const Rating& r : ratings) out.push_back(transformer(r));
  return out;
}

}  // namespace movierec
