#include "movierec/session/user_fit.hpp"

#include "movierec/io/error.hpp"

namespace movierec {

void UserFit::reset(const Eigen::VectorXd& start, double prior_weight) {
  if (!(prior_weight > 0)) throw Error("UserFit: the prior weight must be above 0");
  const Eigen::Index k = start.size();
  a_ = prior_weight * Eigen::MatrixXd::Identity(k, k);
  b_ = prior_weight * start;
  factor_.compute(a_);
}

void UserFit::add(const Eigen::VectorXd& movie, double target) {
  // A stays symmetric positive definite (c I plus outer products), so Cholesky always applies;
  // refactoring from scratch rather than a rank-1 update keeps rounding from accumulating.
  a_.selfadjointView<Eigen::Lower>().rankUpdate(movie);
  a_.triangularView<Eigen::StrictlyUpper>() = a_.transpose();
  b_ += target * movie;
  factor_.compute(a_);
}

double UserFit::variance(const Eigen::VectorXd& movie) const {
  // |L^-1 m|^2 = m^T L^-T L^-1 m = m^T A^-1 m, and never negative however A rounds.
  return factor_.matrixL().solve(movie).squaredNorm();
}

Eigen::VectorXd UserFit::correlate(const Eigen::VectorXd& z) const {
  return factor_.matrixU().solve(z);
}

}  // namespace movierec
