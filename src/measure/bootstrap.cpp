#include "movierec/measure/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "movierec/io/error.hpp"
#include "movierec/io/random.hpp"

namespace movierec {
namespace {

void check(const std::vector<std::vector<double>>& values, std::size_t reference,
           const BootstrapOptions& options) {
  if (values.empty() || values.front().empty()) throw Error("bootstrap: no users to resample");
  for (const auto& system : values) {
    if (system.size() != values.front().size()) {
      throw Error("bootstrap: the systems were measured on different numbers of users");
    }
  }
  if (reference >= values.size()) throw Error("bootstrap: the reference is not a system");
  if (options.resamples == 0) throw Error("bootstrap: resamples must be at least 1");
  if (!(options.level > 0 && options.level < 1)) {
    throw Error("bootstrap: the level must lie strictly between 0 and 1");
  }
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (const double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw Error("quantile of no values");
  const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

std::vector<PairedInterval> paired_bootstrap(const std::vector<std::vector<double>>& values,
                                             std::size_t reference,
                                             const BootstrapOptions& options) {
  check(values, reference, options);
  const std::size_t users = values.front().size();
  const std::size_t systems = values.size();
  // sums[s][b]: system s's sum over the users of resample b. The draws are made once per
  // resample and shared by every system, which is what makes the bootstrap paired.
  std::vector<std::vector<double>> sums(systems, std::vector<double>(options.resamples, 0.0));
  std::mt19937_64 rng(options.seed);
  for (std::size_t b = 0; b < options.resamples; ++b) {
    for (std::size_t draw = 0; draw < users; ++draw) {
      const auto user = std::min(
          users - 1, static_cast<std::size_t>(uniform01(rng) * static_cast<double>(users)));
      for (std::size_t s = 0; s < systems; ++s) sums[s][b] += values[s][user];
    }
  }
  const double tail = (1 - options.level) / 2;
  const double reference_mean = mean(values[reference]);
  const bool reference_positive =
      reference_mean > 0 &&
      std::all_of(sums[reference].begin(), sums[reference].end(), [](double s) { return s > 0; });
  std::vector<PairedInterval> intervals(systems);
  std::vector<double> resampled(options.resamples);
  for (std::size_t s = 0; s < systems; ++s) {
    PairedInterval& interval = intervals[s];
    interval.difference = mean(values[s]) - reference_mean;
    for (std::size_t b = 0; b < options.resamples; ++b) {
      resampled[b] = (sums[s][b] - sums[reference][b]) / static_cast<double>(users);
    }
    std::sort(resampled.begin(), resampled.end());
    interval.low = quantile_sorted(resampled, tail);
    interval.high = quantile_sorted(resampled, 1 - tail);
    if (!reference_positive) continue;
    interval.relative = mean(values[s]) / reference_mean - 1;
    for (std::size_t b = 0; b < options.resamples; ++b) {
      resampled[b] = sums[s][b] / sums[reference][b] - 1;
    }
    std::sort(resampled.begin(), resampled.end());
    interval.relative_low = quantile_sorted(resampled, tail);
    interval.relative_high = quantile_sorted(resampled, 1 - tail);
  }
  return intervals;
}

}  // namespace movierec
