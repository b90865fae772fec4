// Compiled into movierec_mpi (CMakeLists.txt), which only train_svd links: the one file that
// includes <mpi.h>.
#include "movierec/train/distributed.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <vector>

#include "movierec/data/processed_folder.hpp"
#include "movierec/io/error.hpp"
#include "movierec/train/training.hpp"

namespace movierec {
namespace {

// The rows of a side shared with MPI_Allgatherv over MPI_COMM_WORLD, counting the bytes this
// process receives.
class MpiExchange final : public AlsExchange {
 public:
  MpiExchange() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void share_rows(RowMatrixXd& side, const std::vector<Eigen::Index>& bounds) override {
    std::vector<int> counts(static_cast<std::size_t>(size_));
    std::vector<int> offsets(static_cast<std::size_t>(size_));
    const Eigen::Index width = side.cols();
    // MPI counts are int: a block of more than 2³¹ doubles would need a derived datatype.
    if (side.size() > std::numeric_limits<int>::max()) {
      throw Error(fmt::format("MPI: {} x {} factors are too many values for one exchange",
                              side.rows(), width));
    }
    for (std::size_t p = 0; p < counts.size(); ++p) {
      counts[p] = static_cast<int>((bounds[p + 1] - bounds[p]) * width);
      offsets[p] = static_cast<int>(bounds[p] * width);
    }
    const auto start = std::chrono::steady_clock::now();
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, side.data(), counts.data(), offsets.data(),
                   MPI_DOUBLE, MPI_COMM_WORLD);
    received_ += static_cast<std::uint64_t>(side.size() - counts[static_cast<std::size_t>(rank_)]) *
                 sizeof(double);
    waited_ += std::chrono::steady_clock::now() - start;
  }

  double sum(double local) override {
    double total = 0;
    const auto start = std::chrono::steady_clock::now();
    MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    waited_ += std::chrono::steady_clock::now() - start;
    return total;
  }

  // Bytes received by every process together so far (a collective call).
  std::uint64_t received_by_all() {
    std::uint64_t total = 0;
    MPI_Allreduce(&received_, &total, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    return total;
  }

  // Seconds this process spent in exchanges so far: the transfers, and waiting for the slowest.
  double seconds_exchanging() const { return waited_.count(); }

 private:
  int rank_ = 0;
  int size_ = 1;
  std::uint64_t received_ = 0;
  std::chrono::duration<double> waited_{0};
};

// Bytes per iteration that exchanging only the rows each process's ratings touch
// (MPI_Alltoallv) would have moved, summed over the processes: for its user half-step, the
// movies its users rated that others solve; for its movie half-step, the users who rated its
// movies that others solve; plus, when w0 > 0, the width x width Gram matrices of both sides
// (each half-step needs QᵀQ or PᵀP of the whole side: an MPI_Allreduce of the processes' parts),
// counted as (N − 1) matrices received by each. Measured, to choose between the two.
double touched_bytes(const SparseMatrix& r, const RatingShare& share, int width, bool whole_grams,
                     MpiExchange& exchange) {
  const auto rank = static_cast<std::size_t>(exchange.rank());
  const Eigen::Index user_first = share.user_bounds[rank], user_end = share.user_bounds[rank + 1];
  const Eigen::Index movie_first = share.movie_bounds[rank];
  const Eigen::Index movie_end = share.movie_bounds[rank + 1];
  std::vector<char> movie_touched(static_cast<std::size_t>(r.cols()), 0);
  std::vector<char> user_touched(static_cast<std::size_t>(r.rows()), 0);
  for (Eigen::Index row = 0; row < r.rows(); ++row) {
    const bool mine = row >= user_first && row < user_end;
    for (SparseMatrix::InnerIterator it(r, row); it; ++it) {
      if (mine) movie_touched[static_cast<std::size_t>(it.index())] = 1;
      if (it.index() >= movie_first && it.index() < movie_end) {
        user_touched[static_cast<std::size_t>(row)] = 1;
      }
    }
  }
  double rows = 0;
  for (Eigen::Index c = 0; c < r.cols(); ++c) {
    rows += movie_touched[static_cast<std::size_t>(c)] != 0 && (c < movie_first || c >= movie_end);
  }
  for (Eigen::Index u = 0; u < r.rows(); ++u) {
    rows += user_touched[static_cast<std::size_t>(u)] != 0 && (u < user_first || u >= user_end);
  }
  const double grams = whole_grams ? 2.0 * (exchange.size() - 1) * width * width : 0.0;
  return exchange.sum((rows * width + grams) * static_cast<double>(sizeof(double)));
}

// ALS on the process's share with the rows shared out among the processes; adds the "mpi"
// record to the manifest. `matrix` and `share`'s bounds are what read_rating_share gave this
// process.
Artifacts fit_shared(const RatingMatrix& matrix, const RatingShare& share,
                     const PipelineConfig& config, const ProgressSink& progress) {
  MpiExchange exchange;
  AlsPartition partition{share.user_bounds, share.movie_bounds, &exchange};
  const bool biased = config.model == FactorModel::kBiasedAls;
  const int width = config.k + (biased ? 1 : 0);
  const double alltoallv_bytes = touched_bytes(matrix.values, share, width,
                                               !biased && config.als_missing_weight > 0, exchange);
  const double held = exchange.sum(static_cast<double>(matrix.values.nonZeros()));
  AlsOptions options = als_options(config);
  std::vector<double> seconds;
  auto last = std::chrono::steady_clock::now();
  options.progress = [&](int iteration, double) {
    const auto now = std::chrono::steady_clock::now();
    seconds.push_back(std::chrono::duration<double>(now - last).count());
    last = now;
    if (progress) {
      progress("ALS iterations", static_cast<std::size_t>(iteration),
               static_cast<std::size_t>(config.als_iterations));
    }
  };
  Artifacts artifacts = factorise_als(matrix, options, biased, config.movie_scaling, &partition);
  artifacts.manifest["rows"]["nonzeros"] = share.nonzeros;  // not the share's
  artifacts.manifest["mpi"] = {
      {"processes", exchange.size()},
      {"bytes_per_iteration",
       exchange.received_by_all() / static_cast<std::uint64_t>(config.als_iterations)},
      {"touched_rows_bytes_per_iteration", static_cast<std::uint64_t>(alltoallv_bytes)},
      {"ratings_held", static_cast<std::int64_t>(held)},
      {"seconds_per_iteration", seconds},
      {"exchange_seconds_per_iteration", exchange.seconds_exchanging() / config.als_iterations}};
  return artifacts;
}

}  // namespace

bool started_by_mpirun() { return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr; }

std::optional<nlohmann::json> train_model_mpi(const std::string& program,
                                              const std::filesystem::path& processed_dir,
                                              const std::filesystem::path& out_dir,
                                              const PipelineConfig& config,
                                              const ProgressSink& progress) {
  int provided = 0;
  // Only the main thread calls MPI; the row solves run on worker threads in between.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::optional<nlohmann::json> manifest;
  try {
    if (config.model == FactorModel::kSvd) {
      throw Error(
          "train.model svd does not run on several processes: use als or biased_als under "
          "mpirun, or run train_svd alone");
    }
    // The reader keeps the share's bounds and count for the fit (share.matrix stays empty) and
    // hands train_model the share's matrix (its rows and columns alone).
    RatingShare share;
    const MatrixRead read = [&](const ProcessedFolder& processed, const std::string& file,
                                Target target, const ProgressSink& read_progress) {
      RatingShare got = read_rating_share(processed, file, target, size, rank, read_progress);
      share.user_bounds = std::move(got.user_bounds);
      share.movie_bounds = std::move(got.movie_bounds);
      share.nonzeros = got.nonzeros;
      // Swapped out, never moved or assigned: Eigen's SparseMatrix has no move constructor or
      // assignment (they would copy the ratings).
      RatingMatrix matrix;
      matrix.values.swap(got.matrix.values);
      matrix.users = std::move(got.matrix.users);
      matrix.movies = std::move(got.matrix.movies);
      return matrix;
    };
    const ModelFit fit = [&](const RatingMatrix& matrix, const PipelineConfig& fit_config,
                             const ProgressSink& fit_progress) {
      return fit_shared(matrix, share, fit_config, fit_progress);
    };
    nlohmann::json written =
        train_model(ProcessedFolder(processed_dir), out_dir, config,
                    rank == 0 ? progress : ProgressSink{}, read, fit, rank == 0);
    // The others wait until process 0 has written (or failed to: then it ends them all).
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) manifest = std::move(written);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: process %d of %d: %s\n", program.c_str(), rank, size,
                 e.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return manifest;
}

}  // namespace movierec
