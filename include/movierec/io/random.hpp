// Random numbers that are the same on every standard library: std::uniform_real_distribution and
// std::normal_distribution are implementation-defined, so sessions and trainings seeded alike
// would differ between compilers. Everything here is computed from std::mt19937_64's raw draws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

namespace movierec {

// splitmix64 (Steele, Lea and Flood 2014): a fixed, portable mix of 64 bits, for deriving seeds.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A uniform in [0, 1) from the top 53 bits of one draw (exact in a double).
double uniform01(std::mt19937_64& rng);

// n independent standard normals N(0, 1) by the Box-Muller transform, two per pair of uniform
// draws (for odd n the last pair's second normal is dropped): exactly 2 * ceil(n / 2) draws.
void standard_normals(std::mt19937_64& rng, double* out, std::size_t n);

}  // namespace movierec
