#include "movierec/train/als.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <barrier>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

struct Planted {
  SparseMatrix r;
  Eigen::VectorXd user_bias;
  Eigen::VectorXd movie_bias;
  std::vector<Eigen::Triplet<double>> held_out;  // (user, movie, value) not in r
};

// μ + b_u + b_i + rank-2 taste + noise, about 60% of pairs observed (the rest held out).
Planted planted_ratings(int users, int movies, double bias_scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::bernoulli_distribution observed(0.6);
  Eigen::MatrixXd p(users, 2), q(movies, 2);
  for (double& x : p.reshaped()) x = 0.5 * normal(rng);
  for (double& x : q.reshaped()) x = 0.5 * normal(rng);
  Planted planted;
  planted.user_bias = Eigen::VectorXd::NullaryExpr(users, [&] { return bias_scale * normal(rng); });
  planted.movie_bias =
      Eigen::VectorXd::NullaryExpr(movies, [&] { return bias_scale * normal(rng); });
  std::vector<Eigen::Triplet<double>> triplets;
  for (int u = 0; u < users; ++u) {
    for (int m = 0; m < movies; ++m) {
      const double value = 3.5 + planted.user_bias[u] + planted.movie_bias[m] +
                           p.row(u).dot(q.row(m)) + 0.1 * normal(rng);
      (observed(rng) ? triplets : planted.held_out).emplace_back(u, m, value);
    }
  }
  planted.r.resize(users, movies);
  planted.r.setFromTriplets(triplets.begin(), triplets.end());
  return planted;
}

// The Gram matrices are summed in single precision (als.cpp), so results agree with exact
// double-precision arithmetic to about 1e-6 relative.
constexpr double kFloatTolerance = 1e-5;

AlsOptions options(int k, int iterations, double w0, double lambda, int cg_steps = 0) {
  AlsOptions o;
  o.cg_steps = cg_steps;
  o.k = k;
  o.iterations = iterations;
  o.missing_weight = w0;
  o.regularization = lambda;
  o.bias_regularization = lambda;
  o.seed = 7;
  return o;
}

void check_decreasing(const std::vector<double>& objective) {
  for (std::size_t i = 1; i < objective.size(); ++i) {
    INFO("iteration " << i + 1 << ": " << objective[i] << " after " << objective[i - 1]);
    CHECK(objective[i] <= objective[i - 1] * (1 + 1e-7));
  }
}

}  // namespace

TEST_CASE("weighted ALS: the objective decreases and is what the header defines", "[als]") {
  const SparseMatrix r = planted_ratings(60, 40, 0.5, 1).r;
  for (const int cg_steps : {0, 2}) {
    for (const double w0 : {0.0, 0.1, 1.0}) {
      INFO("w0 = " << w0 << ", conjugate-gradient steps " << cg_steps);
      const AlsFactors f = weighted_als(r, options(4, 10, w0, 0.5, cg_steps));
      REQUIRE(f.objective.size() == 10);
      check_decreasing(f.objective);
      CHECK(f.objective.back() < 0.9 * f.objective.front());
      CHECK(f.objective.back() ==
            Approx(weighted_als_objective(r, f.users, f.movies, w0, 0.5)).epsilon(kFloatTolerance));
    }
  }
}

// The last half-step solved Q given P: q_i = (Pᵀ W_i P + λI)⁻¹ Pᵀ W_i r_i with weight 1 on
// observed entries and w0 on the others (whose value is 0), computed densely.
void check_closed_form(const SparseMatrix& r, const AlsFactors& f, double w0, double lambda) {
  const Eigen::MatrixXd dense(r);
  Eigen::MatrixXd observed = Eigen::MatrixXd::Zero(r.rows(), r.cols());
  for (Eigen::Index row = 0; row < r.rows(); ++row) {
    for (SparseMatrix::InnerIterator it(r, row); it; ++it) observed(row, it.index()) = 1;
  }
  const Eigen::MatrixXd p = f.users;
  const Eigen::Index k = p.cols();
  for (Eigen::Index i = 0; i < r.cols(); ++i) {
    const Eigen::VectorXd weights = (w0 + (1 - w0) * observed.col(i).array()).matrix();
    const Eigen::MatrixXd a =
        p.transpose() * weights.asDiagonal() * p + lambda * Eigen::MatrixXd::Identity(k, k);
    const Eigen::VectorXd b = p.transpose() * weights.asDiagonal() * dense.col(i);
    const Eigen::VectorXd expected = a.ldlt().solve(b);
    INFO("movie " << i);
    CHECK((f.movies.row(i).transpose() - expected).norm() <
          kFloatTolerance * (1 + expected.norm()));
  }
}

TEST_CASE("weighted ALS with frequency-scaled regularisation: rows and objective", "[als]") {
  // ν = 1: each movie row's penalty is λ·(its ratings + w0·users); the last half-step's rows
  // are the dense closed form with that penalty, and the objective is the header's.
  const SparseMatrix r = planted_ratings(30, 12, 0.5, 6).r;
  const double w0 = 0.2, lambda = 0.05;
  AlsOptions o = options(3, 6, w0, lambda);
  o.regularization_exponent = 1;
  const AlsFactors f = weighted_als(r, o);
  check_decreasing(f.objective);
  CHECK(
      f.objective.back() ==
      Approx(weighted_als_objective(r, f.users, f.movies, w0, lambda, 1)).epsilon(kFloatTolerance));
  // ν = 1 is not ν = 0: the objectives of the same factors differ.
  CHECK(weighted_als_objective(r, f.users, f.movies, w0, lambda, 1) !=
        Approx(weighted_als_objective(r, f.users, f.movies, w0, lambda, 0)));
  const Eigen::MatrixXd dense(r);
  const SparseMatrix columns = r.transpose();
  const Eigen::MatrixXd p = f.users;
  for (Eigen::Index i = 0; i < r.cols(); ++i) {
    Eigen::VectorXd weights = Eigen::VectorXd::Constant(r.rows(), w0);
    double ratings = 0;
    for (SparseMatrix::InnerIterator it(columns, i); it; ++it) {
      weights[it.index()] = 1;
      ratings += 1;
    }
    const double penalty = lambda * (ratings + w0 * static_cast<double>(r.rows()));
    const Eigen::MatrixXd a =
        p.transpose() * weights.asDiagonal() * p + penalty * Eigen::MatrixXd::Identity(3, 3);
    const Eigen::VectorXd expected =
        a.ldlt().solve(p.transpose() * weights.asDiagonal() * dense.col(i));
    INFO("movie " << i);
    CHECK((f.movies.row(i).transpose() - expected).norm() <
          kFloatTolerance * (1 + expected.norm()));
  }
  o.regularization_exponent = 1.5;
  CHECK_THROWS_WITH(weighted_als(r, o), Catch::Contains("als_regularization_exponent"));
}

TEST_CASE("weighted ALS: each movie row is the dense closed-form solution", "[als]") {
  const SparseMatrix r = planted_ratings(30, 12, 0.5, 2).r;
  check_closed_form(r, weighted_als(r, options(3, 4, 0.3, 0.7)), 0.3, 0.7);
  check_closed_form(r, weighted_als(r, options(3, 4, 0.0, 0.7)), 0.0, 0.7);
  // Conjugate gradients solve a k x k system exactly in k steps (up to rounding).
  check_closed_form(r, weighted_als(r, options(3, 4, 0.3, 0.7, 3)), 0.3, 0.7);
}

// The conjugate-gradient passes read each rating's row padded to whole vectors of 8 floats,
// with a code path per length up to 4 vectors and one for longer rows (als.cpp): every length,
// with and without the bias column, still reaches the closed-form rows given enough steps.
TEST_CASE("conjugate gradients reach the closed-form rows at every row length", "[als]") {
  const Planted planted = planted_ratings(90, 50, 0.5, 6);
  for (const int k : {1, 7, 8, 9, 16, 20, 23, 24, 31, 32, 33, 41}) {
    INFO("k = " << k);
    check_closed_form(planted.r, weighted_als(planted.r, options(k, 2, 0.3, 0.7, 3 * k)), 0.3,
                      0.7);
    const BiasedFactors exact = biased_als(planted.r, options(k, 2, 0.0, 0.7));
    const BiasedFactors cg = biased_als(planted.r, options(k, 2, 0.0, 0.7, 3 * k));
    CHECK(cg.objective.back() == Approx(exact.objective.back()).epsilon(kFloatTolerance));
    CHECK((cg.movies - exact.movies).norm() < kFloatTolerance * (1 + exact.movies.norm()));
    CHECK((cg.movie_bias - exact.movie_bias).norm() <
          kFloatTolerance * (1 + exact.movie_bias.norm()));
  }
}

// Stars are exact in single precision, so the movie half-step reads them from a 4-byte copy of
// Rᵀ (als.cpp, RatingRows): the same solutions and objective.
TEST_CASE("ALS on stars is the closed-form solution too", "[als]") {
  SparseMatrix r = planted_ratings(30, 12, 0.5, 5).r;
  for (Eigen::Index at = 0; at < r.nonZeros(); ++at) {
    r.valuePtr()[at] = std::clamp(std::round(2 * r.valuePtr()[at]) / 2, 0.5, 5.0);
  }
  const AlsFactors f = weighted_als(r, options(3, 4, 0.3, 0.7));
  check_closed_form(r, f, 0.3, 0.7);
  CHECK(f.objective.back() ==
        Approx(weighted_als_objective(r, f.users, f.movies, 0.3, 0.7)).epsilon(kFloatTolerance));
  const BiasedFactors b = biased_als(r, options(3, 6, 0.0, 0.5));
  CHECK(b.objective.back() ==
        Approx(biased_als_objective(r, b, 0.5, 0.5)).epsilon(kFloatTolerance));
}

TEST_CASE("weighted ALS with w0 = 1 and λ -> 0 reaches the rank-k SVD error", "[als]") {
  const Planted planted = planted_ratings(40, 25, 0.5, 3);
  const Eigen::MatrixXd dense(planted.r);
  const Eigen::VectorXd s = Eigen::JacobiSVD<Eigen::MatrixXd>(dense).singularValues();
  const int k = 3;
  const double tail = s.tail(s.size() - k).squaredNorm();  // Eckart–Young: the best error
  const AlsFactors f = weighted_als(planted.r, options(k, 300, 1.0, 1e-9));
  const Eigen::MatrixXd approx = f.users * f.movies.transpose();
  CHECK((dense - approx).squaredNorm() == Approx(tail).epsilon(kFloatTolerance));
  CHECK(f.objective.back() == Approx(tail).epsilon(kFloatTolerance));
}

TEST_CASE("weighted ALS is deterministic for a seed", "[als]") {
  const SparseMatrix r = planted_ratings(50, 30, 0.5, 4).r;
  AlsOptions o = options(5, 3, 0.1, 1.0);
  const AlsFactors a = weighted_als(r, o);
  const AlsFactors b = weighted_als(r, o);
  CHECK(a.users == b.users);
  CHECK(a.movies == b.movies);
  CHECK(a.objective == b.objective);
  o.seed = 8;
  CHECK(weighted_als(r, o).movies != a.movies);
}

TEST_CASE("biased ALS recovers planted biases and beats the global mean", "[als]") {
  const Planted planted = planted_ratings(300, 120, 0.7, 5);
  const AlsOptions o = options(2, 15, 0.0, 0.5);
  const BiasedFactors f = biased_als(planted.r, o);
  check_decreasing(f.objective);
  const BiasedFactors cg = biased_als(planted.r, options(2, 15, 0.0, 0.5, 2));
  check_decreasing(cg.objective);
  CHECK(cg.objective.back() ==
        Approx(biased_als_objective(planted.r, cg, 0.5, 0.5)).epsilon(kFloatTolerance));
  CHECK(cg.objective.back() == Approx(f.objective.back()).epsilon(0.01));
  CHECK(f.objective.back() ==
        Approx(biased_als_objective(planted.r, f, 0.5, 0.5)).epsilon(kFloatTolerance));
  CHECK(f.global_mean ==
        Approx(Eigen::MatrixXd(planted.r).sum() / static_cast<double>(planted.r.nonZeros())));
  const auto correlation = [](const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    const Eigen::ArrayXd x = a.array() - a.mean();
    const Eigen::ArrayXd y = b.array() - b.mean();
    return (x * y).sum() / std::sqrt((x * x).sum() * (y * y).sum());
  };
  CHECK(correlation(f.user_bias, planted.user_bias) > 0.97);
  CHECK(correlation(f.movie_bias, planted.movie_bias) > 0.97);

  double model = 0;
  double baseline = 0;
  for (const auto& t : planted.held_out) {
    const double predicted = f.global_mean + f.user_bias[t.row()] + f.movie_bias[t.col()] +
                             f.users.row(t.row()).dot(f.movies.row(t.col()));
    model += (predicted - t.value()) * (predicted - t.value());
    baseline += (f.global_mean - t.value()) * (f.global_mean - t.value());
  }
  const auto n = static_cast<double>(planted.held_out.size());
  INFO("held-out RMSE " << std::sqrt(model / n) << " vs global mean " << std::sqrt(baseline / n));
  CHECK(std::sqrt(model / n) < 0.25);  // noise 0.1 plus the fitting error
  CHECK(std::sqrt(model / n) < 0.3 * std::sqrt(baseline / n));
}

TEST_CASE("ALS refuses empty matrices and options out of range", "[als]") {
  const SparseMatrix r = planted_ratings(10, 8, 0.5, 6).r;
  CHECK_THROWS_WITH(weighted_als(SparseMatrix(3, 3), options(2, 1, 0.1, 1)),
                    Catch::Contains("empty matrix"));
  CHECK_THROWS_WITH(weighted_als(r, options(2, 1, 0.1, 0)),
                    Catch::Contains("train.als_regularization"));
  CHECK_THROWS_WITH(weighted_als(r, options(2, 0, 0.1, 1)),
                    Catch::Contains("train.als_iterations"));
  CHECK_THROWS_WITH(weighted_als(r, options(0, 1, 0.1, 1)), Catch::Contains("train.k"));
  // 10 users x 8 movies: k up to 8, as for SVD (there, up to 7).
  CHECK_THROWS_WITH(weighted_als(r, options(9, 1, 0.1, 1)),
                    Catch::Contains("train.k = 9 is out of range for a 10 x 8 matrix: k must be "
                                    "from 1 to 8"));
  CHECK_THROWS_WITH(biased_als(r, options(9, 1, 0.1, 1)), Catch::Contains("train.k = 9"));
  CHECK_NOTHROW(weighted_als(r, options(8, 1, 0.1, 1)));
  CHECK_THROWS_WITH(weighted_als(r, options(2, 1, 0.1, 1, -1)),
                    Catch::Contains("train.als_cg_steps"));
  CHECK_THROWS_WITH(weighted_als(r, options(2, 1, 1.5, 1)),
                    Catch::Contains("train.als_missing_weight"));
  SparseMatrix bad = r;
  bad.valuePtr()[0] = std::nan("");
  CHECK_THROWS_WITH(biased_als(bad, options(2, 1, 0, 1)), Catch::Contains("NaN"));
}

namespace {

// Processes played by threads: share_rows and sum meet at a barrier, as MPI's collectives do
// (distributed.cpp), so the partitioned ALS is tested without mpirun.
struct ThreadMeeting {
  explicit ThreadMeeting(int n) : barrier(n), sums(static_cast<std::size_t>(n)) {}
  std::barrier<> barrier;
  RowMatrixXd side;
  std::vector<double> sums;
};

class ThreadExchange final : public AlsExchange {
 public:
  ThreadExchange(ThreadMeeting& meeting, int rank) : meeting_(meeting), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(meeting_.sums.size()); }
  void share_rows(RowMatrixXd& side, const std::vector<Eigen::Index>& bounds) override {
    if (rank_ == 0) meeting_.side.resize(side.rows(), side.cols());
    meeting_.barrier.arrive_and_wait();
    const auto mine = static_cast<std::size_t>(rank_);
    const Eigen::Index first = bounds[mine];
    meeting_.side.middleRows(first, bounds[mine + 1] - first) =
        side.middleRows(first, bounds[mine + 1] - first);
    meeting_.barrier.arrive_and_wait();
    side = meeting_.side;
    meeting_.barrier.arrive_and_wait();
  }
  double sum(double local) override {
    meeting_.sums[static_cast<std::size_t>(rank_)] = local;
    meeting_.barrier.arrive_and_wait();
    double total = 0;
    for (const double part : meeting_.sums) total += part;
    meeting_.barrier.arrive_and_wait();
    return total;
  }

 private:
  ThreadMeeting& meeting_;
  int rank_;
};

// Process p's share of R: the entries of its users' rows and of its movies' columns, nothing
// else (what train_svd under mpirun reads: read_rating_share).
SparseMatrix share_of(const SparseMatrix& r, const AlsPartition& partition, int p) {
  const auto at = static_cast<std::size_t>(p);
  std::vector<Eigen::Triplet<double>> kept;
  for (Eigen::Index row = 0; row < r.rows(); ++row) {
    for (SparseMatrix::InnerIterator it(r, row); it; ++it) {
      if ((row >= partition.user_bounds[at] && row < partition.user_bounds[at + 1]) ||
          (it.index() >= partition.movie_bounds[at] &&
           it.index() < partition.movie_bounds[at + 1])) {
        kept.emplace_back(row, it.index(), it.value());
      }
    }
  }
  SparseMatrix share(r.rows(), r.cols());
  share.setFromTriplets(kept.begin(), kept.end());
  return share;
}

// Runs `fit(share, partition)` on n threads, one per simulated process, each given only its
// share of R; returns each one's result.
template <typename Fit>
auto on_processes(const SparseMatrix& r, int n, Fit fit) {
  ThreadMeeting meeting(n);
  std::vector<ThreadExchange> exchanges;
  for (int p = 0; p < n; ++p) exchanges.emplace_back(meeting, p);
  std::vector<decltype(fit(r, AlsPartition{}))> results(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  for (int p = 0; p < n; ++p) {
    threads.emplace_back([&, p] {
      const auto at = static_cast<std::size_t>(p);
      const AlsPartition partition{balanced_bounds(r, n),
                                   balanced_bounds(SparseMatrix(r.transpose()), n), &exchanges[at]};
      const SparseMatrix share = share_of(r, partition, p);
      CHECK(share.nonZeros() < r.nonZeros());  // it never sees the whole matrix
      results[at] = fit(share, partition);
    });
  }
  for (std::thread& thread : threads) thread.join();
  return results;
}

}  // namespace

TEST_CASE("balanced_bounds cuts rows into blocks of about equal ratings", "[als]") {
  const SparseMatrix r = planted_ratings(50, 30, 0.5, 3).r;
  for (const int parts : {1, 2, 3, 7}) {
    const std::vector<Eigen::Index> bounds = balanced_bounds(r, parts);
    REQUIRE(bounds.size() == static_cast<std::size_t>(parts) + 1);
    CHECK(bounds.front() == 0);
    CHECK(bounds.back() == r.rows());
    CHECK(std::is_sorted(bounds.begin(), bounds.end()));
    for (int p = 0; p < parts; ++p) {
      const int ratings = r.outerIndexPtr()[bounds[static_cast<std::size_t>(p) + 1]] -
                          r.outerIndexPtr()[bounds[static_cast<std::size_t>(p)]];
      // Within one row's ratings (at most 30 here) of an equal share.
      CHECK(std::abs(ratings - static_cast<double>(r.nonZeros()) / parts) <= 30);
    }
  }
}

TEST_CASE(
    "ALS on several processes, each given its share of R, gives the rows of ALS on one, "
    "bit for bit",
    "[als]") {
  const SparseMatrix r = planted_ratings(41, 23, 0.5, 8).r;
  // Star-like values (halves): their mean is exact in any summation order.
  const SparseMatrix stars = r.unaryExpr([](double v) { return std::round(2 * v) / 2; });
  AlsOptions weighted = options(3, 4, 0.2, 0.5);
  weighted.regularization_exponent = 0.5;  // each row's penalty needs the whole row counts
  const AlsFactors alone = weighted_als(r, weighted);
  const BiasedFactors biased_alone = biased_als(stars, options(3, 4, 0, 0.5));
  for (const int n : {2, 3}) {
    INFO(n << " processes");
    const auto shared =
        on_processes(r, n, [&](const SparseMatrix& share, const AlsPartition& partition) {
          return weighted_als(share, weighted, partition);
        });
    const auto biased =
        on_processes(stars, n, [&](const SparseMatrix& share, const AlsPartition& partition) {
          return biased_als(share, options(3, 4, 0, 0.5), partition);
        });
    for (int p = 0; p < n; ++p) {
      const auto at = static_cast<std::size_t>(p);
      CHECK(shared[at].users == alone.users);
      CHECK(shared[at].movies == alone.movies);
      REQUIRE(shared[at].objective.size() == alone.objective.size());
      for (std::size_t i = 0; i < alone.objective.size(); ++i) {
        CHECK(shared[at].objective[i] == Approx(alone.objective[i]).epsilon(1e-12));
      }
      CHECK(biased[at].users == biased_alone.users);
      CHECK(biased[at].movie_bias == biased_alone.movie_bias);
      CHECK(biased[at].global_mean == biased_alone.global_mean);
    }
  }
}

TEST_CASE("ALS refuses row blocks that do not cover the matrix", "[als]") {
  const SparseMatrix r = planted_ratings(10, 8, 0.5, 6).r;
  ThreadMeeting meeting(1);
  ThreadExchange exchange(meeting, 0);
  CHECK_THROWS_WITH(weighted_als(r, options(2, 1, 0.1, 1), AlsPartition{{0, 9}, {0, 8}, &exchange}),
                    Catch::Contains("do not cover"));
  CHECK_THROWS_WITH(weighted_als(r, options(2, 1, 0.1, 1), AlsPartition{{0, 10}, {0, 8}, nullptr}),
                    Catch::Contains("do not cover"));
}
