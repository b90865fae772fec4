#include "movierec/data/order_signal.hpp"

#include <fmt/format.h>

#include <limits>

#include "movierec/io/error.hpp"
#include "movierec/io/id_index.hpp"

namespace movierec {
namespace {

// A movie counts with at least this many ratings from users with two or more.
constexpr std::size_t kOrderMovieRatings = 20;

}  // namespace

OrderSignal::OrderSignal(std::size_t movies)
    : position_sum_(movies, 0.0), variance_sum_(movies, 0.0), count_(movies, 0) {}

void OrderSignal::add_user(std::span<const std::uint32_t> movies_in_order) {
  for (const std::uint32_t movie : movies_in_order) {
    if (movie >= count_.size()) {
      throw Error(fmt::format("order signal: movie row {} is not below {}", movie, count_.size()));
    }
  }
  const std::size_t length = movies_in_order.size();
  if (length < 2) return;
  const auto last = static_cast<double>(length - 1);
  // k / last for k uniform on 0 .. last has variance (length + 1) / (12 last).
  const double variance = static_cast<double>(length + 1) / (12.0 * last);
  for (std::size_t p = 0; p < length; ++p) {
    const std::uint32_t movie = movies_in_order[p];
    position_sum_[movie] += static_cast<double>(p) / last;
    variance_sum_[movie] += variance;
    ++count_[movie];
  }
}

double OrderSignal::value() const {
  double total = 0;
  std::size_t used = 0;
  for (std::size_t m = 0; m < count_.size(); ++m) {
    if (count_[m] < kOrderMovieRatings) continue;
    const auto n = static_cast<double>(count_[m]);
    const double mean = position_sum_[m] / n;
    total += (mean - 0.5) * (mean - 0.5) / (variance_sum_[m] / (n * n));
    ++used;
  }
  return used == 0 ? std::numeric_limits<double>::quiet_NaN() : total / static_cast<double>(used);
}

double order_signal(const RatingPieces& train) {
  const IdIndex movies(train, [](const Rating& r) { return r.movie; });
  OrderSignal signal(movies.size());
  std::vector<std::uint32_t> run;
  std::int32_t user = 0;
  for (const Rating& r : train) {
    if (!run.empty() && r.user != user) {
      signal.add_user(run);
      run.clear();
    }
    user = r.user;
    run.push_back(static_cast<std::uint32_t>(movies.find(r.movie)));
  }
  signal.add_user(run);
  return signal.value();
}

}  // namespace movierec
