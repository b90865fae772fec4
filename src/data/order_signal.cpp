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

void OrderSignal::add(std::int32_t user, std::uint32_t movie) {
  if (movie >= count_.size()) {
    throw Error(fmt::format("order signal: movie row {} is not below {}", movie, count_.size()));
  }
  if (!run_.empty() && user != user_) end_user();
  user_ = user;
  run_.push_back(movie);
}

void OrderSignal::end_user() {
  const std::size_t length = run_.size();
  if (length > 1) {
    const auto last = static_cast<double>(length - 1);
    // k / last for k uniform on 0 .. last has variance (length + 1) / (12 last).
    const double variance = static_cast<double>(length + 1) / (12.0 * last);
    for (std::size_t p = 0; p < length; ++p) {
      position_sum_[run_[p]] += static_cast<double>(p) / last;
      variance_sum_[run_[p]] += variance;
      ++count_[run_[p]];
    }
  }
  run_.clear();
}

double OrderSignal::value() {
  end_user();
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
  for (const Rating& r : train) {
    signal.add(r.user, static_cast<std::uint32_t>(movies.find(r.movie)));
  }
  return signal.value();
}

}  // namespace movierec
