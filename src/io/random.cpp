#include "movierec/io/random.hpp"

#include <cmath>
#include <numbers>

namespace movierec {

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

void standard_normals(std::mt19937_64& rng, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 2) {
    // 1 - uniform lies in (0, 1], so the logarithm is finite.
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform01(rng)));
    const double angle = 2.0 * std::numbers::pi * uniform01(rng);
    out[i] = radius * std::cos(angle);
    if (i + 1 < n) out[i + 1] = radius * std::sin(angle);
  }
}

}  // namespace movierec
