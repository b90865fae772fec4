#include "movierec/svd.hpp"

#include <Spectra/SymEigsSolver.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "movierec/error.hpp"

namespace movierec {
namespace {

using Index = Eigen::Index;

// The Gram product is summed in a fixed number of row chunks, each into its own accumulator,
// and the accumulators are added in chunk order: the result is then bit-for-bit the same
// whatever the number of threads, so training is deterministic on any machine.
constexpr Index kMaxChunks = 8;
// Below this many nonzeros per chunk, thread start-up costs more than it saves.
constexpr Index kMinChunkNonzeros = Index{1} << 18;

// Aᵀ·A·x for a row-major A with rows >= cols, in one pass over A: for each row a_i,
// y += a_i · (a_iᵀ·x). Never forms AᵀA; the rows are read once per product and stay in cache
// between the dot product and the update.
class GramOperator {
 public:
  using Scalar = double;

  GramOperator(const SparseMatrix& a, const SvdOptions& options)
      : a_(a), options_(options), bounds_(chunk_bounds(a)) {
    accumulators_.assign(bounds_.size() - 1, Eigen::VectorXd::Zero(a.cols()));
  }

  Index rows() const { return a_.cols(); }
  Index cols() const { return a_.cols(); }
  std::size_t products() const { return products_; }

  void perform_op(const double* x_in, double* y_out) const {
    const Index chunks = static_cast<Index>(accumulators_.size());
    std::atomic<Index> next{0};
    auto worker = [&] {
      for (Index c = next++; c < chunks; c = next++) accumulate(c, x_in);
    };
    const Index threads =
        std::min<Index>(chunks, std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> helpers;
    for (Index t = 1; t < threads; ++t) helpers.emplace_back(worker);
    worker();
    for (std::thread& helper : helpers) helper.join();

    Eigen::Map<Eigen::VectorXd> y(y_out, a_.cols());
    y = accumulators_[0];
    for (Index c = 1; c < chunks; ++c) y += accumulators_[c];
    // Each product is two passes of a Lanczos step; callers show them as progress.
    products_ += 2;
    if (options_.progress) options_.progress(products_);
  }

 private:
  // Row boundaries that give each chunk about the same number of nonzeros.
  static std::vector<Index> chunk_bounds(const SparseMatrix& a) {
    const Index nnz = a.nonZeros();
    const Index chunks = std::clamp<Index>(nnz / kMinChunkNonzeros, 1, kMaxChunks);
    std::vector<Index> bounds{0};
    const int* outer = a.outerIndexPtr();
    for (Index c = 1; c < chunks; ++c) {
      const Index target = nnz * c / chunks;
      const int* at = std::lower_bound(outer + bounds.back(), outer + a.rows(), target);
      bounds.push_back(at - outer);
    }
    bounds.push_back(a.rows());
    return bounds;
  }

  void accumulate(Index chunk, const double* x) const {
    Eigen::VectorXd& acc = accumulators_[chunk];
    acc.setZero();
    const int* outer = a_.outerIndexPtr();
    const int* inner = a_.innerIndexPtr();
    const double* values = a_.valuePtr();
    for (Index row = bounds_[chunk]; row < bounds_[chunk + 1]; ++row) {
      double dot = 0;
      for (int p = outer[row]; p < outer[row + 1]; ++p) dot += values[p] * x[inner[p]];
      if (dot == 0) continue;
      for (int p = outer[row]; p < outer[row + 1]; ++p) acc[inner[p]] += dot * values[p];
    }
  }

  const SparseMatrix& a_;
  const SvdOptions& options_;
  std::vector<Index> bounds_;
  mutable std::vector<Eigen::VectorXd> accumulators_;
  mutable std::size_t products_ = 0;
};

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
void orthonormalise(Eigen::MatrixXd& u) {
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

// The SVD of a tall (rows >= cols) matrix from the eigenpairs of its Gram matrix AᵀA.
SvdResult tall_svd(const SparseMatrix& a, int k, const SvdOptions& options) {
  const Index n = a.cols();
  const Index ncv = std::min<Index>(n, std::max<Index>(2 * Index{k} + 1, Index{k} + 20));
  GramOperator gram(a, options);
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
  result.u = a * result.v;
  const double sigma_max = result.singular_values[0];
  for (Index j = 0; j < k; ++j) {
    const double sigma = result.singular_values[j];
    // A·v/σ is only meaningful for σ clearly above the rounding noise of σ_max.
    if (sigma > sigma_max * std::sqrt(std::numeric_limits<double>::epsilon())) {
      result.u.col(j) /= sigma;
    } else {
      result.u.col(j).setZero();
    }
  }
  orthonormalise(result.u);
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
