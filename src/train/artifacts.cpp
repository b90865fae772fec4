#include "movierec/train/artifacts.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/train/artifacts_folder.hpp"
#include "artifact_files.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

using namespace artifact_files;

constexpr int kJsonIndent = 2;

void write_json(const AtomicDirectory& dir, const char* name, const nlohmann::json& json) {
  std::ofstream out = dir.create(name);
  out << json.dump(kJsonIndent) << '\n';
  out.close();
  if (!out) throw Error("cannot write " + (dir.path() / name).string() + " (disk full?)");
}

template <typename Array>
void write_array(const AtomicDirectory& dir, const char* name, const Array& matrix) {
  std::ofstream out = dir.create(name);
  write_npy(out, matrix);
  out.close();
  if (!out) throw Error("cannot write " + (dir.path() / name).string() + " (disk full?)");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// IdMap

IdMap::IdMap(std::vector<std::int32_t> ids)
    : ids_(std::move(ids)),
      index_(ids_, [](std::int32_t id) { return id; }),
      rows_(index_.size(), IdIndex::kNone) {
  for (std::size_t row = 0; row < ids_.size(); ++row) {
    std::size_t& slot = rows_[index_.find(ids_[row])];
    if (slot != IdIndex::kNone) {
      throw Error(
          fmt::format("id {} appears twice in an id map (rows {} and {})", ids_[row], slot, row));
    }
    slot = row;
  }
}

std::optional<std::size_t> IdMap::row(std::int32_t id) const {
  const std::size_t position = index_.find(id);
  if (position == IdIndex::kNone) return std::nullopt;
  return rows_[position];
}

nlohmann::json IdMap::to_json() const {
  nlohmann::json json = nlohmann::json::object();
  for (std::size_t row = 0; row < ids_.size(); ++row) json[std::to_string(ids_[row])] = row;
  return json;
}

IdMap IdMap::from_json(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw InputError(source, 0, "expected a JSON object {\"<id>\": row}");
  const std::size_t n = json.size();
  std::vector<std::int32_t> ids(n);
  std::vector<bool> seen(n, false);
  for (const auto& [key, value] : json.items()) {
    const std::optional<std::int64_t> id = parse_int(key);
    // Only the canonical spelling, so that a map reads back to exactly the ids written.
    if (!id || *id < std::numeric_limits<std::int32_t>::min() ||
        *id > std::numeric_limits<std::int32_t>::max() || std::to_string(*id) != key) {
      throw InputError(source, 0, "key \"" + key + "\" is not an integer id");
    }
    if (!value.is_number_integer() || value < 0 || value >= n) {
      throw InputError(
          source, 0,
          fmt::format("id {}: row {} is not an integer from 0 to {}", key, value.dump(), n - 1));
    }
    const auto row = value.get<std::size_t>();
    if (seen[row]) throw InputError(source, 0, fmt::format("row {} is given twice", row));
    seen[row] = true;
    ids[row] = static_cast<std::int32_t>(*id);
  }
  // n distinct rows from 0..n-1 cover them all, and distinct keys give distinct ids.
  return IdMap(std::move(ids));
}

// ---------------------------------------------------------------------------------------------
// Saving and loading

void save_artifacts(const fs::path& dir, const Artifacts& artifacts) {
  // Refuse to write what load_artifacts would refuse to read.
  const auto k = artifacts.user_embeddings.cols();
  if (static_cast<std::size_t>(artifacts.user_embeddings.rows()) != artifacts.user_map.size() ||
      static_cast<std::size_t>(artifacts.movie_embeddings.rows()) != artifacts.movie_map.size() ||
      artifacts.movie_embeddings.cols() != k || k < 1) {
    throw Error(
        fmt::format("inconsistent artifacts: users {} x {} for {} ids, movies {} x {} for {} ids",
                    artifacts.user_embeddings.rows(), k, artifacts.user_map.size(),
                    artifacts.movie_embeddings.rows(), artifacts.movie_embeddings.cols(),
                    artifacts.movie_map.size()));
  }
  const bool biases = artifacts.user_bias.size() > 0 || artifacts.movie_bias.size() > 0;
  if (biases &&
      (static_cast<std::size_t>(artifacts.user_bias.size()) != artifacts.user_map.size() ||
       static_cast<std::size_t>(artifacts.movie_bias.size()) != artifacts.movie_map.size())) {
    throw Error(
        fmt::format("inconsistent artifacts: {} user biases for {} ids, {} movie biases for "
                    "{} ids",
                    artifacts.user_bias.size(), artifacts.user_map.size(),
                    artifacts.movie_bias.size(), artifacts.movie_map.size()));
  }
  const auto outside = static_cast<std::size_t>(artifacts.outside_embeddings.rows());
  if (outside != artifacts.outside_map.size() ||
      outside != static_cast<std::size_t>(artifacts.outside_ratings.size()) ||
      (outside > 0 && artifacts.outside_embeddings.cols() != k)) {
    throw Error(fmt::format(
        "inconsistent artifacts: outside movies {} x {} for {} ids and {} rating counts", outside,
        artifacts.outside_embeddings.cols(), artifacts.outside_map.size(),
        artifacts.outside_ratings.size()));
  }
  const RowMatrixXf& lead_ins = artifacts.lead_in_rows;
  if (lead_ins.rows() != artifacts.lead_in_weights.rows() ||
      lead_ins.cols() != artifacts.lead_in_weights.cols() ||
      (lead_ins.cols() > 0 &&
       (static_cast<std::size_t>(lead_ins.rows()) != artifacts.movie_map.size() ||
        artifacts.movie_map.size() >= kLeadInRowLimit))) {
    throw Error(fmt::format(
        "inconsistent artifacts: lead-in rows {} x {} and weights {} x {} for {} movies",
        lead_ins.rows(), lead_ins.cols(), artifacts.lead_in_weights.rows(),
        artifacts.lead_in_weights.cols(), artifacts.movie_map.size()));
  }
  nlohmann::json manifest = artifacts.manifest;
  manifest["format_version"] = kArtifactsFormatVersion;
  manifest["k"] = k;
  manifest.erase("global_mean");
  if (biases) manifest["global_mean"] = artifacts.global_mean;

  AtomicDirectory out(dir);
  write_array(out, kUserEmbeddings, artifacts.user_embeddings);
  write_array(out, kMovieEmbeddings, artifacts.movie_embeddings);
  if (biases) {
    write_array(out, kUserBias, artifacts.user_bias);
    write_array(out, kMovieBias, artifacts.movie_bias);
  }
  if (outside > 0) {
    write_array(out, kOutsideEmbeddings, artifacts.outside_embeddings);
    write_array(out, kOutsideRatings, artifacts.outside_ratings);
    write_json(out, kOutsideMap, artifacts.outside_map.to_json());
  }
  if (artifacts.has_lead_ins()) {
    write_array(out, kLeadInRows, artifacts.lead_in_rows);
    write_array(out, kLeadInWeights, artifacts.lead_in_weights);
  }
  write_json(out, kUserMap, artifacts.user_map.to_json());
  write_json(out, kMovieMap, artifacts.movie_map.to_json());
  write_json(out, kManifest, manifest);
  out.commit();
}

Artifacts load_artifacts(const fs::path& dir) { return ArtifactsFolder(dir).load(); }

}  // namespace movierec
