// The artifacts/ folder: what train_svd writes and every program loads.
//
//   user_embeddings.npy   users x k float32 (row i is the user in user_map with row i): U·Σ
//                         for the default SVD (training.hpp says what each model writes)
//   movie_embeddings.npy  movies x k float32: V for the default SVD
//   user_bias.npy         optional, users float32 (1-D): a model with biases (biased_als)
//   movie_bias.npy        optional, movies float32 (1-D); present exactly when user_bias.npy is
//   user_map.json         {"<userId>": row, ...}
//   movie_map.json        {"<movieId>": row, ...}
//   outside_movie_embeddings.npy, outside_movie_map.json, outside_movie_ratings.npy
//                         optional, all three or none: the release's movies outside the
//                         trained catalog (outside_movies.hpp), outside x k float32, their
//                         {"<movieId>": row}, and per row the train ratings the vector was
//                         folded from (float32; 0 = placed by content alone)
//   lead_in_rows.npy, lead_in_weights.npy
//                         optional, both or none: per trained movie (movie_map rows) its
//                         heaviest lead-ins (lead_ins.hpp), movies x count float32: the rows
//                         of the movies (whole numbers below 2^24, -1 past the last) and
//                         their weights (>= 0, 0 past the last), heaviest first
//   manifest.json         format_version, program, created (UTC, ISO 8601), k, model,
//                         movie_scaling, singular_values (svd only), config (the pipeline config
//                         used), rows {users, movies, nonzeros}, inputs {"<file>": checksum}
//                         for each processed/ file trained or validated on (training_inputs,
//                         training.hpp; as in processed/manifest.json), predicts (what predict() estimates: "stars"
//                         or the target's name), global_mean (present exactly when the bias
//                         files are), validation_rmse, seconds
//
// How the factors and biases combine into a score is scoring.hpp's business, and only its.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "movierec/io/id_index.hpp"
#include "movierec/io/npy.hpp"

namespace movierec {

inline constexpr int kArtifactsFormatVersion = 1;

// MovieLens ids and matrix rows, both ways.
class IdMap {
 public:
  IdMap() = default;
  // Row i holds ids[i]. Throws Error on a repeated id.
  explicit IdMap(std::vector<std::int32_t> ids);

  std::size_t size() const { return ids_.size(); }
  std::int32_t id(std::size_t row) const { return ids_[row]; }
  std::optional<std::size_t> row(std::int32_t id) const;
  const std::vector<std::int32_t>& ids() const { return ids_; }

  // {"<id>": row, ...}
  nlohmann::json to_json() const;
  // Throws InputError naming `source` unless the object maps integer ids onto rows 0..n-1,
  // each row once.
  static IdMap from_json(const nlohmann::json& json, const std::string& source);

 private:
  std::vector<std::int32_t> ids_;
  IdIndex index_;                  // id -> position among the ids in increasing order
  std::vector<std::size_t> rows_;  // position -> row
};

struct Artifacts {
  RowMatrixXf user_embeddings;   // users x k
  RowMatrixXf movie_embeddings;  // movies x k
  // A model with biases has one per user and one per movie, and its global mean; a model
  // without has both vectors empty and global_mean 0.
  Eigen::VectorXf user_bias;
  Eigen::VectorXf movie_bias;
  double global_mean = 0;
  IdMap user_map;
  IdMap movie_map;
  // The movies outside the trained catalog (none when outside_map is empty): their vectors in
  // the same space, ids and evidence (train ratings folded in, 0 for content alone).
  RowMatrixXf outside_embeddings;
  IdMap outside_map;
  Eigen::VectorXf outside_ratings;
  // Per trained movie its lead-ins (none when both are empty): rows and weights, as the files.
  RowMatrixXf lead_in_rows;
  RowMatrixXf lead_in_weights;
  nlohmann::json manifest;

  bool has_biases() const { return movie_bias.size() > 0; }
  bool has_lead_ins() const { return lead_in_rows.cols() > 0; }
};

// Writes every file into `dir` at once (AtomicDirectory); sets manifest["format_version"] and
// manifest["k"], and manifest["global_mean"] when the artifacts have biases. Throws Error if the
// embeddings disagree with the maps or with each other's k, the biases with the embeddings, or
// the lead-ins with the trained movies or each other.
void save_artifacts(const std::filesystem::path& dir, const Artifacts& artifacts);

// Reads `dir` and checks it: every file present, readable and well-formed, the format version
// known, embedding rows equal to the id maps' sizes, both embeddings with the manifest's k
// columns, every value finite; the bias files both or neither, each of its map's length, and
// present exactly when the manifest has a numeric global_mean; the lead-in files both or
// neither, one row per trained movie, rows whole and below the trained movies (or -1), weights
// finite and >= 0. Throws ModelError (naming the file and the fix: train_svd).
Artifacts load_artifacts(const std::filesystem::path& dir);

}  // namespace movierec
