// Matrix factorisation by alternating least squares (ALS) of a sparse users x movies matrix R:
// with one side's factors fixed, each row of the other side is an independent regularised
// least-squares problem, solved exactly (a k x k Cholesky per row). Two models:
//
//   weighted_als  R ≈ P·Qᵀ, minimising
//                   Σ_observed (r_ui − p_u·q_i)² + w0·Σ_unobserved (p_u·q_i)² + λ(‖P‖² + ‖Q‖²)
//                 (λ‖·‖² per row: λ·(the row's ratings + w0·(other side's rows))^ν·‖row‖² when
//                 regularization_exponent ν > 0)
//                 where the unobserved entries count as zeros with weight w0 (Hu, Koren and
//                 Volinsky 2008): w0 = 1 is a regularised fit of R with its gaps as zeros
//                 (PureSVD-like), w0 = 0 fits the observed entries only. Each half-step solves,
//                 per user, (w0·QᵀQ + (1 − w0)·Q_oᵀQ_o + λI) p = Q_oᵀ r_o, with QᵀQ computed once
//                 per half-step (Q_o: the rows of the movies the user rated); movies alike.
//   biased_als    r_ui ≈ μ + b_u + b_i + p_u·q_i over the observed entries only, minimising
//                   Σ_observed (r_ui − μ − b_u − b_i − p_u·q_i)² + λ(‖P‖² + ‖Q‖²)
//                     + λ_b(‖b‖² over users and movies)
//                 with μ the mean of the observed entries (fixed); each half-step solves for
//                 [p_u; b_u] jointly per user (a (k+1) x (k+1) system), then for [q_i; b_i].
//
// One iteration is a user half-step then a movie half-step; the objective never increases. Q
// starts from seeded normals of standard deviation 1/√k (a movie vector of about unit length);
// P is solved first. Rows are solved in parallel, each independently, so the result is the same
// bit for bit on any number of threads.
//
// Cost per half-step, exact solves: about nonzeros·k²/2 multiply-adds for the per-row Gram
// matrices plus rows·k³/6 for the Cholesky factorisations; with n conjugate-gradient steps
// instead: about (n + 1)·2·nonzeros·k + rows·n·k². Memory: R and its transpose (12 bytes per
// nonzero each), the factors, and one single-precision copy of a side.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "movierec/train/svd.hpp"

namespace movierec {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Every field is set by the caller (train_svd fills them from the train.* config keys).
struct AlsOptions {
  int k = 0;                       // latent dimensions, at least 1
  int iterations = 0;              // user half-step + movie half-step, at least 1
  double missing_weight = 0;       // w0 in [0, 1] (weighted_als only)
  double regularization = 0;       // λ > 0, on every factor
  // ν in [0, 1]: each row's factors are penalised λ·(its ratings + w0·(rows of the other
  // side))^ν instead of λ (Rendle, Krichene, Zhang and Koren 2022's frequency scaling: a user
  // with many ratings, or a popular movie, is held as firmly as its data weigh). 0: λ for all.
  double regularization_exponent = 0;
  double bias_regularization = 0;  // λ_b >= 0, on every bias (biased_als only)
  std::uint64_t seed = 0;          // of the starting Q
  // 0: each row's system is solved exactly (Cholesky). n > 0: instead, n conjugate-gradient
  // steps from the row's previous solution (Takács, Pilászy and Tikk 2011): still a monotone
  // descent, much cheaper for large k, not the exact per-row minimum.
  int cg_steps = 0;
  // Called after each iteration with its number (from 1) and the objective.
  std::function<void(int iteration, double objective)> progress;
};

struct AlsFactors {
  RowMatrixXd users;              // rows of R x k: P
  RowMatrixXd movies;             // columns of R x k: Q
  std::vector<double> objective;  // after each iteration, as defined above
};

struct BiasedFactors {
  RowMatrixXd users;           // P
  RowMatrixXd movies;          // Q
  Eigen::VectorXd user_bias;   // b_u, one per row of R
  Eigen::VectorXd movie_bias;  // b_i, one per column of R
  double global_mean = 0;      // μ
  std::vector<double> objective;
};

// Both throw Error when R is empty or holds NaN or infinite values, or when an option is out of
// its range (naming the config key that sets it).
AlsFactors weighted_als(const SparseMatrix& r, const AlsOptions& options);
BiasedFactors biased_als(const SparseMatrix& r, const AlsOptions& options);

// How cooperating processes (train_svd under mpirun: distributed.hpp) talk during ALS. The
// factors stay whole on every process; each half-step, each process solves its own block of
// rows and then the blocks are shared.
class AlsExchange {
 public:
  virtual ~AlsExchange() = default;
  // This process's number, from 0, and how many there are.
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Process p holds the right values of rows [bounds[p], bounds[p + 1]) of `side` (size() + 1
  // bounds); on return every process holds every row.
  virtual void share_rows(RowMatrixXd& side, const std::vector<Eigen::Index>& bounds) = 0;
  // The sum of `local` over the processes, the same value on each.
  virtual double sum(double local) = 0;
};

// Process p solves users [user_bounds[p], user_bounds[p + 1]) and movies [movie_bounds[p],
// movie_bounds[p + 1]); both have exchange->size() + 1 increasing bounds from 0 to R's rows
// (columns).
struct AlsPartition {
  std::vector<Eigen::Index> user_bounds;
  std::vector<Eigen::Index> movie_bounds;
  AlsExchange* exchange = nullptr;
};

// [first, end) bounds cutting the rows of `r` into `parts` blocks of about equal ratings; or
// rows of counts[row] ratings each (the same bounds for R's row counts).
std::vector<Eigen::Index> balanced_bounds(const SparseMatrix& r, int parts);
std::vector<Eigen::Index> balanced_bounds(const std::vector<std::int64_t>& counts, int parts);

// The same models with the rows solved by the processes of `partition`. Each process passes its
// share of R: R's shape, holding (at least) the whole rows of its users and the whole columns of
// its movies; other entries are never read (train_svd under mpirun reads no more: RatingShare,
// training.hpp). Every process must call with the same shape and options, and every one
// returns the same factors: the rows come out bit for bit as on one process given the whole R;
// the objective and biased_als's global mean are sums over the processes' own rows (the mean
// is exact for star ratings; the objective agrees up to summation order). Throws as above (the
// NaN and emptiness checks see the process's share); an error on one process leaves the others
// waiting in share_rows or sum (the caller ends them: distributed.hpp).
AlsFactors weighted_als(const SparseMatrix& r, const AlsOptions& options,
                        const AlsPartition& partition);
BiasedFactors biased_als(const SparseMatrix& r, const AlsOptions& options,
                         const AlsPartition& partition);

// The objectives above, computed from scratch (O(nonzeros·k + (rows + columns)·k²)), for tests
// and checks; the trainers compute theirs as a by-product of the solves.
double weighted_als_objective(const SparseMatrix& r, const RowMatrixXd& users,
                              const RowMatrixXd& movies, double missing_weight,
                              double regularization, double regularization_exponent = 0);
double biased_als_objective(const SparseMatrix& r, const BiasedFactors& factors,
                            double regularization, double bias_regularization);

}  // namespace movierec
