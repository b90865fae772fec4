// The offline pipeline's steps as pure functions over in-memory ratings (seed sections 2-4):
// filter, per-user chronological split, and the transform into weighted learning signals.
#pragma once

#include <cstddef>
#include <cstdint>
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
  FilterStats stats;
};

// Keeps users with at least min_user_ratings ratings, then movies with at least
// min_movie_ratings ratings among those users (one pass each, as the seed does). Throws Error
// naming the threshold when nothing is left. `profile_users` (sorted ids: the profiles of
// preprocess --profiles) are kept whatever their count; their ratings count for the movies
// like any other, and those of movies the filter drops go.
Filtered filter_ratings(std::vector<Rating> ratings, const PipelineConfig& config,
                        const std::vector<std::int32_t>& profile_users = {});

struct Split {
  std::vector<Rating> train, val, test;  // each sorted by user, then timestamp, then movie
  std::size_t users_split = 0;
  std::size_t users_skipped = 0;  // fewer than min_split_ratings ratings
};

// Per user, ratings in time order (ties by movie id): with n ratings,
// a = floor(n * train_ratio + 1e-9), b = floor(n * (train_ratio + val_ratio) + 1e-9);
// [0, a) train, [a, b) val, [b, n) test. Users with fewer than min_split_ratings are skipped.
// `ratings` must be sorted as filter_ratings leaves them. Every rating of `profile_users` (sorted
// ids) goes to train, however few they have: they are people to learn, not to measure.
Split split_by_time(const std::vector<Rating>& ratings, const PipelineConfig& config,
                    const std::vector<std::int32_t>& profile_users = {});

// What the transform learns from train and applies to every split.
struct TrainStatistics {
  std::unordered_map<std::int32_t, double> user_means;          // mean stars per user in train
  std::unordered_map<std::int32_t, std::int64_t> movie_counts;  // ratings per movie in train
  double global_mean = 0;          // mean of all train stars (for users absent from train)
  std::int64_t max_timestamp = 0;  // newest train timestamp
};

TrainStatistics train_statistics(const std::vector<Rating>& train);

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
