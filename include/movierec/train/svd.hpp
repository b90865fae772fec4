// Truncated singular value decomposition of a sparse matrix, by Lanczos iterations (Spectra's
// SymEigsSolver) on the smaller Gram matrix (AᵀA or AAᵀ), never forming it.
#pragma once

#include <cstddef>
#include <functional>

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace movierec {

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

struct SvdOptions {
  double tolerance = 1e-10;   // Spectra's relative tolerance on the Ritz values
  int max_iterations = 1000;  // Spectra's restart limit
  // Called now and then with the number of matrix-vector products so far (for progress).
  std::function<void(std::size_t products)> progress;
};

struct SvdResult {
  Eigen::MatrixXd u;                // rows x k, orthonormal columns
  Eigen::VectorXd singular_values;  // k, descending
  Eigen::MatrixXd v;                // cols x k, orthonormal columns
  std::size_t products = 0;         // matrix-vector products used
};

// The k largest singular triplets of `a`: a ≈ u · diag(singular_values) · vᵀ. Requires
// 1 <= k < min(rows, cols) (Lanczos needs one spare dimension). Throws Error when k is out of
// that range (naming the largest k allowed), when `a` is empty, or when the iterations do not
// converge within max_iterations.
SvdResult truncated_svd(const SparseMatrix& a, int k, const SvdOptions& options = {});

}  // namespace movierec
