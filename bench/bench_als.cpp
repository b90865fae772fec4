// Times ALS (als.hpp) on a random users x movies matrix built in memory, so that the solver's
// own cost is measured without train_svd's file reading. Movies are drawn with Zipf-like
// popularity, as in MovieLens, which makes the movie rows long and the user rows short.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "movierec/train/als.hpp"
#include "movierec/io/random.hpp"
#include "program.hpp"

namespace {

struct BenchOptions {
  long ratings = 1'000'000;
  long users = 10'000;
  long movies = 5'000;
  int k = 20;
  int iterations = 12;
  double missing_weight = 0.1;
  double regularization = 1.0;
  int cg_steps = 0;
  bool biased = false;
  std::uint64_t seed = 1;
};

movierec::SparseMatrix random_matrix(const BenchOptions& options) {
  std::mt19937_64 rng(options.seed);
  // Popularity of movie m proportional to (m + 30)^-1.2, the shape make_synthetic uses.
  std::vector<double> cumulative(static_cast<std::size_t>(options.movies));
  double total = 0;
  for (long m = 0; m < options.movies; ++m) {
    total += std::pow(static_cast<double>(m) + 30.0, -1.2);
    cumulative[static_cast<std::size_t>(m)] = total;
  }
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(static_cast<std::size_t>(options.ratings));
  for (long i = 0; i < options.ratings; ++i) {
    const auto user = static_cast<long>(rng() % static_cast<std::uint64_t>(options.users));
    const double draw = movierec::uniform01(rng) * total;
    const auto movie =
        std::lower_bound(cumulative.begin(), cumulative.end(), draw) - cumulative.begin();
    triplets.emplace_back(user, movie, 1.0 + std::floor(movierec::uniform01(rng) * 5.0));
  }
  movierec::SparseMatrix r(options.users, options.movies);
  // Repeated pairs keep one value, as a user rates a movie once.
  r.setFromTriplets(triplets.begin(), triplets.end(), [](double a, double) { return a; });
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions options;
  CLI::App app{"Times weighted or biased ALS on a random sparse matrix (no files read)."};
  app.add_option("--ratings", options.ratings, "ratings drawn")->capture_default_str();
  app.add_option("--users", options.users, "users (rows)")->capture_default_str();
  app.add_option("--movies", options.movies, "movies (columns)")->capture_default_str();
  app.add_option("--k", options.k, "latent dimensions")->capture_default_str();
  app.add_option("--iterations", options.iterations, "ALS iterations")->capture_default_str();
  app.add_option("--missing-weight", options.missing_weight, "w0")->capture_default_str();
  app.add_option("--regularization", options.regularization, "λ")->capture_default_str();
  app.add_option("--cg-steps", options.cg_steps, "conjugate-gradient steps (0: exact)")
      ->capture_default_str();
  app.add_flag("--biased", options.biased, "biased ALS instead of weighted");
  app.add_option("--seed", options.seed, "random seed")->capture_default_str();
  return movierec::run_program(app, argc, argv, [&] {
    const movierec::SparseMatrix r = random_matrix(options);
    movierec::AlsOptions als;
    als.k = options.k;
    als.iterations = options.iterations;
    als.missing_weight = options.missing_weight;
    als.regularization = options.regularization;
    als.bias_regularization = options.regularization;
    als.seed = options.seed;
    als.cg_steps = options.cg_steps;
    const auto start = std::chrono::steady_clock::now();
    const std::vector<double> objective = options.biased ? movierec::biased_als(r, als).objective
                                                         : movierec::weighted_als(r, als).objective;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "%ld x %ld, %ld ratings, k %d, %d iterations (%s, cg steps %d): %.2f s, %.3f s per "
        "iteration; "
        "objective %.6g -> %.6g\n",
        static_cast<long>(r.rows()), static_cast<long>(r.cols()), static_cast<long>(r.nonZeros()),
        options.k, options.iterations, options.biased ? "biased" : "weighted", options.cg_steps,
        seconds, seconds / options.iterations, objective.front(), objective.back());
    return 0;
  });
}
