// Random numbers that are the same on every standard library: std::uniform_real_distribution and
// std::normal_distribution are implementation-defined, so sessions and trainings seeded alike
// would differ between compilers. Everything here is computed from std::mt19937_64's raw draws.
#pragma once

#include <cstddef>
#include <random>

namespace movierec {

// A uniform in [0, 1) from the top 53 bits of one draw (exact in a double).
double uniform01(std::mt19937_64& rng);

// n independent standard normals N(0, 1) by the Box-Muller transform, two per pair of uniform
// draws (for odd n the last pair's second normal is dropped): exactly 2 * ceil(n / 2) draws.
void standard_normals(std::mt19937_64& rng, double* out, std::size_t n);

}  // namespace movierec
