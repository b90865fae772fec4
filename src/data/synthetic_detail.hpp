// Shared by the synthetic data set's sources (synthetic.cpp draws the model, synthetic_ratings.cpp
// the ratings): seeded generators and MovieLens' genres. Not part of the library's interface.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>

#include "movierec/io/random.hpp"

namespace movierec::synthetic_detail {

// Each user and movie gets its own generator, keyed by (seed, stream, index), so that a draw
// never depends on how many draws came before it elsewhere (sizes, tags on or off).
enum Stream : std::uint64_t {
  kGenreStream = 1,
  kRankStream,
  kMovieStream,
  kUserStream,
  kRatingStream,
  kTagStream
};

// std::mt19937_64's sequence is fixed by the standard, but the standard distributions are not,
// so uniform and normal variates are made here: the same seed gives the same files everywhere.
class Random {
 public:
  Random(int seed, Stream stream, std::size_t index)
      : engine_(splitmix64(splitmix64(static_cast<std::uint64_t>(seed)) ^
                           splitmix64((static_cast<std::uint64_t>(stream) << 40) + index))) {}

  double uniform() { return uniform01(engine_); }  // [0, 1)
  double open_uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }
  std::size_t below(std::size_t n) {
    return static_cast<std::size_t>(uniform() * static_cast<double>(n));
  }
  double normal() {  // Box-Muller; the second variate is dropped to keep the code simple
    return std::sqrt(-2.0 * std::log(open_uniform())) * std::cos(2.0 * M_PI * uniform());
  }

 private:
  std::mt19937_64 engine_;
};

// Genre names in ml-latest-small's order of frequency, with the share of movies carrying each.
struct GenreBase {
  const char* name;
  double share;
  const char* tag;  // a tag people give movies of the genre
};
inline constexpr std::array<GenreBase, 19> kGenres = {{
    {"Drama", 0.39, "emotional"},
    {"Comedy", 0.33, "funny"},
    {"Thriller", 0.19, "suspense"},
    {"Romance", 0.16, "romantic"},
    {"Action", 0.15, "explosions"},
    {"Adventure", 0.11, "journey"},
    {"Crime", 0.11, "heist"},
    {"Sci-Fi", 0.10, "space"},
    {"Horror", 0.09, "scary"},
    {"Fantasy", 0.08, "magic"},
    {"Children", 0.063, "family"},
    {"Mystery", 0.058, "whodunit"},
    {"Animation", 0.056, "animated"},
    {"War", 0.039, "battle"},
    {"Documentary", 0.037, "true story"},
    {"Musical", 0.034, "songs"},
    {"Western", 0.017, "cowboys"},
    {"IMAX", 0.016, "imax"},
    {"Film-Noir", 0.009, "noir"},
}};

inline double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace movierec::synthetic_detail
