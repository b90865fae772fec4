#include "movierec/measure/item_models.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "movierec/io/error.hpp"
#include "movierec/io/parallel.hpp"

namespace movierec {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw Error("item-item baseline: " + what);
}

void check_matrix(const SparseMatrix& rated) {
  require(rated.cols() > 0 && rated.rows() > 0, "the train matrix is empty");
}

}  // namespace

RowMatrixXf ease_weights_from_gram(const Eigen::MatrixXd& gram, double lambda) {
  require(lambda > 0 && std::isfinite(lambda), fmt::format("EASE needs λ > 0, got {}", lambda));
  const Eigen::Index n = gram.rows();
  Eigen::MatrixXd regularised = gram;
  regularised.diagonal().array() += lambda;
  const Eigen::LLT<Eigen::MatrixXd> factor(regularised);
  require(factor.info() == Eigen::Success, "XᵀX + λI is not positive definite");
  // P = (XᵀX + λI)⁻¹, solved column block by column block on both cores.
  Eigen::MatrixXd inverse(n, n);
  const Eigen::Index block = 256;
  const auto blocks = static_cast<std::size_t>((n + block - 1) / block);
  parallel_for(blocks, [&](std::size_t b) {
    const Eigen::Index first = static_cast<Eigen::Index>(b) * block;
    const Eigen::Index width = std::min(block, n - first);
    inverse.middleCols(first, width) =
        factor.solve(Eigen::MatrixXd::Identity(n, n).middleCols(first, width));
  });
  RowMatrixXf weights(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      weights(i, j) = i == j ? 0.0f : static_cast<float>(-inverse(i, j) / inverse(j, j));
    }
  }
  return weights;
}

RowMatrixXf ease_weights(const SparseMatrix& rated, double lambda) {
  check_matrix(rated);
  return ease_weights_from_gram(gram_matrix(rated), lambda);
}

RowMatrixXf knn_weights_from_gram(const Eigen::MatrixXd& gram, std::size_t neighbours,
                                  double shrinkage) {
  require(neighbours >= 1, "item-kNN needs at least one neighbour");
  require(shrinkage >= 0 && std::isfinite(shrinkage),
          fmt::format("item-kNN needs a shrinkage >= 0, got {}", shrinkage));
  const Eigen::Index n = gram.rows();
  const Eigen::VectorXd norms = gram.diagonal().cwiseMax(0.0).cwiseSqrt();
  RowMatrixXf weights = RowMatrixXf::Zero(n, n);
  const std::size_t keep =
      std::min(neighbours, static_cast<std::size_t>(std::max<Eigen::Index>(n - 1, 0)));
  std::vector<double> similarity(static_cast<std::size_t>(n));
  std::vector<std::size_t> order(static_cast<std::size_t>(n));
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const double denominator = norms[i] * norms[j] + shrinkage;
      similarity[static_cast<std::size_t>(i)] =
          i == j || denominator <= 0 ? 0.0 : gram(i, j) / denominator;
    }
    // Movie j's own entry is 0 and never a neighbour: it is moved past the kept ones.
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto self = static_cast<std::size_t>(j);
    const auto better = [&](std::size_t a, std::size_t b) {
      if ((a == self) != (b == self)) return b == self;
      if (similarity[a] != similarity[b]) return similarity[a] > similarity[b];
      return a < b;
    };
    const auto end = order.begin() + static_cast<std::ptrdiff_t>(keep);
    std::partial_sort(order.begin(), end, order.end(), better);
    for (auto at = order.begin(); at != end; ++at) {
      weights(static_cast<Eigen::Index>(*at), j) = static_cast<float>(similarity[*at]);
    }
  }
  return weights;
}

RowMatrixXf knn_weights(const SparseMatrix& rated, std::size_t neighbours, double shrinkage) {
  check_matrix(rated);
  return knn_weights_from_gram(gram_matrix(rated), neighbours, shrinkage);
}

RowMatrixXf rp3beta_weights(const SparseMatrix& rated, double alpha, double beta) {
  check_matrix(rated);
  require(alpha > 0 && std::isfinite(alpha), fmt::format("RP3beta needs α > 0, got {}", alpha));
  require(beta >= 0 && std::isfinite(beta), fmt::format("RP3beta needs β >= 0, got {}", beta));
  const Eigen::VectorXd movie_degree = column_counts(rated);
  const Eigen::VectorXd user_degree = row_counts(rated);
  // Σ_u x_ui x_uj deg(u)^-α: the Gram matrix of X with each user's row weighted by deg(u)^-α/2.
  SparseMatrix weighted = rated;
  for (Eigen::Index u = 0; u < weighted.rows(); ++u) {
    const double scale = user_degree[u] > 0 ? std::pow(user_degree[u], -alpha / 2) : 0.0;
    for (SparseMatrix::InnerIterator it(weighted, u); it; ++it) {
      it.valueRef() = std::pow(it.value(), alpha) * scale;
    }
  }
  const Eigen::MatrixXd walks = gram_matrix(weighted);
  const Eigen::Index n = rated.cols();
  RowMatrixXf weights(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double from = movie_degree[i] > 0 ? std::pow(movie_degree[i], -alpha) : 0.0;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double to = movie_degree[j] > 0 ? std::pow(movie_degree[j], -beta) : 0.0;
      weights(i, j) = i == j ? 0.0f : static_cast<float>(from * walks(i, j) * to);
    }
  }
  return weights;
}

ItemItemScorer::ItemItemScorer(RowMatrixXf weights) : weights_(std::move(weights)) {
  require(weights_.rows() == weights_.cols(), "the weights must be square");
}

void ItemItemScorer::score(const Profile& profile, Eigen::VectorXd& scores) const {
  Eigen::VectorXf sum = Eigen::VectorXf::Zero(weights_.cols());
  for (const auto& [row, weight] : profile) {
    sum += static_cast<float>(weight) * weights_.row(static_cast<Eigen::Index>(row)).transpose();
  }
  scores = sum.cast<double>();
}

}  // namespace movierec
