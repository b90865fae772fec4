// Factor-model baselines, each folding the session's profile (baseline.hpp: +1 favourites and
// likes, -dislike_weight dislikes) into a user vector and scoring every movie against it.
//
//   PureSVD (Cremonesi, Koren and Turrin 2010): the truncated SVD R ≈ U Σ Vᵀ of the star matrix
//     R (users x movies, stars where rated, 0 elsewhere); the profile x (a movies-long vector of
//     its weights) scores x·V·Vᵀ: the projection of the profile on the top k singular
//     directions, as PureSVD scores a user's row of R. V (n x k) is kept.
//   iALS with binary targets (Hu, Koren and Volinsky 2008; as tuned by Rendle, Krichene, Zhang
//     and Koren 2022): train.hpp's weighted_als of the binary matrix X (1 for every train
//     rating) with unobserved weight w0, regularisation λ scaled by frequency (exponent ν); the
//     profile is folded in by exactly the user half-step that training runs: the user vector
//       p = argmin Σ_{i in profile} (t_i - p·q_i)² + w0 Σ_{j not in profile} (p·q_j)²
//                  + λ (|profile| + w0 n)^ν |p|²
//     (t_i the profile weight: 1 for a favourite or like, -dislike_weight for a dislike; n the
//     movies), i.e. (w0 QᵀQ + (1 - w0) Σ_i q_i q_iᵀ + λ_p I) p = Σ_i t_i q_i, then scores Q p.
#pragma once

#include <Eigen/Core>
#include <cstddef>

#include "movierec/measure/baseline.hpp"
#include "movierec/train/als.hpp"

namespace movierec {

class PureSvdScorer : public ProfileScorer {
 public:
  // The first k columns of `v` (movies x at least k, orthonormal columns). Throws Error when k
  // is 0 or above v's columns.
  PureSvdScorer(const Eigen::MatrixXd& v, int k);
  std::size_t movie_count() const override { return static_cast<std::size_t>(v_.rows()); }
  void score(const Profile& profile, Eigen::VectorXd& scores) const override;

 private:
  Eigen::MatrixXd v_;  // n x k
};

// The right singular vectors of the star matrix for the k_max largest singular values, from
// which PureSvdScorer takes its first k. Throws what truncated_svd throws.
Eigen::MatrixXd pure_svd_vectors(const SparseMatrix& stars, int k_max);

struct IalsSettings {
  int k = 64;                    // latent dimensions
  double unobserved = 0.1;       // w0 (AlsOptions::missing_weight), 0 .. 1
  double regularization = 0.01;  // λ, above 0
  double exponent = 1;           // ν (AlsOptions::regularization_exponent), 0 .. 1
  int iterations = 12;           // of training
  std::uint64_t seed = 1;        // of the starting factors
};

class IalsScorer : public ProfileScorer {
 public:
  // Trains weighted_als on `rated` (expected binary) with `settings`. Throws what it throws.
  IalsScorer(const SparseMatrix& rated, const IalsSettings& settings);
  std::size_t movie_count() const override { return static_cast<std::size_t>(movies_.rows()); }
  void score(const Profile& profile, Eigen::VectorXd& scores) const override;
  // The user vector the profile folds into (k values).
  Eigen::VectorXd fold_in(const Profile& profile) const;
  const RowMatrixXd& movies() const { return movies_; }

 private:
  IalsSettings settings_;
  RowMatrixXd movies_;    // Q, n x k
  Eigen::MatrixXd gram_;  // w0 QᵀQ
};

}  // namespace movierec
