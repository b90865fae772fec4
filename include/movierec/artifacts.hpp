// The artifacts/ folder: what train_svd writes and every program loads.
//
//   user_embeddings.npy   users x k float32: U·Σ (row i is the user in user_map with row i)
//   movie_embeddings.npy  movies x k float32: V
//   user_map.json         {"<userId>": row, ...}
//   movie_map.json        {"<movieId>": row, ...}
//   manifest.json         format_version, program, created (UTC, ISO 8601), k,
//                         singular_values, config (the pipeline config used), rows {users,
//                         movies, nonzeros}, inputs {"train_transformed.csv": checksum,
//                         "val_transformed.csv": checksum} (as in processed/manifest.json),
//                         validation_rmse, seconds
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "movierec/id_index.hpp"
#include "movierec/npy.hpp"

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
  IdMap user_map;
  IdMap movie_map;
  nlohmann::json manifest;
};

// Writes every file into `dir` at once (AtomicDirectory); sets manifest["format_version"] and
// manifest["k"]. Throws Error if the embeddings disagree with the maps or with each other's k.
void save_artifacts(const std::filesystem::path& dir, const Artifacts& artifacts);

// Reads `dir` and checks it: every file present, readable and well-formed, the format version
// known, embedding rows equal to the id maps' sizes, both embeddings with the manifest's k
// columns, every value finite. Throws ModelError (naming the file and the fix: train_svd).
Artifacts load_artifacts(const std::filesystem::path& dir);

}  // namespace movierec
