// The offline model (seed section 5): the users x movies matrix of the configured target built
// from processed/, its truncated SVD, the validation RMSE, and the artifacts train_svd writes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "movierec/artifacts.hpp"
#include "movierec/config.hpp"
#include "movierec/pipeline.hpp"
#include "movierec/svd.hpp"

namespace movierec {

// A rating of at least this many stars counts as a like (target "like", and the evaluator's
// simulated users).
inline constexpr float kLikeStars = 4.0f;

// What the matrix holds for each rating (config key train.target):
//   final_rating  the seed's signal, rating_norm * pop_weight * time_weight
//   rating_norm   stars minus the user's train mean
//   rating        stars
//   like          1 when stars >= kLikeStars, else 0
enum class Target { kFinalRating, kRatingNorm, kRating, kLike };

// Throws ConfigError (key train.target) for another name.
Target parse_target(const std::string& name);
double target_value(const TransformedRating& rating, Target target);

struct RatingMatrix {
  SparseMatrix values;  // users x movies, one stored value per rating
  IdMap users;          // row -> userId, ids ascending
  IdMap movies;         // column -> movieId, ids ascending
};

// The matrix of `target` over `ratings` (any order). Throws InputError naming `source` when a
// (user, movie) pair appears twice, and Error when `ratings` is empty.
RatingMatrix build_rating_matrix(const std::vector<TransformedRating>& ratings, Target target,
                                 const std::string& source);

struct Validation {
  std::optional<double> rmse;  // of user · movie against the target; none when no row is scored
  std::size_t rows = 0;        // rows scored
  std::size_t skipped = 0;     // rows whose user or movie has no embedding
};

// Scores every rating whose user and movie have embeddings with predict() (seed 5.5).
Validation validate(const Artifacts& model, const std::vector<TransformedRating>& ratings,
                    Target target);

// The artifacts of a truncated SVD of `matrix`: user_embeddings = U·Σ, movie_embeddings = V,
// and the manifest's k, singular_values and rows. Throws Error as truncated_svd does.
Artifacts factorise(const RatingMatrix& matrix, int k, const SvdOptions& options);

// The whole train_svd step. Reads processed_dir/manifest.json and the train and validation
// files, checking their checksums against the manifest (ModelError, fix: preprocess, when
// anything is missing or changed), trains with `config`, and writes out_dir atomically
// (save_artifacts): nothing is written when any step fails. Returns the manifest written. Shows
// progress on stderr when it is a terminal.
nlohmann::json train_model(const std::filesystem::path& processed_dir,
                           const std::filesystem::path& out_dir, const PipelineConfig& config);

// A few lines for people: matrix size, nonzeros, k, the largest singular values, the
// validation RMSE and rows, the time taken. `manifest` is what train_model returns.
void print_training_summary(std::ostream& out, const nlohmann::json& manifest);

}  // namespace movierec
