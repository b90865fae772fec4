// train_svd on several processes started by Open MPI's mpirun: the same ALS model as on one
// process, each process holding only its share of the ratings (its users' rows and its movies'
// columns: read_rating_share, training.hpp), solving that block of the users and of the movies
// (balanced_bounds, by ratings), and the blocks shared after each half-step (MPI_Allgatherv: the
// factors stay whole on every process). Only distributed.cpp and train_svd link MPI; this header
// names none of it.
//
// Per iteration, every process receives the rows the others solved: (users + movies)·width
// doubles less its own blocks (width = k, or k + 1 with the biases), and takes part in one
// MPI_Allreduce of the objective.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "movierec/data/pipeline_config.hpp"
#include "movierec/io/progress.hpp"

namespace movierec {

// True when Open MPI's mpirun started this process (it sets OMPI_COMM_WORLD_SIZE). Without it,
// train_svd never initialises MPI and runs exactly as on one machine.
bool started_by_mpirun();

// train_model (training.hpp) on every process of the job: initialises MPI, and on every process
// reads its share of processed_dir's train ratings (read_rating_share), then fits train.model (als or biased_als; svd is
// refused with Error before any work) with the rows shared out, and finalises MPI. Process 0
// writes out_dir atomically, once every process has finished its part, and reports to
// `progress`; the manifest gains "mpi": {processes, bytes_per_iteration (received, summed over
// the processes), touched_rows_bytes_per_iteration (what exchanging only the rows each process's
// ratings touch would have moved, summed likewise: measured, not done), ratings_held (summed over
// the processes), seconds_per_iteration (each, on process 0), exchange_seconds_per_iteration
// (process 0's mean time in MPI calls: transfers and waiting for the slowest process)}. Returns the
// manifest on process 0, nothing on the others. An error on any process prints "<program>: error:
// process R of N: <what>" on stderr and ends every process of the job (MPI_Abort, exit status 1):
// out_dir keeps what it held.
std::optional<nlohmann::json> train_model_mpi(const std::string& program,
                                              const std::filesystem::path& processed_dir,
                                              const std::filesystem::path& out_dir,
                                              const PipelineConfig& config,
                                              const ProgressSink& progress);

}  // namespace movierec
