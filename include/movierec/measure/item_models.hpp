// Item-item baselines: a movies x movies weight matrix W learned from the binary train matrix X
// (users x movies, 1 for every train rating; baseline.hpp), and one fold-in for all of them:
//   score(profile)[j] = sum over the profile's (i, w_i) of w_i · W[i][j]
// so a liked movie adds its row of W, a disliked one subtracts dislike_weight times it. Dense:
// W takes 4 n² bytes (n movies) and fitting it about 8 n² more, so these baselines are meant for
// catalogs up to kMaxItemItemMovies (about 1.6 GB at that size); evaluate skips them above it.
//
//   EASE (Steck 2019, "Embarrassingly shallow autoencoders"): W = argmin ‖X − XW‖² + λ‖W‖²
//     subject to diag(W) = 0; closed form W = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, i.e.
//     W[i][j] = −P[i][j] / P[j][j] for i ≠ j.
//   item-kNN (Sarwar et al. 2001; as in Dacrema et al. 2019's ItemKNNCF): cosine similarity with
//     shrinkage h, s[i][j] = c_ij / (√c_ii √c_jj + h), c = XᵀX, diag 0; each column j keeps its
//     K largest entries (movie j's K nearest neighbours, ties to the lower row), the rest 0.
//   RP3beta (Paudel, Christoffel, Newell and Bernstein 2017): the random walk movie → user →
//     movie with transition probabilities raised to α, re-ranked by popularity:
//     W[i][j] = Σ_u (x_ui / deg(i))^α (x_uj / deg(u))^α / deg(j)^β, diag 0, where deg(i) is
//     movie i's train ratings and deg(u) user u's (no pruning).
#pragma once

#include <cstddef>
#include <memory>

#include "movierec/io/npy.hpp"
#include "movierec/measure/baseline.hpp"

namespace movierec {

// The largest catalog for which evaluate fits the dense item-item baselines.
inline constexpr std::size_t kMaxItemItemMovies = 20000;

// Each throws Error when `rated` has no columns, or an argument is out of range (λ > 0; K at
// least 1; h >= 0; α > 0; β >= 0).
RowMatrixXf ease_weights(const SparseMatrix& rated, double lambda);
RowMatrixXf knn_weights(const SparseMatrix& rated, std::size_t neighbours, double shrinkage);
RowMatrixXf rp3beta_weights(const SparseMatrix& rated, double alpha, double beta);

// The same weights from a precomputed XᵀX (gram_matrix), for a search that tries several values
// on one matrix.
RowMatrixXf ease_weights_from_gram(const Eigen::MatrixXd& gram, double lambda);
RowMatrixXf knn_weights_from_gram(const Eigen::MatrixXd& gram, std::size_t neighbours,
                                  double shrinkage);

// score = Σ w_i · W.row(i).
class ItemItemScorer : public ProfileScorer {
 public:
  explicit ItemItemScorer(RowMatrixXf weights);
  std::size_t movie_count() const override { return static_cast<std::size_t>(weights_.rows()); }
  void score(const Profile& profile, Eigen::VectorXd& scores) const override;
  const RowMatrixXf& weights() const { return weights_; }

 private:
  RowMatrixXf weights_;  // n x n
};

}  // namespace movierec
