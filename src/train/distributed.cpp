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

// ALS with the rows shared out among the processes; adds the "mpi" record to the manifest.
Artifacts fit_shared(const RatingMatrix& matrix, const PipelineConfig& config,
                     const ProgressSink& progress) {
  MpiExchange exchange;
  AlsPartition partition{balanced_bounds(matrix.values, exchange.size()),
                         balanced_bounds(SparseMatrix(matrix.values.transpose()), exchange.size()),
                         &exchange};
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
  Artifacts artifacts = factorise_als(matrix, options, config.model == FactorModel::kBiasedAls,
                                      config.movie_scaling, &partition);
  artifacts.manifest["mpi"] = {
      {"processes", exchange.size()},
      {"bytes_per_iteration",
       exchange.received_by_all() / static_cast<std::uint64_t>(config.als_iterations)},
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
    nlohmann::json written =
        train_model(ProcessedFolder(processed_dir), out_dir, config,
                    rank == 0 ? progress : ProgressSink{}, fit_shared, rank == 0);
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
