// The offline model (seed section 5): the users x movies matrix of the configured target built
// from processed/, its factorisation by the configured model, the validation RMSE, and the
// artifacts train_svd writes.
//
// What each model (config train.model) writes as embeddings, by train.movie_scaling:
//   svd         v: users U·Σ, movies V (the seed's);  v_sigma: users U, movies V·Σ
//   als         users P, movies Q (als.hpp, weighted_als)
//   biased_als  users P, movies Q, and user_bias, movie_bias, global_mean (als.hpp, biased_als;
//               target rating only)
// and normalized: each movie vector scaled to length 1 (a zero vector stays 0), users as trained
// (so user · movie no longer reconstructs the matrix; it ranks by cosine-like similarity). In
// every case user · movie (+ the biases, artifacts.hpp's predict) estimates the target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "movierec/data/pipeline.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/io/progress.hpp"
#include "movierec/train/als.hpp"
#include "movierec/train/artifacts.hpp"
#include "movierec/train/svd.hpp"

namespace movierec {

// A rating of at least this many stars counts as a like (target "like", and the evaluator's
// simulated users).
inline constexpr float kLikeStars = 4.0f;

// What the matrix holds for `rating` under `target` (Target, pipeline_config.hpp).
double target_value(const TransformedRating& rating, Target target);
// True for the targets made of stars alone (rating, like), which a rating file's columns give:
// target_value of such a target reads only `rating.rating`.
bool stars_target(Target target);

// The train and validation files train_svd reads for `target`: train.csv and val.csv for a
// stars_target (the same stars as the _transformed files, in a quarter of the bytes), else
// train_transformed.csv and val_transformed.csv.
struct TrainingInputs {
  const char* train;
  const char* val;
};
TrainingInputs training_inputs(Target target);

// One entry of a rating matrix: a rating's ids and its target_value.
struct TargetRating {
  std::int32_t user;
  std::int32_t movie;
  double value;
};

// The TargetRatings of the rating file `file` of `processed` handed to `consume` block by block,
// in file order: its rating columns alone for a stars_target (ProcessedFolder::
// read_rating_blocks), all its columns otherwise (read_transformed_blocks, which refuses a file
// without them). Throws ModelError as those do. `progress` gets the bytes read.
void read_target_blocks(const ProcessedFolder& processed, const std::string& file, Target target,
                        const std::function<void(std::span<const TargetRating>)>& consume,
                        const ProgressSink& progress = {});
// All of them at once.
std::vector<TargetRating> read_target_rows(const ProcessedFolder& processed,
                                           const std::string& file, Target target);

// A prediction of `target` for the rating's user and movie in the seed's final_rating units,
// converted with that rating's own transform (pipeline.hpp), so that models of every target are
// compared on one scale:
//   final_rating  the prediction itself
//   rating_norm   prediction · pop_weight · time_weight
//   rating        (prediction − user mean) · pop_weight · time_weight, the user mean being
//                 stars − rating_norm (the mean preprocess subtracted)
//   like          none: a like score has no final_rating equivalent
std::optional<double> as_final_rating(double prediction, const TransformedRating& rating,
                                      Target target);

struct RatingMatrix {
  SparseMatrix values;  // users x movies, one stored value per rating
  IdMap users;          // row -> userId, ids ascending
  IdMap movies;         // column -> movieId, ids ascending
};

// The matrix of `target` over `ratings` (any order). Throws InputError naming `source` when a
// (user, movie) pair appears twice, and Error when `ratings` is empty.
RatingMatrix build_rating_matrix(const std::vector<TransformedRating>& ratings, Target target,
                                 const std::string& source);

// build_rating_matrix over ratings given block by block (a file streamed: read_target_blocks),
// each rating stored once, as it comes, in the matrix's own arrays (12 bytes; no table of whole
// rows). Ratings grouped by user, as processed/ holds them, need no other copy; a user met in
// several places costs one reordering copy in finish().
class RatingMatrixBuilder {
 public:
  // `expected`: the ratings to reserve room for (0: grow as they come).
  explicit RatingMatrixBuilder(std::string source, std::size_t expected = 0);
  void add(std::span<const TargetRating> ratings);
  // The matrix, as build_rating_matrix makes it of the same ratings in the same order; throws as
  // it does. The builder is empty afterwards.
  RatingMatrix finish();

 private:
  std::string source_;
  SparseMatrix storage_;  // its arrays grow with the ratings: movie ids (as read), values
  std::size_t size_ = 0;
  std::vector<std::int32_t> run_users_;  // each run of consecutive ratings of one user
  std::vector<std::size_t> run_starts_;  // where it starts
};

// One process's share of the train ratings when `parts` processes train together (train_svd
// under mpirun): the matrix has the whole matrix's shape and id maps (the same on every process)
// but holds only the whole rows of the process's users and the whole columns of its movies
// (what ALS's partitioned form reads: als.hpp), the blocks cut for equal ratings.
struct RatingShare {
  RatingMatrix matrix;
  std::vector<Eigen::Index> user_bounds;   // parts + 1: process p solves users [b[p], b[p + 1])
  std::vector<Eigen::Index> movie_bounds;  // and movies alike
  std::int64_t nonzeros = 0;               // of the whole matrix
};

// Reads `file` of `processed` twice, block by block: first only the ratings per user and per
// movie (to cut the blocks: balanced_bounds), then keeping, as it parses, the ratings of process
// `part`'s users and movies and dropping the rest: about 2·nonzeros/parts ratings held, 12 bytes
// each. Every process computes the same maps and bounds. Throws as build_rating_matrix does (a
// repeated pair is found by every process whose share holds it), ModelError as
// read_target_blocks does. `progress` gets the second pass's bytes.
RatingShare read_rating_share(const ProcessedFolder& processed, const std::string& file,
                              Target target, int parts, int part,
                              const ProgressSink& progress = {});

struct Validation {
  std::optional<double> rmse;  // of predict() against the target; none when no row is scored
  std::size_t rows = 0;        // rows scored
  std::size_t skipped = 0;     // rows whose user or movie has no embedding
};

// Scores every rating whose user and movie have embeddings with predict() (seed 5.5).
Validation validate(const Artifacts& model, const std::vector<TransformedRating>& ratings,
                    Target target);
// The same of ratings already turned into their target (read_target_blocks): 16 bytes a row
// where a TransformedRating takes 56, so that millions of validation rows stay small.
Validation validate(const Artifacts& model, const std::vector<TargetRating>& ratings);

// The artifacts of a truncated SVD of `matrix`: user_embeddings = U·Σ, movie_embeddings = V
// (scaling v_sigma: U and V·Σ; normalized: U·Σ and V's rows at length 1), and the manifest's
// model, movie_scaling, k, singular_values and rows. Throws Error as truncated_svd does.
Artifacts factorise(const RatingMatrix& matrix, int k, const SvdOptions& options,
                    MovieScaling scaling = MovieScaling::kV);

// The artifacts of weighted_als (or biased_als when `biased`) of `matrix`: users P, movies Q
// (scaling normalized: Q's rows at length 1), the biases when biased, and the manifest's model,
// movie_scaling, k, rows and als {iterations, objective per iteration}. `scaling` is v or
// normalized: an ALS model has no singular values to scale by (PipelineConfig::validate refuses
// v_sigma for it). Throws Error as weighted_als does.
// With `partition`, the rows are solved by the processes it names (als.hpp); every process
// returns the same artifacts.
Artifacts factorise_als(const RatingMatrix& matrix, const AlsOptions& options, bool biased,
                        MovieScaling scaling = MovieScaling::kV,
                        const AlsPartition* partition = nullptr);

// The ALS options that the train.* keys of `config` set (no progress callback).
AlsOptions als_options(const PipelineConfig& config);

// The model `config` asks for (train.model, train.k, train.movie_scaling and the svd_ or als_
// keys), reporting the SVD's matrix-vector products or the ALS iterations to `progress`. Throws
// Error as the factorisations do.
Artifacts fit_model(const RatingMatrix& matrix, const PipelineConfig& config,
                    const ProgressSink& progress = {});

// The whole train_svd step. Reads the train and validation files of `processed` that
// training_inputs names for the target (manifest "inputs" records them), checked against
// its manifest (ModelError, fix: processed.fix(), when anything is missing or changed), trains
// with `config` (and, when train.lead_in_window is above 0, the lead-ins of train.csv: manifest
// "lead_ins", lead_ins.hpp), and writes out_dir atomically (save_artifacts): nothing is written
// when any step fails. Returns the manifest written. Reports the bytes of the train file read, then
// fit_model's steps, to `progress`.
nlohmann::json train_model(const ProcessedFolder& processed, const std::filesystem::path& out_dir,
                           const PipelineConfig& config, const ProgressSink& progress = {});

// How train_model fits: fit_model, or the same model shared out over processes (distributed.hpp).
using ModelFit =
    std::function<Artifacts(const RatingMatrix&, const PipelineConfig&, const ProgressSink&)>;

// How train_model reads the train file `file` into the matrix it fits: whole (read_rating_matrix),
// or one process's share (read_rating_share, in distributed.cpp).
using MatrixRead = std::function<RatingMatrix(const ProcessedFolder&, const std::string& file,
                                              Target, const ProgressSink&)>;

// The whole matrix of `file`, streamed block by block (read_target_blocks) into a
// RatingMatrixBuilder.
RatingMatrix read_rating_matrix(const ProcessedFolder& processed, const std::string& file,
                                Target target, const ProgressSink& progress = {});

// train_model with the matrix read by `read` and the model fitted by `fit`, and out_dir written
// only when `write` (the other processes of a distributed fit compute the same manifest, without
// the lead-ins, which only the writer reads the whole train file for, and write nothing).
nlohmann::json train_model(const ProcessedFolder& processed, const std::filesystem::path& out_dir,
                           const PipelineConfig& config, const ProgressSink& progress,
                           const MatrixRead& read, const ModelFit& fit, bool write);

// Gives every other movie of the release a vector (add_outside_movies, outside_movies.hpp) from
// processed/'s movie_metadata.csv and rare_train_transformed.csv, when it lists them (older
// folders lack the second: content vectors only; hand-made ones may lack both: nothing). Records
// manifest["outside_movies"] and the rare file's checksum among manifest["inputs"], which must
// be set already.
void add_release_movies(Artifacts& artifacts, const ProcessedFolder& processed,
                        const PipelineConfig& config);

// The pipeline config artifacts record: preprocess's sections as it ran them (from
// processed/manifest.json, `processed`), the train section from `config`.
nlohmann::json recorded_config(const PipelineConfig& config, const nlohmann::json& processed);

// A few lines for people: matrix size, nonzeros, the model and k, its largest singular values
// (svd) or objective (ALS), the validation RMSE and rows, the time taken. `manifest` is what
// train_model returns.
void print_training_summary(std::ostream& out, const nlohmann::json& manifest);

}  // namespace movierec
