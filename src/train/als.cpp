#include "movierec/train/als.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "movierec/io/error.hpp"
#include "movierec/io/memory.hpp"
#include "movierec/io/npy.hpp"
#include "movierec/io/parallel.hpp"
#include "movierec/io/random.hpp"

namespace movierec {
namespace {

using Index = Eigen::Index;

// Rows are solved in this many pieces of about equal work, handed out as threads free up. The
// number is fixed (not the thread count) so that the objective, summed piece by piece in order,
// is the same on every machine; 64 pieces keep two to a few dozen cores evenly busy.
constexpr std::size_t kPieces = 64;
// Ratings gathered per rank update of a row's Gram matrix: enough for the blocked product to
// run at full speed, few enough (256 x 101 floats, about 100 KB) to stay in the L2 cache.
constexpr Index kGatherRows = 256;
// How many ratings ahead the gather prefetches its fixed rows (8: 0.4 s more of biased_als's
// 28M half-steps, 16: 0.1 s more; 32 as 24), and a cache line's floats.
constexpr int kPrefetchAhead = 24;
constexpr Index kFloatsPerLine = 16;
// Pieces of R's rows transposed at once: a few per core (each keeps a count per column).
constexpr std::size_t kTransposePieces = 8;

// Compressed rows of ratings as a half-step reads them: R itself (borrowed), or a copy of some
// of its rows or of its transpose (owned), whose values are single precision when every one is
// exact in it (stars are): 8 bytes a rating instead of Eigen's 12, the same values.
class RatingRows {
 public:
  RatingRows() = default;
  RatingRows(const RatingRows&) = delete;
  RatingRows& operator=(const RatingRows&) = delete;
  RatingRows(RatingRows&&) = default;
  RatingRows& operator=(RatingRows&&) = default;

  // R's rows as they are.
  static RatingRows of(const SparseMatrix& r) {
    RatingRows rows;
    rows.rows_ = r.rows();
    rows.outer_ = r.outerIndexPtr();
    rows.inner_ = r.innerIndexPtr();
    rows.doubles_ = r.valuePtr();
    return rows;
  }

  // Columns [first, end) of R as rows (of Rᵀ), the others empty; each row's entries in R's row
  // order, as Eigen's transpose orders them. A counting sort on every core: each piece of R's
  // rows counts its entries per column, and then writes them after the earlier pieces' entries.
  static RatingRows columns_of(const SparseMatrix& r, Index first, Index end) {
    const int* outer = r.outerIndexPtr();
    const int* inner = r.innerIndexPtr();
    const double* values = r.valuePtr();
    const auto columns = static_cast<std::size_t>(r.cols());
    const std::vector<Index> bounds = balanced_bounds(r, static_cast<int>(kTransposePieces));
    // Per piece: its entries per column, then where its next one in each column goes.
    std::vector<std::vector<int>> next(kTransposePieces, std::vector<int>(columns, 0));
    std::vector<char> exact(kTransposePieces, 1);  // every value exact in single precision
    parallel_for(kTransposePieces, [&](std::size_t p) {
      std::vector<int>& counts = next[p];
      for (int at = outer[bounds[p]]; at < outer[bounds[p + 1]]; ++at) {
        if (inner[at] >= first && inner[at] < end) ++counts[static_cast<std::size_t>(inner[at])];
        exact[p] &=
            static_cast<char>(static_cast<double>(static_cast<float>(values[at])) == values[at]);
      }
    });
    RatingRows rows;
    rows.rows_ = r.cols();
    std::vector<int>& starts = rows.own_outer_;
    starts.assign(columns + 1, 0);
    for (std::size_t column = 0; column < columns; ++column) {
      int at = starts[column];
      for (std::vector<int>& piece : next) at += std::exchange(piece[column], at);
      starts[column + 1] = at;
    }
    const auto kept = static_cast<std::size_t>(starts.back());
    const bool floats = std::all_of(exact.begin(), exact.end(), [](char e) { return e != 0; });
    rows.own_inner_.reserve(kept);
    prefer_huge_pages(rows.own_inner_.data(), kept * sizeof(int));
    rows.own_inner_.resize(kept);
    if (floats) {
      rows.own_floats_.reserve(kept);
      prefer_huge_pages(rows.own_floats_.data(), kept * sizeof(float));
      rows.own_floats_.resize(kept);
    } else {
      rows.own_doubles_.resize(kept);
    }
    parallel_for(kTransposePieces, [&](std::size_t p) {
      std::vector<int>& to = next[p];
      for (Index row = bounds[p]; row < bounds[p + 1]; ++row) {
        for (int at = outer[row]; at < outer[row + 1]; ++at) {
          const int column = inner[at];
          if (column < first || column >= end) continue;
          const auto slot = static_cast<std::size_t>(to[static_cast<std::size_t>(column)]++);
          rows.own_inner_[slot] = static_cast<int>(row);
          if (floats) {
            rows.own_floats_[slot] = static_cast<float>(values[at]);
          } else {
            rows.own_doubles_[slot] = values[at];
          }
        }
      }
    });
    rows.point_at_own();
    return rows;
  }

  Index rows() const { return rows_; }
  const int* outer() const { return outer_; }
  const int* inner() const { return inner_; }
  // The values: single precision when every one is exact in it, else double (one is null).
  const float* floats() const { return floats_; }
  const double* doubles() const { return doubles_; }

 private:
  void point_at_own() {
    outer_ = own_outer_.data();
    inner_ = own_inner_.data();
    doubles_ = own_floats_.empty() ? own_doubles_.data() : nullptr;
    floats_ = own_floats_.empty() ? nullptr : own_floats_.data();
  }

  Index rows_ = 0;
  const int* outer_ = nullptr;
  const int* inner_ = nullptr;
  const double* doubles_ = nullptr;
  const float* floats_ = nullptr;
  std::vector<int> own_outer_;
  std::vector<int> own_inner_;
  std::vector<double> own_doubles_;
  std::vector<float> own_floats_;
};

// One half-step: every row of `solved` from the fixed side. In the biased model both sides
// store k factor columns and then the bias; a rating's features are then [q; 1] and its target
// r − μ − (the fixed side's bias).
struct HalfStep {
  const RatingRows* ratings = nullptr;  // rows: the side solved; columns: the fixed side
  const RowMatrixXf* fixed = nullptr;   // single-precision copy of the fixed side
  RowMatrixXd* solved = nullptr;
  bool biased = false;
  double mean = 0;             // μ (biased)
  double observed_weight = 1;  // 1 − w0: weight of an observed rating's (p·q)² in the Gram
  int cg_steps = 0;            // 0: exact solves; else conjugate-gradient steps per row
  Eigen::MatrixXd base;        // w0·XᵀX + λ_b on the bias (biased), lower triangle
  bool diagonal_base = false;  // w0 = 0: the base is λ_b on the bias alone
  Eigen::VectorXd row_penalty;  // per solved row: λ·(its ratings + w0·columns)^ν on its k factors
};

// Rows [first, end) of `r` cut into [first, end) ranges of about equal work (a row costs its
// ratings plus the solve).
std::vector<Index> pieces(const RatingRows& r, Index solve_cost, Index first, Index end) {
  const int* outer = r.outer();
  // The work of rows [first, row).
  const auto work = [&](Index row) {
    return static_cast<double>(outer[row] - outer[first] + (row - first) * solve_cost);
  };
  const double total = work(end);
  std::vector<Index> bounds{first};
  const std::size_t count = std::min<std::size_t>(kPieces, static_cast<std::size_t>(end - first));
  Index row = first;
  for (std::size_t p = 1; p < count; ++p) {
    const double target = total * static_cast<double>(p) / static_cast<double>(count);
    while (row < end && work(row + 1) <= target) ++row;
    if (row > bounds.back()) bounds.push_back(row);
  }
  bounds.push_back(end);
  return bounds;
}

// One process alone: nothing to share.
class NoExchange final : public AlsExchange {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void share_rows(RowMatrixXd&, const std::vector<Index>&) override {}
  double sum(double local) override { return local; }
};

// XᵀX of the rows of `x` (lower triangle), summed over fixed pieces in order.
Eigen::MatrixXd gram(const RowMatrixXd& x) {
  const Index rows = x.rows();
  const Index count = std::clamp<Index>(rows, 1, static_cast<Index>(kPieces));
  std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(count),
                                       Eigen::MatrixXd::Zero(x.cols(), x.cols()));
  parallel_for(static_cast<std::size_t>(count), [&](std::size_t p) {
    const Index first = rows * static_cast<Index>(p) / count;
    const Index end = rows * static_cast<Index>(p + 1) / count;
    partial[p].selfadjointView<Eigen::Lower>().rankUpdate(
        x.middleRows(first, end - first).transpose());
  });
  for (std::size_t p = 1; p < partial.size(); ++p) partial[0] += partial[p];
  return partial[0];
}

// The conjugate-gradient passes over a row's gathered ratings. Each gathered rating is the fixed
// side's row zero-padded to whole groups of 8 floats, so that a pass runs whole vectors from one
// rating to the next with its sums in registers. Eigen's general products spend more on their
// set-up than on the arithmetic for rows this short (k + 1 = 21 floats).
//
// The passes are compiled twice: with 8-float AVX2 vectors, and with 4-float SSE vectors for any
// x86-64 (two per group); each run picks the one its CPU has. Both do the same float operations
// in the same order (AVX2 without fused multiply-adds), so the factors are the same bit for bit.
constexpr Index kFloats = 8;
// GCC's vectors of 4 and 8 floats (SSE and AVX registers).
typedef float Floats4 __attribute__((vector_size(4 * sizeof(float))));
typedef float Floats8 __attribute__((vector_size(8 * sizeof(float))));
// Their lanes as bits.
typedef int Ints4 __attribute__((vector_size(4 * sizeof(int))));
typedef int Ints8 __attribute__((vector_size(8 * sizeof(int))));

Index padded_width(Index width) { return (width + kFloats - 1) / kFloats * kFloats; }

// A single-precision copy of `side` whose rows are padded with zeros to whole groups, as the row
// solver reads them.
void copy_padded(const RowMatrixXd& side, RowMatrixXf& copy) {
  copy.setZero(side.rows(), padded_width(side.cols()));
  copy.leftCols(side.cols()) = side.cast<float>();
}

// A vector read from, or written to, floats at any address. Through memcpy, which compiles to
// one unaligned move; by reference, since returning an AVX vector from a function compiled
// without AVX would change its calling convention.
template <typename Vector>
[[gnu::always_inline]] inline void load(Vector& vector, const float* at) {
  std::memcpy(&vector, at, sizeof vector);
}

template <typename Vector>
[[gnu::always_inline]] inline void store(float* at, const Vector& vector) {
  std::memcpy(at, &vector, sizeof vector);
}

// The sum of a group's 8 lanes, held in `parts` vectors, always added in the same order. Forced
// inline: in the unity build GCC left it a call, one per rating and pass (0.8 s of 5.9 in the
// half-steps of biased_als on 28M).
template <typename Vector>
[[gnu::always_inline]] inline float group_sum(const Vector* parts) {
  float lanes[kFloats];
  std::memcpy(lanes, parts, sizeof lanes);
  return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) +
         ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
}

// The kernels below read rows of `count` vectors (whole groups of kFloats); with Groups > 0 the
// row length is fixed at compile time, Groups groups, and their sums stay in registers.
template <typename Vector>
constexpr Index kLanes = sizeof(Vector) / sizeof(float);
template <typename Vector>
constexpr Index kParts = kFloats / kLanes<Vector>;  // vectors in a group
template <typename Vector, int Groups>
constexpr Index kHeld = std::max(Index{Groups}, Index{1}) * kParts<Vector>;  // sums in registers

// x·v, each lane's products summed in row order and the lanes by group_sum.
template <typename Vector>
[[gnu::always_inline]] inline float row_dot(const float* x, const float* v, Index count) {
  constexpr Index parts = kParts<Vector>;
  Vector dot[parts] = {};
  for (Index c = 0; c < count; ++c) {
    Vector x_part, v_part;
    load(x_part, x + c * kLanes<Vector>);
    load(v_part, v + c * kLanes<Vector>);
    if (c < parts) {
      dot[c] = x_part * v_part;
    } else {
      dot[c % parts] += x_part * v_part;
    }
  }
  return group_sum(dot);
}

// sum += weight·x: `held` in registers (Groups > 0), else `out` in memory.
template <typename Vector, int Groups>
[[gnu::always_inline]] inline void add_scaled(Vector* held, float* out, const float* x,
                                              float weight, Index count) {
  for (Index c = 0; c < count; ++c) {
    Vector x_part;
    load(x_part, x + c * kLanes<Vector>);
    if constexpr (Groups > 0) {
      held[c] += weight * x_part;
    } else {
      Vector sum;
      load(sum, out + c * kLanes<Vector>);
      store(out + c * kLanes<Vector>, Vector(sum + weight * x_part));
    }
  }
}

// Starts a sum in memory (Groups 0; the callers start `held` at zero).
template <typename Vector, int Groups>
[[gnu::always_inline]] inline void start_sum(float* out, Index count) {
  if constexpr (Groups == 0) std::fill(out, out + count * kLanes<Vector>, 0.0f);
}

// Ends a sum: `held` written to `out` (Groups > 0; else the sum is there already).
template <typename Vector, int Groups>
[[gnu::always_inline]] inline void end_sum(const Vector* held, float* out, Index count) {
  if constexpr (Groups > 0) {
    for (Index c = 0; c < count; ++c) store(out + c * kLanes<Vector>, held[c]);
  }
}

// The vectors in a row of `groups` groups, a compile-time constant when Groups > 0.
template <typename Vector, int Groups>
[[gnu::always_inline]] inline Index vectors_in_row(Index groups) {
  return (Groups > 0 ? Groups : groups) * kParts<Vector>;
}

// out = Σ_i (x_i·v)·x_i over the n rows x_i of `rows`, each `groups` groups long.
template <typename Vector, int Groups>
[[gnu::always_inline]] inline void weighted_row_sum(const float* rows, Index n, Index groups,
                                                    const float* v, float* out) {
  const Index count = vectors_in_row<Vector, Groups>(groups);
  Vector sums[kHeld<Vector, Groups>] = {};
  start_sum<Vector, Groups>(out, count);
  for (Index i = 0; i < n; ++i) {
    const float* x = rows + i * count * kLanes<Vector>;
    add_scaled<Vector, Groups>(sums, out, x, row_dot<Vector>(x, v, count), count);
  }
  end_sum<Vector, Groups>(sums, out, count);
}

// weighted_row_sum for rows of any length, with the sums in registers up to 4 groups (k up to
// 31).
template <typename Vector>
[[gnu::always_inline]] inline void row_sum_with(const float* rows, Index n, Index groups,
                                                const float* v, float* out) {
  switch (groups) {
    case 1:
      return weighted_row_sum<Vector, 1>(rows, n, groups, v, out);
    case 2:
      return weighted_row_sum<Vector, 2>(rows, n, groups, v, out);
    case 3:
      return weighted_row_sum<Vector, 3>(rows, n, groups, v, out);
    case 4:
      return weighted_row_sum<Vector, 4>(rows, n, groups, v, out);
    default:
      return weighted_row_sum<Vector, 0>(rows, n, groups, v, out);
  }
}

[[gnu::target("avx2")]] void row_sum_avx2(const float* rows, Index n, Index groups, const float* v,
                                          float* out) {
  row_sum_with<Floats8>(rows, n, groups, v, out);
}

void row_sum_sse(const float* rows, Index n, Index groups, const float* v, float* out) {
  row_sum_with<Floats4>(rows, n, groups, v, out);
}

void row_sum(const float* rows, Index n, Index groups, const float* v, float* out) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  (avx2 ? row_sum_avx2 : row_sum_sse)(rows, n, groups, v, out);
}

// One row's ratings for gather_rows: it copies their fixed rows into `block` and sums, in the same
// pass, b = Σ t_i·x_i and a_v = Σ (x_i·v)·x_i (the first conjugate-gradient pass, with v the row's
// last solution). The copy is what the later passes read; summing while copying spends the
// arithmetic in the wait for the scattered rows.
struct Gather {
  const float* fixed = nullptr;  // the fixed side, `padded` floats a row
  Index padded = 0;              // whole groups of kFloats
  const int* columns = nullptr;  // the n ratings' fixed rows
  Index readable = 0;  // columns readable from `columns` on: the row's, then the next rows'
  const float* float_values = nullptr;  // their values: one of these two is null
  const double* double_values = nullptr;
  Index n = 0;
  Index bias_lane = -1;      // biased: the fixed side's bias, which the copy replaces with 1
  double mean = 0;           // μ, subtracted from each value with the fixed side's bias (biased)
  const float* v = nullptr;  // padded; null: a_v is not summed
  float* block = nullptr;    // n rows of `padded` floats
  float* b = nullptr;        // padded
  float* a_v = nullptr;      // padded
};

// gather_rows for one vector type. Returns Σ t_i². The sums are weighted_row_sum's, in its
// order, so the factors are those of a copy followed by separate passes.
template <typename Vector, int Groups>
[[gnu::always_inline]] inline double gather_rows_with(const Gather& g) {
  using Bits = std::conditional_t<sizeof(Vector) == sizeof(Ints4), Ints4, Ints8>;
  constexpr Index lanes = kLanes<Vector>;
  const Index count = vectors_in_row<Vector, Groups>(g.padded / kFloats);
  Vector b_sums[kHeld<Vector, Groups>] = {};
  Vector a_sums[kHeld<Vector, Groups>] = {};
  start_sum<Vector, Groups>(g.b, count);
  start_sum<Vector, Groups>(g.a_v, count);
  // The copy's bias lane becomes 1 bit for bit: (x & keep) | one, with keep all ones elsewhere.
  const Index bias_part = g.bias_lane >= 0 ? g.bias_lane / lanes : -1;
  Bits keep{};
  Bits one{};
  for (Index lane = 0; lane < lanes; ++lane) {
    const bool bias = g.bias_lane >= 0 && lane == g.bias_lane % lanes;
    keep[lane] = bias ? 0 : -1;
    one[lane] = bias ? 0x3f800000 : 0;  // 1.0f
  }
  double squares = 0;
  for (Index i = 0; i < g.n; ++i) {
    // The fixed rows are read in the ratings' order, scattered over a matrix larger than the
    // cache: fetching a few ahead hides much of the memory latency. Past the row's end, the
    // next rows' (solved next) are fetched.
    if (i + kPrefetchAhead < g.readable) {
      const float* ahead = g.fixed + g.columns[i + kPrefetchAhead] * g.padded;
      for (Index line = 0; line < g.padded; line += kFloatsPerLine)
        __builtin_prefetch(ahead + line);
    }
    const float* source = g.fixed + g.columns[i] * g.padded;
    float* x = g.block + i * g.padded;
    for (Index c = 0; c < count; ++c) {
      Vector part;
      load(part, source + c * lanes);
      if (c == bias_part) part = (Vector)(((Bits)part & keep) | one);
      store(x + c * lanes, part);
    }
    double value = g.float_values != nullptr ? g.float_values[i] : g.double_values[i];
    if (g.bias_lane >= 0) value -= g.mean + double{source[g.bias_lane]};
    squares += value * value;
    add_scaled<Vector, Groups>(b_sums, g.b, x, static_cast<float>(value), count);
    if (g.v != nullptr)
      add_scaled<Vector, Groups>(a_sums, g.a_v, x, row_dot<Vector>(x, g.v, count), count);
  }
  end_sum<Vector, Groups>(b_sums, g.b, count);
  end_sum<Vector, Groups>(a_sums, g.a_v, count);
  return squares;
}

template <typename Vector>
[[gnu::always_inline]] inline double gather_rows_of(const Gather& g) {
  switch (g.padded / kFloats) {
    case 1:
      return gather_rows_with<Vector, 1>(g);
    case 2:
      return gather_rows_with<Vector, 2>(g);
    case 3:
      return gather_rows_with<Vector, 3>(g);
    case 4:
      return gather_rows_with<Vector, 4>(g);
    default:
      return gather_rows_with<Vector, 0>(g);
  }
}

[[gnu::target("avx2")]] double gather_rows_avx2(const Gather& g) {
  return gather_rows_of<Floats8>(g);
}

double gather_rows_sse(const Gather& g) { return gather_rows_of<Floats4>(g); }

double gather_rows(const Gather& g) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return (avx2 ? gather_rows_avx2 : gather_rows_sse)(g);
}

// Solves the rows of a half-step one by one, reusing its buffers from row to row.
//
// The Gram matrix and right-hand side are summed in single precision from a float copy of the
// fixed side: half the memory traffic of the scattered row reads and twice the arithmetic per
// vector instruction. Their relative error (about 1e-7 per term) is far below what matters to a
// factorisation fitted to noisy ratings; the k x k systems are solved in double.
class RowSolver {
 public:
  explicit RowSolver(const HalfStep& step)
      : step_(step),
        width_(step.solved->cols()),
        padded_(step.fixed->cols()),
        k_(step.biased ? width_ - 1 : width_),
        block_(kGatherRows, padded_),
        observed_gram_(width_, width_),
        observed_rhs_(width_),
        cholesky_(width_),
        pass_in_(Eigen::VectorXf::Zero(padded_)),
        b_pass_(padded_),
        a_pass_(padded_),
        x_(width_),
        b_(width_),
        residual_(width_),
        direction_(width_),
        a_direction_(width_) {}

  // Solves `row` and returns its share of the objective, Σ target² − 2xᵀb + xᵀAx (its ratings'
  // terms, its unobserved terms and its own penalty), which comes free with the solve.
  double solve(Index row) { return step_.cg_steps > 0 ? solve_cg(row) : solve_exact(row); }

 private:
  // Copies the fixed rows of ratings [at, end) into block_'s first rows, sums their targets
  // times them into b_pass_ and, when `v` is given, Σ (x_i·v)·x_i into a_pass_; returns the
  // targets' sum of squares.
  double gather(int at, int end, const float* v) {
    const RatingRows& ratings = *step_.ratings;
    Gather g;
    g.fixed = step_.fixed->data();
    g.padded = padded_;
    g.columns = ratings.inner() + at;
    g.readable = ratings.outer()[ratings.rows()] - at;
    g.float_values = ratings.floats() != nullptr ? ratings.floats() + at : nullptr;
    g.double_values = ratings.doubles() != nullptr ? ratings.doubles() + at : nullptr;
    g.n = end - at;
    g.bias_lane = step_.biased ? k_ : -1;
    g.mean = step_.mean;
    g.v = v;
    g.block = block_.data();
    g.b = b_pass_.data();
    g.a_v = a_pass_.data();
    return gather_rows(g);
  }

  // The exact solution x = A⁻¹b, A = base + (1 − w0)·XᵀX over the row's ratings, b = Xᵀt. At
  // the solution the row's objective is Σ t² − xᵀb.
  double solve_exact(Index row) {
    observed_gram_.setZero();
    observed_rhs_.setZero();
    double squares = 0;
    const int row_end = step_.ratings->outer()[row + 1];
    for (int at = step_.ratings->outer()[row]; at < row_end; at += kGatherRows) {
      const int stop = std::min(row_end, at + static_cast<int>(kGatherRows));
      squares += gather(at, stop, nullptr);
      const auto gathered = block_.topLeftCorner(stop - at, width_);
      if (step_.observed_weight != 0) {
        observed_gram_.selfadjointView<Eigen::Lower>().rankUpdate(
            gathered.transpose(), static_cast<float>(step_.observed_weight));
      }
      observed_rhs_ += b_pass_.head(width_);
    }
    system_ = step_.base + observed_gram_.cast<double>();
    system_.diagonal().head(k_).array() += step_.row_penalty[row];
    cholesky_.compute(system_);
    if (cholesky_.info() != Eigen::Success) {
      throw Error(
          fmt::format("ALS: the least-squares system of row {} is not positive definite "
                      "(values too large or too small?)",
                      row));
    }
    const Eigen::VectorXd rhs = observed_rhs_.cast<double>();
    auto solution = step_.solved->row(row);
    solution = cholesky_.solve(rhs).transpose();
    return squares - solution.dot(rhs);
  }

  // a_v = A·v without forming A: base·v + λ_row·v + (1 − w0)·Xᵀ(X·v), X being the gathered rows;
  // summed over them here, or given in a_pass_ by the gather.
  void times_a(const Eigen::VectorXd& v, Index n, Index row, Eigen::VectorXd& a_v) {
    pass_in_.head(width_) = v.cast<float>();
    row_sum(block_.data(), n, padded_ / kFloats, pass_in_.data(), a_pass_.data());
    add_unobserved(v, row, a_v);
  }

  // a_v = (1 − w0)·a_pass_ + base·v + λ_row·v.
  void add_unobserved(const Eigen::VectorXd& v, Index row, Eigen::VectorXd& a_v) {
    a_v = a_pass_.head(width_).cast<double>();
    a_v *= step_.observed_weight;
    if (step_.diagonal_base) {
      a_v += step_.base.diagonal().cwiseProduct(v);
    } else {
      a_v.noalias() += step_.base.selfadjointView<Eigen::Lower>() * v;
    }
    a_v.head(k_) += step_.row_penalty[row] * v.head(k_);
  }

  // cg_steps conjugate-gradient steps on A·x = b from the row's last solution (Takács, Pilászy
  // and Tikk 2011): each step lowers the row's objective, at about 4·ratings·k operations
  // instead of the exact solve's ratings·k² + k³/3. The row's objective is
  // Σ t² − 2xᵀb + xᵀAx = Σ t² − xᵀb − xᵀr with the residual r = b − Ax.
  double solve_cg(Index row) {
    const int row_begin = step_.ratings->outer()[row];
    const Index n = step_.ratings->outer()[row + 1] - row_begin;
    if (block_.rows() < n) block_.resize(n, padded_);
    auto solution = step_.solved->row(row);
    x_ = solution.transpose();
    pass_in_.head(width_) = x_.cast<float>();
    const double squares = gather(row_begin, row_begin + static_cast<int>(n), pass_in_.data());
    b_ = b_pass_.head(width_).cast<double>();
    add_unobserved(x_, row, a_direction_);
    residual_ = b_ - a_direction_;
    direction_ = residual_;
    double residual_squares = residual_.squaredNorm();
    for (int s = 0; s < step_.cg_steps && residual_squares > 0; ++s) {
      times_a(direction_, n, row, a_direction_);
      const double curvature = direction_.dot(a_direction_);
      if (!(curvature > 0)) break;
      const double alpha = residual_squares / curvature;
      x_ += alpha * direction_;
      residual_ -= alpha * a_direction_;
      const double next_squares = residual_.squaredNorm();
      direction_ = residual_ + (next_squares / residual_squares) * direction_;
      residual_squares = next_squares;
    }
    solution = x_.transpose();
    return squares - x_.dot(b_) - x_.dot(residual_);
  }

  const HalfStep& step_;
  Index width_;   // k, or k + 1 with the bias
  Index padded_;  // width_ rounded up to whole vectors of kFloats
  Index k_;
  RowMatrixXf block_;  // the gathered fixed rows, padded_ floats each
  Eigen::MatrixXf observed_gram_;
  Eigen::VectorXf observed_rhs_;
  Eigen::MatrixXd system_;
  Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> cholesky_;
  // The passes' vectors (padded; pass_in_ zero beyond width_): v, Σ t_i·x_i, Σ (x_i·v)·x_i.
  Eigen::VectorXf pass_in_;
  Eigen::VectorXf b_pass_;
  Eigen::VectorXf a_pass_;
  Eigen::VectorXd x_;
  Eigen::VectorXd b_;
  Eigen::VectorXd residual_;
  Eigen::VectorXd direction_;
  Eigen::VectorXd a_direction_;
};

// Solves rows [first, end) of the half-step; returns the rows' share of the objective.
double half_step(HalfStep& step, Index first, Index end) {
  const std::vector<Index> bounds = pieces(*step.ratings, step.solved->cols(), first, end);
  std::vector<double> objective(bounds.size() - 1, 0.0);
  parallel_for(objective.size(), [&](std::size_t p) {
    RowSolver solver(step);
    for (Index row = bounds[p]; row < bounds[p + 1]; ++row) objective[p] += solver.solve(row);
  });
  double total = 0;
  for (const double part : objective) total += part;
  return total;
}

void check(const SparseMatrix& r, const AlsOptions& options) {
  if (r.rows() == 0 || r.cols() == 0 || r.nonZeros() == 0) {
    throw Error(fmt::format("ALS: cannot factorise an empty matrix ({} x {}, no stored values)",
                            r.rows(), r.cols()));
  }
  const double* values = r.valuePtr();
  if (!std::all_of(values, values + r.nonZeros(), [](double v) { return std::isfinite(v); })) {
    throw Error("ALS: cannot factorise a matrix holding NaN or infinite values");
  }
  const auto out_of_range = [](const char* key, const std::string& rule, double value) {
    throw Error(fmt::format("ALS: {} must be {}, got {}", key, rule, value));
  };
  if (options.k < 1) out_of_range("train.k", "at least 1", options.k);
  // More factors than the smaller side cannot be told apart (SVD refuses them too).
  if (options.k > std::min(r.rows(), r.cols())) {
    throw Error(
        fmt::format("ALS: train.k = {} is out of range for a {} x {} matrix: k must be "
                    "from 1 to {} (the smaller side)",
                    options.k, r.rows(), r.cols(), std::min(r.rows(), r.cols())));
  }
  if (options.iterations < 1)
    out_of_range("train.als_iterations", "at least 1", options.iterations);
  if (options.cg_steps < 0) out_of_range("train.als_cg_steps", "at least 0", options.cg_steps);
  if (!(options.missing_weight >= 0 && options.missing_weight <= 1)) {
    out_of_range("train.als_missing_weight", "from 0 to 1", options.missing_weight);
  }
  if (!(options.regularization > 0 && std::isfinite(options.regularization))) {
    out_of_range("train.als_regularization", "above 0", options.regularization);
  }
  if (!(options.regularization_exponent >= 0 && options.regularization_exponent <= 1)) {
    out_of_range("train.als_regularization_exponent", "from 0 to 1",
                 options.regularization_exponent);
  }
  if (!(options.bias_regularization >= 0 && std::isfinite(options.bias_regularization))) {
    out_of_range("train.bias_regularization", "at least 0", options.bias_regularization);
  }
}

// Seeded normals of standard deviation 1/√k in the first k columns; the rest (a bias) 0.
RowMatrixXd starting_factors(Index rows, Index width, int k, std::uint64_t seed) {
  RowMatrixXd factors = RowMatrixXd::Zero(rows, width);
  std::mt19937_64 rng(seed);
  Eigen::VectorXd normals(k);
  const double scale = 1.0 / std::sqrt(static_cast<double>(k));
  for (Index row = 0; row < rows; ++row) {
    standard_normals(rng, normals.data(), static_cast<std::size_t>(k));
    factors.row(row).head(k) = scale * normals.transpose();
  }
  return factors;
}

// The diagonal penalty of one side without its factors' λ: λ_b on the bias when there is one.
Eigen::MatrixXd bias_penalty(Index width, int k, const AlsOptions& options) {
  Eigen::VectorXd diagonal = Eigen::VectorXd::Zero(width);
  if (width > k) diagonal[k] = options.bias_regularization;
  return diagonal.asDiagonal();
}

// Each row's λ on its factors: λ·(its ratings + w0·(the other side's rows))^ν (Rendle et al.
// 2022's frequency scaling; ν = 0 gives λ for every row). counts[row]: the row's ratings.
Eigen::VectorXd row_penalties(const std::vector<int>& counts, Index other_side, double w0,
                              const AlsOptions& options) {
  Eigen::VectorXd penalties(static_cast<Index>(counts.size()));
  const double unobserved = w0 * static_cast<double>(other_side);
  for (std::size_t row = 0; row < counts.size(); ++row) {
    const auto count = static_cast<double>(counts[row]);
    penalties[static_cast<Index>(row)] =
        options.regularization_exponent == 0
            ? options.regularization
            : options.regularization *
                  std::pow(count + unobserved, options.regularization_exponent);
  }
  return penalties;
}

// The ratings of each row of `r`, and of each column.
std::vector<int> row_counts(const SparseMatrix& r) {
  std::vector<int> counts(static_cast<std::size_t>(r.rows()));
  for (Index row = 0; row < r.rows(); ++row) {
    counts[static_cast<std::size_t>(row)] = r.outerIndexPtr()[row + 1] - r.outerIndexPtr()[row];
  }
  return counts;
}

std::vector<int> column_counts(const SparseMatrix& r) {
  std::vector<int> counts(static_cast<std::size_t>(r.cols()), 0);
  for (Index at = 0; at < r.nonZeros(); ++at)
    ++counts[static_cast<std::size_t>(r.innerIndexPtr()[at])];
  return counts;
}

Eigen::VectorXd row_penalties(const SparseMatrix& ratings, double w0, const AlsOptions& options) {
  return row_penalties(row_counts(ratings), ratings.cols(), w0, options);
}

// What the objective charges rows [first, end) of the side that was held fixed in the last
// half-step.
double fixed_penalty(const RowMatrixXd& side, const Eigen::VectorXd& row_penalty, int k,
                     const AlsOptions& options, Index first, Index end) {
  double total = 0;
  for (Index row = first; row < end; ++row) {
    total += row_penalty[row] * side.row(row).head(k).squaredNorm();
  }
  if (side.cols() > k) {
    total += options.bias_regularization * side.col(k).segment(first, end - first).squaredNorm();
  }
  return total;
}

double fixed_penalty(const RowMatrixXd& side, const Eigen::VectorXd& row_penalty, int k,
                     const AlsOptions& options) {
  return fixed_penalty(side, row_penalty, k, options, 0, side.rows());
}

// The ratings a process solves from: R and Rᵀ whole on one process (R borrowed, Rᵀ a compact
// copy); on several, its users' rows of its share of R (borrowed: the half-step reads no other
// row) and its movies' rows of Rᵀ (a compact copy). Each penalty is right for the rows the
// process solves (their ratings are whole in its share), the only ones it charges.
struct AlsSides {
  RatingRows users;
  RatingRows movies;
  Eigen::VectorXd user_penalty;
  Eigen::VectorXd movie_penalty;
};

AlsSides split_sides(const SparseMatrix& r, double w0, const AlsOptions& options,
                     const AlsPartition& partition) {
  AlsSides sides;
  sides.user_penalty = row_penalties(row_counts(r), r.cols(), w0, options);
  sides.movie_penalty = row_penalties(column_counts(r), r.rows(), w0, options);
  if (partition.exchange->size() == 1) {
    sides.users = RatingRows::of(r);
    sides.movies = RatingRows::columns_of(r, 0, r.cols());
    return sides;
  }
  const auto rank = static_cast<std::size_t>(partition.exchange->rank());
  sides.users = RatingRows::of(r);
  sides.movies =
      RatingRows::columns_of(r, partition.movie_bounds[rank], partition.movie_bounds[rank + 1]);
  return sides;
}

// Runs the iterations on both sides' storage; `users` needs no start (it is solved first).
std::vector<double> alternate(const SparseMatrix& r, RowMatrixXd& users, RowMatrixXd& movies,
                              bool biased, double mean, const AlsOptions& options,
                              const AlsPartition& partition) {
  AlsExchange& exchange = *partition.exchange;
  const auto rank = static_cast<std::size_t>(exchange.rank());
  const double w0 = biased ? 0.0 : options.missing_weight;
  AlsSides sides = split_sides(r, w0, options, partition);
  const Eigen::MatrixXd reg = bias_penalty(movies.cols(), options.k, options);
  RowMatrixXf fixed;
  const auto step = [&](const RatingRows& ratings, RowMatrixXd& solved, Eigen::VectorXd penalty) {
    return HalfStep{.ratings = &ratings,
                    .fixed = &fixed,
                    .solved = &solved,
                    .biased = biased,
                    .mean = mean,
                    .observed_weight = 1.0 - w0,
                    .cg_steps = options.cg_steps,
                    .base = {},
                    .diagonal_base = w0 == 0,
                    .row_penalty = std::move(penalty)};
  };
  HalfStep user_step = step(sides.users, users, std::move(sides.user_penalty));
  HalfStep movie_step = step(sides.movies, movies, std::move(sides.movie_penalty));
  std::vector<double> objective;
  for (int iteration = 1; iteration <= options.iterations; ++iteration) {
    user_step.base = w0 > 0 ? Eigen::MatrixXd(w0 * gram(movies) + reg) : reg;
    copy_padded(movies, fixed);
    half_step(user_step, partition.user_bounds[rank], partition.user_bounds[rank + 1]);
    exchange.share_rows(users, partition.user_bounds);
    movie_step.base = w0 > 0 ? Eigen::MatrixXd(w0 * gram(users) + reg) : reg;
    copy_padded(users, fixed);
    // Each process charges its own rows: it knows the penalties of those alone.
    const double movie_terms =
        half_step(movie_step, partition.movie_bounds[rank], partition.movie_bounds[rank + 1]);
    const double user_terms =
        fixed_penalty(users, user_step.row_penalty, options.k, options, partition.user_bounds[rank],
                      partition.user_bounds[rank + 1]);
    objective.push_back(exchange.size() == 1 ? movie_terms + user_terms
                                             : exchange.sum(movie_terms + user_terms));
    exchange.share_rows(movies, partition.movie_bounds);
    if (options.progress) options.progress(iteration, objective.back());
  }
  return objective;
}

AlsFactors weighted_fit(const SparseMatrix& r, const AlsOptions& options,
                        const AlsPartition& partition) {
  check(r, options);
  AlsFactors result;
  result.movies = starting_factors(r.cols(), options.k, options.k, options.seed);
  result.users = RowMatrixXd::Zero(r.rows(), options.k);  // conjugate gradients start from it
  result.objective = alternate(r, result.users, result.movies, false, 0.0, options, partition);
  return result;
}

BiasedFactors biased_fit(const SparseMatrix& r, const AlsOptions& options,
                         const AlsPartition& partition) {
  check(r, options);
  const Index k = options.k;
  // μ over the ratings of each process's users (its share's rows are whole), summed: exact,
  // whatever the order, for values like stars (multiples of 1/2 under 2⁵³ in total).
  AlsExchange& exchange = *partition.exchange;
  const auto rank = static_cast<std::size_t>(exchange.rank());
  const int* outer = r.outerIndexPtr();
  const int first = outer[partition.user_bounds[rank]];
  const int end = outer[partition.user_bounds[rank + 1]];
  const double* values = r.valuePtr();
  double sum = 0;
  for (int i = first; i < end; ++i) sum += values[i];
  auto count = static_cast<double>(end - first);
  if (exchange.size() > 1) {
    sum = exchange.sum(sum);
    count = exchange.sum(count);
  }
  BiasedFactors result;
  result.global_mean = sum / count;
  // Each side: k factor columns, then its bias.
  RowMatrixXd movies = starting_factors(r.cols(), k + 1, options.k, options.seed);
  RowMatrixXd users = RowMatrixXd::Zero(r.rows(), k + 1);
  result.objective = alternate(r, users, movies, true, result.global_mean, options, partition);
  result.users = users.leftCols(k);
  result.user_bias = users.col(k);
  result.movies = movies.leftCols(k);
  result.movie_bias = movies.col(k);
  return result;
}

// One process solving every row.
AlsPartition alone(const SparseMatrix& r, NoExchange& exchange) {
  return {{0, r.rows()}, {0, r.cols()}, &exchange};
}

void check_partition(const SparseMatrix& r, const AlsPartition& partition) {
  const auto valid = [&](const std::vector<Index>& bounds, Index rows) {
    return partition.exchange != nullptr &&
           bounds.size() == static_cast<std::size_t>(partition.exchange->size()) + 1 &&
           bounds.front() == 0 && bounds.back() == rows &&
           std::is_sorted(bounds.begin(), bounds.end());
  };
  if (!valid(partition.user_bounds, r.rows()) || !valid(partition.movie_bounds, r.cols())) {
    throw Error("ALS: the processes' row blocks do not cover the matrix");
  }
}

}  // namespace

AlsFactors weighted_als(const SparseMatrix& r, const AlsOptions& options) {
  NoExchange exchange;
  return weighted_fit(r, options, alone(r, exchange));
}

BiasedFactors biased_als(const SparseMatrix& r, const AlsOptions& options) {
  NoExchange exchange;
  return biased_fit(r, options, alone(r, exchange));
}

AlsFactors weighted_als(const SparseMatrix& r, const AlsOptions& options,
                        const AlsPartition& partition) {
  check_partition(r, partition);
  return weighted_fit(r, options, partition);
}

BiasedFactors biased_als(const SparseMatrix& r, const AlsOptions& options,
                         const AlsPartition& partition) {
  check_partition(r, partition);
  return biased_fit(r, options, partition);
}

std::vector<Index> balanced_bounds(const SparseMatrix& r, int parts) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(r.rows()));
  for (Index row = 0; row < r.rows(); ++row) {
    counts[static_cast<std::size_t>(row)] = r.outerIndexPtr()[row + 1] - r.outerIndexPtr()[row];
  }
  return balanced_bounds(counts, parts);
}

std::vector<Index> balanced_bounds(const std::vector<std::int64_t>& counts, int parts) {
  const auto rows = static_cast<Index>(counts.size());
  const double total =
      static_cast<double>(std::accumulate(counts.begin(), counts.end(), std::int64_t{0}));
  std::vector<Index> bounds{0};
  Index row = 0;
  std::int64_t through = counts.empty() ? 0 : counts[0];  // the ratings of rows [0, row]
  for (int p = 1; p < parts; ++p) {
    const double target = total * p / parts;
    while (row < rows && static_cast<double>(through) <= target) {
      ++row;
      if (row < rows) through += counts[static_cast<std::size_t>(row)];
    }
    bounds.push_back(row);
  }
  bounds.push_back(rows);
  return bounds;
}

double weighted_als_objective(const SparseMatrix& r, const RowMatrixXd& users,
                              const RowMatrixXd& movies, double missing_weight,
                              double regularization, double regularization_exponent) {
  double observed = 0;
  double observed_products = 0;
  for (Index row = 0; row < r.rows(); ++row) {
    for (SparseMatrix::InnerIterator it(r, row); it; ++it) {
      const double product = users.row(row).dot(movies.row(it.index()));
      observed += (it.value() - product) * (it.value() - product);
      observed_products += product * product;
    }
  }
  // Σ over all pairs of (p·q)² = Σ of the elementwise product of PᵀP and QᵀQ.
  const Eigen::MatrixXd user_gram = users.transpose() * users;
  const Eigen::MatrixXd movie_gram = movies.transpose() * movies;
  const double all_products = user_gram.cwiseProduct(movie_gram).sum();
  AlsOptions options;
  options.regularization = regularization;
  options.regularization_exponent = regularization_exponent;
  const SparseMatrix transposed = r.transpose();
  const double penalty = fixed_penalty(users, row_penalties(r, missing_weight, options),
                                       static_cast<int>(users.cols()), options) +
                         fixed_penalty(movies, row_penalties(transposed, missing_weight, options),
                                       static_cast<int>(movies.cols()), options);
  return observed + missing_weight * (all_products - observed_products) + penalty;
}

double biased_als_objective(const SparseMatrix& r, const BiasedFactors& factors,
                            double regularization, double bias_regularization) {
  double observed = 0;
  for (Index row = 0; row < r.rows(); ++row) {
    for (SparseMatrix::InnerIterator it(r, row); it; ++it) {
      const Index column = it.index();
      const double predicted = factors.global_mean + factors.user_bias[row] +
                               factors.movie_bias[column] +
                               factors.users.row(row).dot(factors.movies.row(column));
      observed += (it.value() - predicted) * (it.value() - predicted);
    }
  }
  return observed + regularization * (factors.users.squaredNorm() + factors.movies.squaredNorm()) +
         bias_regularization * (factors.user_bias.squaredNorm() + factors.movie_bias.squaredNorm());
}

}  // namespace movierec
