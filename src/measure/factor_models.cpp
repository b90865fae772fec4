#include "movierec/measure/factor_models.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <cmath>

#include "movierec/io/error.hpp"

namespace movierec {

PureSvdScorer::PureSvdScorer(const Eigen::MatrixXd& v, int k) {
  if (k < 1 || k > v.cols()) {
    throw Error(
        fmt::format("PureSVD: k = {} is not between 1 and the {} singular vectors", k, v.cols()));
  }
  v_ = v.leftCols(k);
}

void PureSvdScorer::score(const Profile& profile, Eigen::VectorXd& scores) const {
  Eigen::VectorXd projected = Eigen::VectorXd::Zero(v_.cols());
  for (const auto& [row, weight] : profile) {
    projected += weight * v_.row(static_cast<Eigen::Index>(row)).transpose();
  }
  scores = v_ * projected;
}

Eigen::MatrixXd pure_svd_vectors(const SparseMatrix& stars, int k_max) {
  return truncated_svd(stars, k_max).v;
}

IalsScorer::IalsScorer(const SparseMatrix& rated, const IalsSettings& settings)
    : settings_(settings) {
  AlsOptions options;
  options.k = settings.k;
  options.iterations = settings.iterations;
  options.missing_weight = settings.unobserved;
  options.regularization = settings.regularization;
  options.regularization_exponent = settings.exponent;
  options.seed = settings.seed;
  movies_ = weighted_als(rated, options).movies;
  gram_ = settings.unobserved * (movies_.transpose() * movies_);
}

Eigen::VectorXd IalsScorer::fold_in(const Profile& profile) const {
  const Eigen::Index k = movies_.cols();
  Eigen::MatrixXd system = gram_;
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(k);
  const double observed = 1.0 - settings_.unobserved;
  for (const auto& [row, weight] : profile) {
    const auto movie = movies_.row(static_cast<Eigen::Index>(row)).transpose();
    system.selfadjointView<Eigen::Lower>().rankUpdate(movie, observed);
    rhs += weight * movie;
  }
  const double count = static_cast<double>(profile.size()) +
                       settings_.unobserved * static_cast<double>(movies_.rows());
  const double penalty = settings_.exponent == 0
                             ? settings_.regularization
                             : settings_.regularization * std::pow(count, settings_.exponent);
  system.diagonal().array() += penalty;
  return system.selfadjointView<Eigen::Lower>().llt().solve(rhs);
}

void IalsScorer::score(const Profile& profile, Eigen::VectorXd& scores) const {
  scores = movies_ * fold_in(profile);
}

}  // namespace movierec
