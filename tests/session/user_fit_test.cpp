#include "movierec/session/user_fit.hpp"

#include <catch2/catch.hpp>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

Eigen::Vector2d vec(double x, double y) { return Eigen::Vector2d(x, y); }

// The inverse of [[a, b], [b, d]] by the closed form, independent of any factorisation.
Eigen::Matrix2d symmetric_inverse(double a, double b, double d) {
  const double det = a * d - b * b;
  Eigen::Matrix2d inverse;
  inverse << d / det, -b / det, -b / det, a / det;
  return inverse;
}

}  // namespace

TEST_CASE("user fit: the regularised least-squares solution against the closed form") {
  // u0 = (1, 2), c = 0.5; answers m1 = (1, 0) with t = 3, m2 = (1, 1) with t = -1:
  // A = [[2.5, 1], [1, 1.5]], b = 0.5 u0 + 3 m1 - m2 = (2.5, 0).
  UserFit fit;
  fit.reset(vec(1, 2), 0.5);
  CHECK(fit.solution().isApprox(vec(1, 2)));  // no answers: the start vector
  fit.add(vec(1, 0), 3);
  fit.add(vec(1, 1), -1);
  CHECK(fit.matrix().isApprox((Eigen::Matrix2d() << 2.5, 1, 1, 1.5).finished()));
  CHECK(fit.rhs().isApprox(vec(2.5, 0)));
  // A^-1 = [[1.5, -1], [-1, 2.5]] / 2.75, so u = (3.75, -2.5) / 2.75.
  const Eigen::Vector2d u = fit.solution();
  CHECK(u[0] == Approx(3.75 / 2.75));
  CHECK(u[1] == Approx(-2.5 / 2.75));
  CHECK(u.isApprox(symmetric_inverse(2.5, 1, 1.5) * vec(2.5, 0)));
  // The gradient of sum (t - u.m)^2 + c |u - u0|^2 vanishes at u.
  const Eigen::Vector2d gradient = -2 * (3 - u.dot(vec(1, 0))) * vec(1, 0) -
                                   2 * (-1 - u.dot(vec(1, 1))) * vec(1, 1) +
                                   2 * 0.5 * (u - vec(1, 2));
  CHECK(gradient.norm() < 1e-12);
}

TEST_CASE("user fit: variance m^T A^-1 m and the correlated sample's covariance") {
  UserFit fit;
  fit.reset(vec(0, 0), 2);
  CHECK(fit.variance(vec(1, 1)) == Approx(1.0));  // |m|^2 / c
  fit.add(vec(1, 0), 1);
  fit.add(vec(0.5, 2), 1);
  // A = [[3.25, 1], [1, 6]]
  const Eigen::Matrix2d inverse = symmetric_inverse(3.25, 1, 6);
  for (const Eigen::Vector2d& m : {vec(1, 0), vec(0.3, -0.7), vec(-2, 5)}) {
    CHECK(fit.variance(m) == Approx(m.dot(inverse * m)));
    CHECK(fit.solve(m).isApprox(inverse * m));
  }
  // x = L^-T z satisfies x^T A x = z^T z, which pins x's covariance to A^-1.
  for (const Eigen::Vector2d& z : {vec(1, 0), vec(0, 1), vec(0.4, -1.3)}) {
    const Eigen::Vector2d x = fit.correlate(z);
    CHECK(x.dot(fit.matrix() * x) == Approx(z.squaredNorm()));
  }
  // Columns of L^-T: their outer products sum to A^-1.
  Eigen::Matrix2d covariance = Eigen::Matrix2d::Zero();
  for (const Eigen::Vector2d& z : {vec(1, 0), vec(0, 1)}) {
    const Eigen::Vector2d x = fit.correlate(z);
    covariance += x * x.transpose();
  }
  CHECK(covariance.isApprox(inverse));
}

TEST_CASE("user fit: a prior weight that is not positive is refused") {
  UserFit fit;
  CHECK_THROWS_AS(fit.reset(vec(0, 0), 0), Error);
  CHECK_THROWS_AS(fit.reset(vec(0, 0), -1), Error);
}
