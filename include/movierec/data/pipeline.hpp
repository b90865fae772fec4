// The offline pipeline's steps as pure functions over in-memory ratings (seed sections 2-4):
// filter, per-user chronological split, and the transform into weighted learning signals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <unordered_map>
#include <vector>

#include "movierec/data/pipeline_config.hpp"
#include "movierec/io/id_index.hpp"
#include "movierec/data/movielens.hpp"

namespace movierec {

struct FilterStats {
  std::size_t users_in = 0, movies_in = 0, ratings_in = 0;
  std::size_t users_kept = 0, movies_kept = 0, ratings_kept = 0;
  std::size_t ratings_dropped_by_user_threshold = 0;   // from users below min_user_ratings
  std::size_t ratings_dropped_by_movie_threshold = 0;  // then from movies below min_movie_ratings
};

struct Filtered {
  std::vector<Rating> ratings;  // sorted by user, then timestamp, then movie
  // The kept users' ratings of the movies the movie threshold dropped (rare movies), sorted as
  // `ratings`: they do not train the model, but fold those movies into it (train/outside_movies).
  std::vector<Rating> rare;
  FilterStats stats;
};

// Keeps users with at least min_user_ratings ratings, then movies with at least
// min_movie_ratings ratings among those users (one pass each, as the seed does). Throws Error
// naming the threshold when nothing is left. `profile_users` (sorted ids: the profiles of
// preprocess --profiles) are kept whatever their count; their ratings count for the movies
// like any other, and those of movies the filter drops go. The kept ratings are filtered and
// grouped inside `ratings`' own memory (pass it moved to hold the ratings once, not twice).
Filtered filter_ratings(std::vector<Rating> ratings, const PipelineConfig& config,
                        const std::vector<std::int32_t>& profile_users = {});

// The rows of one output file as pieces of rating vectors held elsewhere, in order: the split
// names train, val and test inside the filtered ratings without copying tens of millions of them.
// A RatingPieces is valid while the vectors it points into are alive and not resized.
class RatingPieces {
 public:
  class Iterator;

  RatingPieces() = default;
  // One piece: all of `ratings` (implicit, so that a vector can be passed where rows are asked).
  RatingPieces(const std::vector<Rating>& ratings) { add(ratings); }  // NOLINT

  // Appends `piece` (joined to the last piece when it continues it in memory).
  void add(std::span<const Rating> piece);
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::vector<std::span<const Rating>>& pieces() const { return pieces_; }
  // The pieces of rows [begin, begin + count) (both within size()), in order.
  std::vector<std::span<const Rating>> range(std::size_t begin, std::size_t count) const;
  std::vector<Rating> to_vector() const;
  Iterator begin() const;
  Iterator end() const;

 private:
  std::vector<std::span<const Rating>> pieces_;
  std::vector<std::size_t> starts_;  // the row number of each piece's first row
  std::size_t size_ = 0;
};

// A forward iterator over the rows of a RatingPieces, piece after piece.
class RatingPieces::Iterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = Rating;
  using difference_type = std::ptrdiff_t;
  using pointer = const Rating*;
  using reference = const Rating&;

  Iterator() = default;
  Iterator(const std::vector<std::span<const Rating>>* pieces, std::size_t piece)
      : pieces_(pieces), piece_(piece) {}
  const Rating& operator*() const { return (*pieces_)[piece_][row_]; }
  const Rating* operator->() const { return &**this; }
  Iterator& operator++() {
    if (++row_ == (*pieces_)[piece_].size()) {
      ++piece_;
      row_ = 0;
    }
    return *this;
  }
  Iterator operator++(int) {
    Iterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const Iterator& other) const {
    return piece_ == other.piece_ && row_ == other.row_;
  }

 private:
  const std::vector<std::span<const Rating>>* pieces_ = nullptr;
  std::size_t piece_ = 0;  // pieces are never empty, so (piece, 0) is the end past the last
  std::size_t row_ = 0;
};

inline RatingPieces::Iterator RatingPieces::begin() const { return {&pieces_, 0}; }
inline RatingPieces::Iterator RatingPieces::end() const { return {&pieces_, pieces_.size()}; }

// The split as views into the ratings it splits (see split_by_time).
struct SplitRows {
  RatingPieces train, val, test;
  std::size_t users_split = 0;
  std::size_t users_skipped = 0;  // fewer than min_split_ratings ratings
};

struct Split {
  std::vector<Rating> train, val, test;  // each sorted by user, then timestamp, then movie
  std::size_t users_split = 0;
  std::size_t users_skipped = 0;  // fewer than min_split_ratings ratings
};

// Per user, ratings in time order (ties by movie id): with n ratings,
// a = floor(n * train_ratio + 1e-9), b = floor(n * (train_ratio + val_ratio) + 1e-9);
// [0, a) train, [a, b) val, [b, n) test. Users with fewer than min_split_ratings are skipped.
// `ratings` must be sorted as filter_ratings leaves them (Error otherwise). Every rating of
// `profile_users` (sorted ids) goes to train, however few they have: they are people to learn,
// not to measure. split_rows names the parts inside `ratings`, which must outlive them;
// split_by_time copies them.
SplitRows split_rows(const std::vector<Rating>& ratings, const PipelineConfig& config,
                     const std::vector<std::int32_t>& profile_users = {});
Split split_by_time(const std::vector<Rating>& ratings, const PipelineConfig& config,
                    const std::vector<std::int32_t>& profile_users = {});

// The ratings of `rare` (sorted as filter_ratings leaves them) that fall in their user's train
// period: users with train ratings in `train` (sorted likewise), at or before the user's newest
// train rating. Ratings of later periods stay out, so that evaluating on val and test is fair.
std::vector<Rating> train_period(const std::vector<Rating>& rare, const RatingPieces& train);

// What the transform learns from train and applies to every split.
struct TrainStatistics {
  std::unordered_map<std::int32_t, double> user_means;          // mean stars per user in train
  std::unordered_map<std::int32_t, std::int64_t> movie_counts;  // ratings per movie in train
  double global_mean = 0;          // mean of all train stars (for users absent from train)
  std::int64_t max_timestamp = 0;  // newest train timestamp
};

TrainStatistics train_statistics(const RatingPieces& train);

struct TransformedRating {
  Rating rating;
  double rating_norm = 0;   // stars - user mean (global mean for a user absent from train)
  double pop_weight = 0;    // count ^ -popularity_exponent; a movie absent from train counts 1
  double time_weight = 0;   // exp(-ln 2 * days_since / half_life_days), days_since below 0 as 0
  double final_rating = 0;  // rating_norm * pop_weight * time_weight
};

// The seed's transform of one rating at a time, with the statistics turned into tables indexed
// by id once, so that tens of millions of rows can be transformed (and written) in chunks from
// several threads without holding every transformed row in memory.
class Transformer {
 public:
  Transformer(const TrainStatistics& stats, const PipelineConfig& config);
  TransformedRating operator()(const Rating& rating) const;

 private:
  IdIndex users_;
  std::vector<double> user_means_;  // per users_ index
  IdIndex movies_;
  std::vector<double> pop_weights_;  // per movies_ index
  double global_mean_;
  std::int64_t max_timestamp_;
  double half_life_days_;
};

// The seed's transform, with statistics from train (seed 4.1-4.4).
std::vector<TransformedRating> transform(const std::vector<Rating>& ratings,
                                         const TrainStatistics& stats,
                                         const PipelineConfig& config);

}  // namespace movierec
