// The paired bootstrap: quantiles by hand, a known difference inside its interval (and about as
// wide as the normal approximation says), a zero difference whose interval holds 0, ratios,
// determinism and the errors.
#include "movierec/measure/bootstrap.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

// Per-user like counts 0..5 from a seeded generator.
std::vector<double> counts(std::size_t users, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> values(users);
  for (double& v : values) v = static_cast<double>(rng() % 6);
  return values;
}

}  // namespace

TEST_CASE("quantiles interpolate linearly between order statistics") {
  const std::vector<double> sorted = {1, 2, 3, 4};
  CHECK(quantile_sorted(sorted, 0) == 1);
  CHECK(quantile_sorted(sorted, 1) == 4);
  CHECK(quantile_sorted(sorted, 0.5) == Approx(2.5));
  CHECK(quantile_sorted(sorted, 0.25) == Approx(1.75));  // position 0.75
  CHECK(quantile_sorted({7}, 0.3) == 7);
  CHECK_THROWS_AS(quantile_sorted({}, 0.5), Error);
}

TEST_CASE("bootstrap: a known difference lies inside its interval, as wide as theory says") {
  // The system finds one more like than the reference for every other user: a true mean
  // difference of exactly 0.5 with per-user standard deviation 0.5, so the 95% interval should be
  // about 0.5 +- 1.96 x 0.5 / sqrt(n).
  const std::size_t users = 400;
  const std::vector<double> reference = counts(users, 3);
  std::vector<double> system = reference;
  for (std::size_t u = 0; u < users; u += 2) system[u] += 1;
  const auto intervals = paired_bootstrap({reference, system}, 0, {2000, 0.95, 7});
  REQUIRE(intervals.size() == 2);
  const PairedInterval& d = intervals[1];
  CHECK(d.difference == Approx(0.5));
  CHECK(d.low < 0.5);
  CHECK(d.high > 0.5);
  const double half_width = 1.96 * 0.5 / std::sqrt(static_cast<double>(users));
  CHECK((d.high - d.low) / 2 == Approx(half_width).epsilon(0.15));
  CHECK(d.low > 0);  // a real gain is told apart from none
  // The reference against itself: nothing, exactly.
  CHECK(intervals[0].difference == 0);
  CHECK(intervals[0].low == 0);
  CHECK(intervals[0].high == 0);
}

TEST_CASE("bootstrap: a zero difference gives an interval around 0") {
  // The same values given to other users: equal means, but each user's difference is not 0.
  const std::vector<double> reference = counts(300, 11);
  std::vector<double> system = reference;
  std::mt19937_64 rng(5);
  std::shuffle(system.begin(), system.end(), rng);
  const PairedInterval d = paired_bootstrap({reference, system}, 0, {1000, 0.95, 1})[1];
  CHECK(d.difference == Approx(0).margin(1e-12));
  CHECK(d.low < 0);
  CHECK(d.high > 0);
  REQUIRE(d.relative);
  CHECK(*d.relative_low < 0);
  CHECK(*d.relative_high > 0);
}

TEST_CASE("bootstrap: ratios, determinism and a reference with no likes") {
  const std::vector<double> reference = counts(50, 2);
  std::vector<double> doubled = reference;
  for (double& v : doubled) v *= 2;
  const auto a = paired_bootstrap({doubled, reference}, 1, {300, 0.9, 4});
  const PairedInterval& d = a[0];
  REQUIRE(d.relative);
  CHECK(*d.relative == Approx(1));
  CHECK(*d.relative_low == Approx(1));  // twice the reference in every resample
  CHECK(*d.relative_high == Approx(1));
  const auto b = paired_bootstrap({doubled, reference}, 1, {300, 0.9, 4});
  CHECK(a[0].low == b[0].low);
  CHECK(a[0].high == b[0].high);
  const auto c = paired_bootstrap({doubled, reference}, 1, {300, 0.9, 5});
  CHECK((a[0].low != c[0].low || a[0].high != c[0].high));

  const std::vector<double> zeros(50, 0.0);
  const PairedInterval none = paired_bootstrap({zeros, reference}, 0, {100, 0.95, 1})[1];
  CHECK_FALSE(none.relative);
  CHECK(none.low > 0);
}

TEST_CASE("bootstrap: refuses what it cannot resample") {
  CHECK_THROWS_AS(paired_bootstrap({}, 0, {}), Error);
  CHECK_THROWS_AS(paired_bootstrap({{}, {}}, 0, {}), Error);
  CHECK_THROWS_AS(paired_bootstrap({{1, 2}, {1}}, 0, {}), Error);
  CHECK_THROWS_AS(paired_bootstrap({{1, 2}}, 1, {}), Error);
  CHECK_THROWS_AS(paired_bootstrap({{1, 2}}, 0, {0, 0.95, 1}), Error);
  CHECK_THROWS_AS(paired_bootstrap({{1, 2}}, 0, {10, 1.0, 1}), Error);
}
