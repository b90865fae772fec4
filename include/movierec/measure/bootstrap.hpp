// Paired bootstrap over users (Efron and Tibshirani 1993, chapter 16; the usual test for
// comparing two systems on the same queries in information retrieval, Sakai 2006): how sure is
// a difference between two systems' mean likes, when both answered the same simulated users?
//
// Each resample draws n users with replacement from the n users (the same draws for every
// system, so the comparison stays paired) and computes each system's mean over the drawn users.
// The interval of a difference is the central `level` share of the resampled differences
// (percentile interval): with level 0.95, the 2.5th and 97.5th percentiles, linearly
// interpolated between order statistics (R's type 7). No I/O; the same inputs, options and seed
// give the same intervals on every platform (draws from std::mt19937_64 only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace movierec {

struct BootstrapOptions {
  std::size_t resamples = 1000;  // resamples drawn (at least 1)
  double level = 0.95;           // share of the resampled values inside the interval, (0, 1)
  std::uint64_t seed = 1;        // of the draws
};

// One system against the reference, over the same users.
struct PairedInterval {
  double difference = 0;  // mean(system) - mean(reference) over all users
  double low = 0;         // the interval of the difference
  double high = 0;
  // mean(system) / mean(reference) - 1, and its interval from the same resamples; none when the
  // reference's mean is 0 in the data or in any resample.
  std::optional<double> relative, relative_low, relative_high;
};

// `values[s][u]` is system s's value for user u (every system has the same users, in the same
// order); returns one interval per system against system `reference` (whose own interval is
// all zeros). Throws Error when there are no users, the systems' lengths differ, `reference` is
// out of range, or an option is out of its range.
std::vector<PairedInterval> paired_bootstrap(const std::vector<std::vector<double>>& values,
                                             std::size_t reference,
                                             const BootstrapOptions& options);

// The q-quantile (0 <= q <= 1) of `sorted` (ascending, not empty) by linear interpolation
// between order statistics: position q (n - 1).
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace movierec
