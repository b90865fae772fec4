#include "movierec/train/svd.hpp"

#include <Spectra/SymEigsSolver.h>
#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "movierec/io/error.hpp"
#include "movierec/io/parallel.hpp"

namespace movierec {
namespace {

using Index = Eigen::Index;

// Products with A are split into row chunks of about equal nonzeros, each summed into its own
// accumulator, and the accumulators are added in chunk order: the result is then bit-for-bit
// the same whatever the number of threads, so training is deterministic on any machine.
constexpr Index kMaxChunks = 8;
// Below this many nonzeros per chunk, thread start-up costs more than it saves.
constexpr Index kMinChunkNonzeros = Index{1} << 18;

class RowChunks {
 public:
  explicit RowChunks(const SparseMatrix& a) : bounds_{0} {
    const Index nnz = a.nonZeros();
    const Index chunks = std::clamp<Index>(nnz / kMinChunkNonzeros, 1, kMaxChunks);
    const int* outer = a.outerIndexPtr();
    for (Index c = 1; c < chunks; ++c) {
      const Index target = nnz * c / chunks;
      bounds_.push_back(std::lower_bound(outer + bounds_.back(), outer + a.rows(), target) - outer);
    }
    bounds_.push_back(a.rows());
  }

  std::size_t count() const { return bounds_.size() - 1; }
  // Runs work(chunk, first row, end row) for every chunk, on up to one thread per core.
  template <typename Work>
  void run(Work work) const {
    parallel_for(count(), [&](std::size_t c) { work(c, bounds_[c], bounds_[c + 1]); });
  }

 private:
  std::vector<Index> bounds_;
};

// Aᵀ·A·x for a row-major A with rows >= cols, in one pass over A: for each row a_i,
// y += a_i · (a_iᵀ·x). Never forms AᵀA; each row is read once per product and stays in cache
// between its dot product and its update.
class GramOperator {
 public:
  using Scalar = double;

  GramOperator(const SparseMatrix& a, const RowChunks& chunks, const SvdOptions& options)
      : a_(a), chunks_(chunks), options_(options) {
    accumulators_.assign(chunks.count(), Eigen::VectorXd::Zero(a.cols()));
  }

  Index rows() const { return a_.cols(); }
  Index cols() const { return a_.cols(); }
  std::size_t products() const { return products_; }

  void perform_op(const double* x, double* y_out) const {
    const int* outer = a_.outerIndexPtr();
    const int* inner = a_.innerIndexPtr();
    const double* values = a_.valuePtr();
    chunks_.run([&](std::size_t chunk, Index first, Index end) {
      accumulators_[chunk].setZero();
      double* acc = accumulators_[chunk].data();
      for (Index row = first; row < end; ++row) {
        double dot = 0;
        for (int p = outer[row]; p < outer[row + 1]; ++p) dot += values[p] * x[inner[p]];
        if (dot == 0) continue;
        for (int p = outer[row]; p < outer[row + 1]; ++p) acc[inner[p]] += dot * values[p];
      }
    });
    Eigen::Map<Eigen::VectorXd> y(y_out, a_.cols());
    y = accumulators_[0];
    for (std::size_t c = 1; c < accumulators_.size(); ++c) y += accumulators_[c];
    // Each Gram product is two matrix-vector products; callers show them as progress.
    products_ += 2;
    if (options_.progress) options_.progress(products_);
  }

 private:
  const SparseMatrix& a_;
  const RowChunks& chunks_;
  const SvdOptions& options_;
  mutable std::vector<Eigen::VectorXd> accumulators_;
  mutable std::size_t products_ = 0;
};

// A·V, row by row: V is copied row-major so that each nonzero adds one contiguous row of V.
Eigen::MatrixXd times_dense(const SparseMatrix& a, const RowChunks& chunks,
                            const Eigen::MatrixXd& v) {
  using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajorMatrix v_rows = v;
  RowMajorMatrix product = RowMajorMatrix::Zero(a.rows(), v.cols());
  chunks.run([&](std::size_t, Index first, Index end) {
    for (Index row = first; row < end; ++row) {
      for (SparseMatrix::InnerIterator it(a, row); it; ++it) {
        product.row(row) += it.value() * v_rows.row(it.index());
      }
    }
  });
  return product;
}

void check_arguments(const SparseMatrix& a, int k) {
  const std::string shape = std::to_string(a.rows()) + " x " + std::to_string(a.cols());
  if (a.rows() == 0 || a.cols() == 0 || a.nonZeros() == 0) {
    throw Error("cannot factorise an empty matrix (" + shape + ", no stored values)");
  }
  const double* values = a.valuePtr();
  const bool all_zero = std::all_of(values, values + a.nonZeros(), [](double v) { return v == 0; });
  if (all_zero) throw Error("cannot factorise a matrix whose values are all 0 (" + shape + ")");
  if (!std::all_of(values, values + a.nonZeros(), [](double v) { return std::isfinite(v); })) {
    throw Error("cannot factorise a matrix holding NaN or infinite values (" + shape + ")");
  }
  const Index largest = std::min(a.rows(), a.cols()) - 1;
  if (largest < 1) {
    throw Error("cannot factorise a " + shape +
                " matrix: truncated SVD needs at least 2 rows and 2 columns");
  }
  if (k < 1 || k > largest) {
    throw Error("k = " + std::to_string(k) + " is out of range for a " + shape +
                " matrix: k must be from 1 to " + std::to_string(largest) +
                " (one less than the smaller side)");
  }
}

// Makes the columns of `u` exactly orthonormal, in order (classical Gram-Schmidt applied twice,
// which is as accurate as modified Gram-Schmidt and runs as matrix-vector products). A column
// that vanishes (a singular value of about 0, whose A·v/σ is noise) is replaced by the first
// unit vector independent of the columns before it.
void gram_schmidt(Eigen::MatrixXd& u) {
  const double vanish = std::sqrt(std::numeric_limits<double>::epsilon());
  for (Index j = 0; j < u.cols(); ++j) {
    Index basis = 0;
    for (;;) {
      for (int pass = 0; pass < 2; ++pass) {
        const Eigen::VectorXd overlap = u.leftCols(j).transpose() * u.col(j);
        u.col(j) -= u.leftCols(j) * overlap;
      }
      const double norm = u.col(j).norm();
      if (norm > vanish) {
        u.col(j) /= norm;
        break;
      }
      u.col(j) = Eigen::VectorXd::Unit(u.rows(), basis++);
    }
  }
}

// The same for columns that are already orthonormal up to rounding (every σ well above 0):
// one Cholesky QR step, U ← U·R⁻¹ with UᵀU = RᵀR, is then as accurate and runs as
// matrix-matrix products, several times faster than Gram-Schmidt on a tall U.
void orthonormalise(Eigen::MatrixXd& u, bool vanished) {
  if (!vanished) {
    const Eigen::LLT<Eigen::MatrixXd> cholesky(u.transpose() * u);
    if (cholesky.info() == Eigen::Success) {
      u = cholesky.matrixU().solve<Eigen::OnTheRight>(u);
      return;
    }
  }
  gram_schmidt(u);
}

// The SVD of a tall (rows >= cols) matrix from the eigenpairs of its Gram matrix AᵀA.
SvdResult tall_svd(const SparseMatrix& a, int k, const SvdOptions& options) {
  const Index n = a.cols();
  // The Krylov subspace: about twice k converges in few restarts (ARPACK's advice), and at
  // least 20 spare vectors keep small k from restarting often.
  const Index ncv = std::min<Index>(n, std::max<Index>(2 * Index{k} + 1, Index{k} + 20));
  const RowChunks chunks(a);
  GramOperator gram(a, chunks, options);
  Spectra::SymEigsSolver<GramOperator> solver(gram, k, ncv);
  solver.init();
  solver.compute(Spectra::SortRule::LargestAlge, options.max_iterations, options.tolerance);
  if (solver.info() != Spectra::CompInfo::Successful) {
    throw Error(
        fmt::format("truncated SVD did not converge in {} Lanczos restarts (tolerance {:g}): raise "
                    "train.svd_max_iterations or train.svd_tolerance, or lower k",
                    options.max_iterations, options.tolerance));
  }
  SvdResult result;
  // Eigenvalues of AᵀA are σ²; rounding can push a zero one slightly below 0.
  result.singular_values = solver.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  result.v = solver.eigenvectors();
  result.u = times_dense(a, chunks, result.v);
  const double sigma_max = result.singular_values[0];
  bool vanished = false;
  for (Index j = 0; j < k; ++j) {
    const double sigma = result.singular_values[j];
    // A·v/σ is only meaningful for σ clearly above the rounding noise of σ_max.
    if (sigma > sigma_max * std::sqrt(std::numeric_limits<double>::epsilon())) {
      result.u.col(j) /= sigma;
    } else {
      result.u.col(j).setZero();
      vanished = true;
    }
  }
  orthonormalise(result.u, vanished);
  result.products = gram.products();
  return result;
}

}  // namespace

SvdResult truncated_svd(const SparseMatrix& a, int k, const SvdOptions& options) {
  check_arguments(a, k);
  if (a.rows() >= a.cols()) return tall_svd(a, k, options);
  // A wide matrix: factorise Aᵀ (tall, so the Gram matrix is the smaller one) and swap sides.
  const SparseMatrix transposed = a.transpose();
  SvdResult result = tall_svd(transposed, k, options);
  std::swap(result.u, result.v);
  return result;
}

}  // namespace movierec
