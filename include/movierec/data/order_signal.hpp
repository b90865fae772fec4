// Whether the order of each user's ratings says something of the movies. Lead-ins (train/
// lead_ins.hpp) need an order that means something: a release whose ratings come in no
// particular order within each user (make_synthetic's: times drawn at random in the user's
// window) only repeats the symmetric co-rating, which the sessions found to lose there.
//
// The signal: for each movie with 20 or more ratings from users with two or more, the squared
// distance of its mean relative position in those users' sequences (0 first, 1 last) from 1/2,
// over the variance that mean has when every order is equally likely, averaged over the movies.
// About 1 for random orders (0.99 on make_synthetic's), 4 to 6 on ml-latest-small and its
// halves; NaN when no movie has the ratings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "movierec/data/pipeline.hpp"

namespace movierec {

// Below this order signal, no lead-ins are built.
inline constexpr double kMinOrderSignal = 2.0;

class OrderSignal {
 public:
  // For movies numbered 0 .. movies - 1.
  explicit OrderSignal(std::size_t movies);
  // The next rating: each user's ratings in time order, users together. Throws Error for a
  // movie not below `movies`.
  void add(std::int32_t user, std::uint32_t movie);
  // The signal of the ratings added so far (NaN when too few ratings tell); ends the last user.
  double value();

 private:
  void end_user();  // the current user's ratings into the sums

  std::vector<double> position_sum_, variance_sum_;
  std::vector<std::size_t> count_;
  std::int32_t user_ = 0;
  std::vector<std::uint32_t> run_;  // the current user's movies, in time order
};

// The order signal of `train` (split_by_time's: each user's ratings in time order, users
// together), its movies numbered in increasing id.
double order_signal(const RatingPieces& train);

}  // namespace movierec
