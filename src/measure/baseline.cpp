#include "movierec/measure/baseline.hpp"

#include <Eigen/SparseCore>
#include <algorithm>
#include <unordered_map>

#include "movierec/io/error.hpp"
#include "movierec/io/id_index.hpp"

namespace movierec {

InteractionMatrix interaction_matrix(const IdMap& movies, const std::vector<Rating>& train) {
  std::vector<const Rating*> kept;
  std::vector<std::size_t> rows;
  for (const Rating& rating : train) {
    if (const auto row = movies.row(rating.movie)) {
      kept.push_back(&rating);
      rows.push_back(*row);
    }
  }
  if (kept.empty()) throw Error("no train rating is of a movie in the catalog");
  const IdIndex users(kept, [](const Rating* r) { return r->user; });
  std::vector<Eigen::Triplet<double>> rated, stars;
  rated.reserve(kept.size());
  stars.reserve(kept.size());
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const auto user = static_cast<int>(users.find(kept[i]->user));
    const auto movie = static_cast<int>(rows[i]);
    rated.emplace_back(user, movie, 1.0);
    stars.emplace_back(user, movie, static_cast<double>(kept[i]->rating));
  }
  const auto user_count = static_cast<Eigen::Index>(users.size());
  const auto movie_count = static_cast<Eigen::Index>(movies.size());
  InteractionMatrix matrix{SparseMatrix(user_count, movie_count),
                           SparseMatrix(user_count, movie_count)};
  // A pair met twice keeps the last value (the reader never gives one; the rule keeps the
  // matrix binary whatever the input).
  const auto last = [](const double&, const double& b) { return b; };
  matrix.rated.setFromTriplets(rated.begin(), rated.end(), last);
  matrix.stars.setFromTriplets(stars.begin(), stars.end(), last);
  return matrix;
}

Eigen::VectorXd column_counts(const SparseMatrix& m) {
  Eigen::VectorXd counts = Eigen::VectorXd::Zero(m.cols());
  for (Eigen::Index row = 0; row < m.rows(); ++row) {
    for (SparseMatrix::InnerIterator it(m, row); it; ++it) counts[it.index()] += 1;
  }
  return counts;
}

Eigen::VectorXd row_counts(const SparseMatrix& m) {
  Eigen::VectorXd counts(m.rows());
  for (Eigen::Index row = 0; row < m.rows(); ++row) {
    counts[row] = static_cast<double>(m.outerIndexPtr()[row + 1] - m.outerIndexPtr()[row]);
  }
  return counts;
}

Eigen::MatrixXd gram_matrix(const SparseMatrix& x) {
  // Each row adds the outer product of its few entries: sum over users of (ratings)^2 terms,
  // far less than a dense product when users rate a small share of the catalog.
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(x.cols(), x.cols());
  for (Eigen::Index row = 0; row < x.rows(); ++row) {
    const int begin = x.outerIndexPtr()[row];
    const int end = x.outerIndexPtr()[row + 1];
    const int* columns = x.innerIndexPtr();
    const double* values = x.valuePtr();
    for (int a = begin; a < end; ++a) {
      for (int b = begin; b < end; ++b) gram(columns[a], columns[b]) += values[a] * values[b];
    }
  }
  return gram;
}

}  // namespace movierec
