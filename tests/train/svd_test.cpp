#include "movierec/train/svd.hpp"

#include <Eigen/SVD>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "movierec/io/error.hpp"

using movierec::SparseMatrix;
using movierec::SvdOptions;
using movierec::SvdResult;
using movierec::truncated_svd;

namespace {

// A random sparse matrix with about `density` of its entries set to values in [-2, 2].
SparseMatrix random_sparse(int rows, int cols, double density, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(-2.0, 2.0);
  std::bernoulli_distribution present(density);
  std::vector<Eigen::Triplet<double>> entries;
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) {
      if (present(rng)) entries.emplace_back(i, j, value(rng));
    }
  }
  SparseMatrix a(rows, cols);
  a.setFromTriplets(entries.begin(), entries.end());
  return a;
}

// Rows that are multiples of `rank` random sparse rows: rank at most `rank`.
SparseMatrix low_rank_sparse(int rows, int cols, int rank, unsigned seed) {
  const Eigen::MatrixXd base = Eigen::MatrixXd(random_sparse(rank, cols, 0.4, seed));
  std::mt19937 rng(seed + 1);
  std::uniform_real_distribution<double> scale(0.5, 3.0);
  Eigen::MatrixXd dense(rows, cols);
  for (int i = 0; i < rows; ++i) dense.row(i) = scale(rng) * base.row(i % rank);
  return dense.sparseView();
}

// Checks `result` against a dense reference SVD of `a`: singular values to 1e-4 relative
// (singular values that are 0 in exact arithmetic come out as rounding noise, so they are held
// to a small multiple of the largest one instead), orthonormal U and V, and A·v = σ·u. The
// reference is Eigen's JacobiSVD, as in the other train tests: exact at these sizes, and
// compiling BDCSVD alone cost 20 s of CPU per build.
void check_against_dense(const SparseMatrix& a, const SvdResult& result, int k) {
  const Eigen::MatrixXd dense(a);
  const Eigen::VectorXd reference = Eigen::JacobiSVD<Eigen::MatrixXd>(dense).singularValues();
  const double sigma_max = reference[0];
  REQUIRE(result.singular_values.size() == k);
  REQUIRE(result.u.rows() == a.rows());
  REQUIRE(result.u.cols() == k);
  REQUIRE(result.v.rows() == a.cols());
  REQUIRE(result.v.cols() == k);
  for (int j = 0; j < k; ++j) {
    INFO("singular value " << j << ": " << result.singular_values[j] << " vs " << reference[j]);
    CHECK(std::abs(result.singular_values[j] - reference[j]) <=
          1e-4 * reference[j] + 1e-6 * sigma_max);
    if (j > 0) CHECK(result.singular_values[j] <= result.singular_values[j - 1]);
  }
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(k, k);
  CHECK((result.u.transpose() * result.u - identity).cwiseAbs().maxCoeff() < 1e-10);
  CHECK((result.v.transpose() * result.v - identity).cwiseAbs().maxCoeff() < 1e-10);
  const Eigen::MatrixXd av = dense * result.v;
  for (int j = 0; j < k; ++j) {
    INFO("triplet " << j);
    CHECK((av.col(j) - result.singular_values[j] * result.u.col(j)).norm() < 1e-6 * sigma_max);
  }
}

}  // namespace

TEST_CASE("truncated SVD agrees with a dense SVD on tall, wide and square matrices", "[svd]") {
  struct Case {
    int rows, cols, k;
    double density;
  };
  for (const Case c : {Case{80, 30, 5, 0.3}, Case{30, 90, 8, 0.25}, Case{50, 50, 12, 0.2},
                       Case{200, 120, 20, 0.05}, Case{40, 15, 1, 0.5}}) {
    INFO(c.rows << " x " << c.cols << ", k = " << c.k);
    const SparseMatrix a = random_sparse(c.rows, c.cols, c.density, 7u + c.rows);
    check_against_dense(a, truncated_svd(a, c.k), c.k);
  }
}

TEST_CASE("truncated SVD handles k at the largest allowed value", "[svd]") {
  const SparseMatrix tall = random_sparse(40, 12, 0.4, 3);
  check_against_dense(tall, truncated_svd(tall, 11), 11);
  const SparseMatrix wide = random_sparse(9, 33, 0.4, 4);
  check_against_dense(wide, truncated_svd(wide, 8), 8);
}

TEST_CASE("truncated SVD of a rank-deficient matrix gives zeros beyond the rank", "[svd]") {
  const SparseMatrix a = low_rank_sparse(60, 25, 3, 11);
  const SvdResult result = truncated_svd(a, 6);
  check_against_dense(a, result, 6);
  CHECK(result.singular_values[2] > 1e-3 * result.singular_values[0]);
  for (int j = 3; j < 6; ++j) CHECK(result.singular_values[j] < 1e-6 * result.singular_values[0]);
}

TEST_CASE("truncated SVD of a matrix with empty rows and columns", "[svd]") {
  Eigen::MatrixXd dense(random_sparse(30, 20, 0.3, 5));
  dense.row(4).setZero();
  dense.col(7).setZero();
  const SparseMatrix holes = dense.sparseView();
  check_against_dense(holes, truncated_svd(holes, 6), 6);
}

TEST_CASE("truncated SVD splits large products into chunks without changing the result", "[svd]") {
  // Enough nonzeros for two chunks; few columns keep the dense reference cheap.
  const SparseMatrix a = random_sparse(9500, 60, 0.95, 21);
  REQUIRE(a.nonZeros() > 530000);
  const SvdResult result = truncated_svd(a, 10);
  check_against_dense(a, result, 10);
  CHECK(result.products > 0);
}

TEST_CASE("truncated SVD is deterministic", "[svd]") {
  const SparseMatrix a = random_sparse(120, 70, 0.2, 9);
  const SvdResult first = truncated_svd(a, 10);
  const SvdResult second = truncated_svd(a, 10);
  CHECK(first.singular_values == second.singular_values);
  CHECK(first.u == second.u);
  CHECK(first.v == second.v);
}

TEST_CASE("truncated SVD reports progress in matrix-vector products", "[svd]") {
  const SparseMatrix a = random_sparse(60, 40, 0.3, 13);
  std::vector<std::size_t> seen;
  SvdOptions options;
  options.progress = [&](std::size_t products) { seen.push_back(products); };
  const SvdResult result = truncated_svd(a, 5, options);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == result.products);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
}

TEST_CASE("truncated SVD refuses k out of range, naming the largest k", "[svd]") {
  const SparseMatrix a = random_sparse(30, 10, 0.5, 1);
  CHECK_THROWS_WITH(truncated_svd(a, 10), Catch::Contains("from 1 to 9"));
  CHECK_THROWS_WITH(truncated_svd(a, 0), Catch::Contains("from 1 to 9"));
  CHECK_THROWS_WITH(truncated_svd(a, -3), Catch::Contains("k = -3"));
  CHECK_THROWS_AS(truncated_svd(a, 50), movierec::Error);
}

TEST_CASE("truncated SVD refuses empty, degenerate and non-finite matrices", "[svd]") {
  CHECK_THROWS_WITH(truncated_svd(SparseMatrix(0, 0), 1), Catch::Contains("empty"));
  CHECK_THROWS_WITH(truncated_svd(SparseMatrix(20, 10), 2), Catch::Contains("empty"));
  const SparseMatrix one_row = random_sparse(1, 10, 1.0, 2);
  CHECK_THROWS_WITH(truncated_svd(one_row, 1), Catch::Contains("at least 2 rows and 2 columns"));
  SparseMatrix zeros(5, 5);
  zeros.insert(1, 2) = 0.0;
  zeros.makeCompressed();
  CHECK_THROWS_WITH(truncated_svd(zeros, 1), Catch::Contains("all 0"));
  SparseMatrix bad = random_sparse(10, 10, 0.5, 3);
  bad.coeffRef(2, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(truncated_svd(bad, 2), Catch::Contains("NaN"));
}

TEST_CASE("truncated SVD reports a failure to converge", "[svd]") {
  const SparseMatrix a = random_sparse(300, 200, 0.1, 17);
  SvdOptions options;
  options.max_iterations = 1;
  options.tolerance = 1e-14;
  CHECK_THROWS_WITH(truncated_svd(a, 40, options), Catch::Contains("did not converge"));
}
