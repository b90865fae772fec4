// Item-item baselines on matrices small enough to check by hand: EASE's closed form against a
// direct constrained solve, item-kNN's shrinkage and neighbourhoods, RP3beta on a 3-movie graph,
// and the fold-in of a profile with a dislike.
#include "movierec/measure/item_models.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

SparseMatrix binary(int rows, int cols, const std::vector<std::pair<int, int>>& entries) {
  std::vector<Eigen::Triplet<double>> triplets;
  for (const auto& [r, c] : entries) triplets.emplace_back(r, c, 1.0);
  SparseMatrix m(rows, cols);
  m.setFromTriplets(triplets.begin(), triplets.end());
  return m;
}

// Four users over three movies:
//   user 0: movies 0, 1     user 1: movies 0, 1, 2     user 2: movies 1, 2     user 3: movie 0
// so XᵀX = [[3, 2, 1], [2, 3, 2], [1, 2, 2]]; movie degrees 3, 3, 2; user degrees 2, 3, 2, 1.
SparseMatrix three_movies() {
  return binary(4, 3, {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 0}});
}

SparseMatrix random_binary(int rows, int cols, double density, unsigned seed) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution rated(density);
  std::vector<std::pair<int, int>> entries;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      if (rated(rng)) entries.emplace_back(r, c);
    }
  }
  return binary(rows, cols, entries);
}

}  // namespace

TEST_CASE("gram matrix of the sparse rows", "[baselines]") {
  const Eigen::MatrixXd gram = gram_matrix(three_movies());
  Eigen::MatrixXd expected(3, 3);
  expected << 3, 2, 1, 2, 3, 2, 1, 2, 2;
  CHECK(gram.isApprox(expected));
  CHECK(column_counts(three_movies()).isApprox(Eigen::Vector3d(3, 3, 2)));
  CHECK(row_counts(three_movies()).isApprox(Eigen::Vector4d(2, 3, 2, 1)));
}

TEST_CASE("EASE: the closed form is the constrained ridge regression solved directly",
          "[baselines]") {
  // Column j of W minimises |X_j - X w|² + λ|w|² with w_j = 0: a ridge regression of movie j
  // on the other movies, solved here with the other columns only.
  const SparseMatrix x = random_binary(40, 7, 0.4, 3);
  const Eigen::MatrixXd dense(x);
  const double lambda = 2.5;
  const RowMatrixXf w = ease_weights(x, lambda);
  REQUIRE(w.rows() == 7);
  for (Eigen::Index j = 0; j < 7; ++j) {
    Eigen::MatrixXd others(dense.rows(), 6);
    for (Eigen::Index c = 0, at = 0; c < 7; ++c) {
      if (c != j) others.col(at++) = dense.col(c);
    }
    const Eigen::VectorXd direct =
        (others.transpose() * others + lambda * Eigen::MatrixXd::Identity(6, 6))
            .ldlt()
            .solve(others.transpose() * dense.col(j));
    CHECK(w(j, j) == 0);
    for (Eigen::Index c = 0, at = 0; c < 7; ++c) {
      if (c == j) continue;
      INFO("W[" << c << "][" << j << "]");
      CHECK(w(c, j) == Approx(direct[at++]).margin(1e-6));
    }
  }
  CHECK_THROWS_AS(ease_weights(x, 0), Error);
}

TEST_CASE("item-kNN: cosine with shrinkage, K nearest per column", "[baselines]") {
  const SparseMatrix x = three_movies();
  // s_ij = c_ij / (sqrt(c_ii c_jj) + h), h = 1.
  const double s01 = 2.0 / (3 + 1), s02 = 1.0 / (std::sqrt(6.0) + 1),
               s12 = 2.0 / (std::sqrt(6.0) + 1);
  const RowMatrixXf all = knn_weights(x, 10, 1.0);
  CHECK(all(0, 1) == Approx(s01));
  CHECK(all(1, 0) == Approx(s01));
  CHECK(all(0, 2) == Approx(s02));
  CHECK(all(2, 1) == Approx(s12));
  CHECK(all.diagonal().isZero());
  // Shrinkage pulls rarely co-rated pairs down more: without it s02 = 1/sqrt(6).
  CHECK(knn_weights(x, 10, 0.0)(0, 2) == Approx(1.0 / std::sqrt(6.0)));
  // One neighbour per column: movie 0's nearest is 1 (0.5 > 0.29), movie 1's is 2 (0.58 >
  // 0.5), movie 2's is 1.
  const RowMatrixXf one = knn_weights(x, 1, 1.0);
  RowMatrixXf expected = RowMatrixXf::Zero(3, 3);
  expected(1, 0) = static_cast<float>(s01);
  expected(2, 1) = static_cast<float>(s12);
  expected(1, 2) = static_cast<float>(s12);
  CHECK(one.isApprox(expected));
  CHECK_THROWS_AS(knn_weights(x, 0, 1.0), Error);
  CHECK_THROWS_AS(knn_weights(x, 3, -1.0), Error);
}

TEST_CASE("RP3beta on a 3-movie graph", "[baselines]") {
  const SparseMatrix x = three_movies();
  // W_ij = deg(i)^-α Σ_u x_ui x_uj deg(u)^-α deg(j)^-β; with α = 1, β = 0.5:
  const RowMatrixXf w = rp3beta_weights(x, 1.0, 0.5);
  const double to01 = (1.0 / 2 + 1.0 / 3);  // users 0 and 1 rated movies 0 and 1
  CHECK(w(0, 1) == Approx(to01 / 3 / std::sqrt(3.0)));
  CHECK(w(1, 0) == Approx(to01 / 3 / std::sqrt(3.0)));
  CHECK(w(0, 2) == Approx((1.0 / 3) / 3 / std::sqrt(2.0)));
  CHECK(w(2, 0) == Approx((1.0 / 3) / 2 / std::sqrt(3.0)));
  CHECK(w(1, 2) == Approx((1.0 / 3 + 1.0 / 2) / 3 / std::sqrt(2.0)));
  CHECK(w(2, 1) == Approx((1.0 / 3 + 1.0 / 2) / 2 / std::sqrt(3.0)));
  CHECK(w.diagonal().isZero());
  // α = 1, β = 0 is the plain two-step walk movie -> user -> movie: each row, with the walk's
  // return to its own movie (left out of W), sums to 1.
  const RowMatrixXf walk = rp3beta_weights(x, 1.0, 0.0);
  const Eigen::Vector3d returns((1.0 / 2 + 1.0 / 3 + 1.0) / 3, (1.0 / 2 + 1.0 / 3 + 1.0 / 2) / 3,
                                (1.0 / 3 + 1.0 / 2) / 2);
  for (Eigen::Index i = 0; i < 3; ++i) {
    CHECK(walk.row(i).cast<double>().sum() + returns[i] == Approx(1.0));
  }
  CHECK_THROWS_AS(rp3beta_weights(x, 0.0, 0.5), Error);
  CHECK_THROWS_AS(rp3beta_weights(x, 1.0, -0.1), Error);
}

TEST_CASE("item-item fold-in: liked rows add, a disliked row subtracts", "[baselines]") {
  RowMatrixXf w = RowMatrixXf::Zero(3, 3);  // g++ -O1 warns of the copy otherwise
  w << 0, 1, 2, 3, 0, 5, 7, 11, 0;
  const ItemItemScorer scorer(w);
  CHECK(scorer.movie_count() == 3);
  Eigen::VectorXd scores;
  scorer.score({{0, 1.0}, {2, 1.0}, {1, -0.5}}, scores);
  CHECK(scores.isApprox(Eigen::Vector3d(0 + 7 - 1.5, 1 + 11 - 0, 2 + 0 - 2.5)));
  scorer.score({}, scores);
  CHECK(scores.isZero());
  CHECK_THROWS_AS(ItemItemScorer(RowMatrixXf::Zero(2, 3)), Error);
}
