// Factor-model baselines: PureSVD's projection by hand and on a low-rank matrix, and iALS's
// fold-in checked against the gradient of the objective the header states.
#include "movierec/measure/factor_models.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

SparseMatrix from_dense(const Eigen::MatrixXd& dense) {
  SparseMatrix m = dense.sparseView();
  m.makeCompressed();
  return m;
}

}  // namespace

TEST_CASE("PureSVD: the profile projected on the first k singular directions", "[baselines]") {
  Eigen::MatrixXd v(3, 2);
  v << 1, 0, 0, std::sqrt(0.5), 0, std::sqrt(0.5);
  const PureSvdScorer scorer(v, 2);
  Eigen::VectorXd scores;
  // x = (1, 1, -1): xV = (1, 0), so x V Vᵀ = (1, 0, 0).
  scorer.score({{0, 1.0}, {1, 1.0}, {2, -1.0}}, scores);
  CHECK(scores.isApprox(Eigen::Vector3d(1, 0, 0)));
  // x = (0, 2, 0): xV = (0, sqrt 2), x V Vᵀ = (0, 1, 1).
  scorer.score({{1, 2.0}}, scores);
  CHECK(scores.isApprox(Eigen::Vector3d(0, 1, 1)));
  const PureSvdScorer first(v, 1);
  first.score({{1, 2.0}}, scores);
  CHECK(scores.isZero());
  CHECK_THROWS_AS(PureSvdScorer(v, 0), Error);
  CHECK_THROWS_AS(PureSvdScorer(v, 3), Error);
}

TEST_CASE("PureSVD: a user's own row of a rank-2 matrix folds in to itself", "[baselines]") {
  std::mt19937 rng(4);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd a(12, 2), b(8, 2);
  for (double& x : a.reshaped()) x = normal(rng);
  for (double& x : b.reshaped()) x = normal(rng);
  const Eigen::MatrixXd stars = a * b.transpose();
  const PureSvdScorer scorer(pure_svd_vectors(from_dense(stars), 2), 2);
  Profile row;
  for (Eigen::Index c = 0; c < 8; ++c) row.emplace_back(c, stars(5, c));
  Eigen::VectorXd scores;
  scorer.score(row, scores);
  CHECK((scores - stars.row(5).transpose()).norm() < 1e-6 * stars.row(5).norm());
}

TEST_CASE("iALS fold-in minimises the stated objective (zero gradient)", "[baselines]") {
  std::mt19937 rng(9);
  std::bernoulli_distribution rated(0.3);
  Eigen::MatrixXd dense = Eigen::MatrixXd::Zero(30, 10);
  for (double& x : dense.reshaped()) x = rated(rng) ? 1 : 0;
  for (const double exponent : {0.0, 1.0}) {
    IalsSettings settings;
    settings.k = 3;
    settings.unobserved = 0.2;
    settings.regularization = 0.05;
    settings.exponent = exponent;
    settings.iterations = 5;
    const IalsScorer scorer(from_dense(dense), settings);
    const Profile profile = {{1, 1.0}, {4, 1.0}, {7, 1.0}, {2, -1.0}};
    const Eigen::VectorXd p = scorer.fold_in(profile);
    // ∇ = -2 Σ_profile (t - p·q) q + 2 w0 Σ_others (p·q) q + 2 λ_p p, term by term.
    const RowMatrixXd& q = scorer.movies();
    Eigen::VectorXd gradient = Eigen::VectorXd::Zero(3);
    std::vector<bool> in_profile(10, false);
    for (const auto& [row, target] : profile) {
      const Eigen::VectorXd movie = q.row(static_cast<Eigen::Index>(row)).transpose();
      gradient += -2 * (target - p.dot(movie)) * movie;
      in_profile[row] = true;
    }
    for (Eigen::Index j = 0; j < 10; ++j) {
      if (in_profile[static_cast<std::size_t>(j)]) continue;
      const Eigen::VectorXd movie = q.row(j).transpose();
      gradient += 2 * 0.2 * p.dot(movie) * movie;
    }
    const double penalty = 0.05 * std::pow(4 + 0.2 * 10, exponent);
    gradient += 2 * penalty * p;
    INFO("exponent " << exponent);
    CHECK(gradient.norm() < 1e-9 * (1 + p.norm()));
    Eigen::VectorXd scores;
    scorer.score(profile, scores);
    CHECK(scores.isApprox(q * p));
  }
}
