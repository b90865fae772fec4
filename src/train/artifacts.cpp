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

namespace fs = std::filesystem;

namespace movierec {
namespace {

constexpr const char* kUserEmbeddings = "user_embeddings.npy";
constexpr const char* kMovieEmbeddings = "movie_embeddings.npy";
constexpr const char* kUserMap = "user_map.json";
constexpr const char* kMovieMap = "movie_map.json";
constexpr const char* kUserBias = "user_bias.npy";
constexpr const char* kMovieBias = "movie_bias.npy";
constexpr const char* kManifest = "manifest.json";
constexpr int kJsonIndent = 2;

// The command that rebuilds `dir`, for every ModelError.
std::string fix_for(const fs::path& dir) {
  const std::string command = "build/bin/train_svd";
  fs::path normal = dir.lexically_normal();
  if (normal.filename().empty()) normal = normal.parent_path();  // "artifacts/"
  return normal == "artifacts" ? command : command + " --out " + dir.string();
}

// Opens dir/name, turning a missing file into a ModelError that says how to make it.
std::ifstream open_artifact(const fs::path& dir, const char* name) {
  const fs::path path = dir / name;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw ModelError(path.string() + " is missing" +
                         (fs::is_directory(dir, ec) ? "" : " (no folder " + dir.string() + ")"),
                     fix_for(dir));
  }
  try {
    return open_input(path);
  } catch (const InputError& e) {
    throw ModelError(e.what(), fix_for(dir));
  }
}

nlohmann::json read_json(const fs::path& dir, const char* name) {
  std::ifstream in = open_artifact(dir, name);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw ModelError((dir / name).string() + ": not valid JSON: " + e.what(), fix_for(dir));
  }
}

RowMatrixXf read_embeddings(const fs::path& dir, const char* name) {
  std::ifstream in = open_artifact(dir, name);
  try {
    RowMatrixXf matrix = read_npy_matrix(in, (dir / name).string());
    if (!matrix.allFinite()) {
      throw InputError((dir / name).string(), 0, "holds NaN or infinite values");
    }
    return matrix;
  } catch (const InputError& e) {
    throw ModelError(e.what(), fix_for(dir));
  }
}

Eigen::VectorXf read_bias(const fs::path& dir, const char* name, const IdMap& map,
                          const char* map_name) {
  std::ifstream in = open_artifact(dir, name);
  Eigen::VectorXf bias;
  try {
    bias = read_npy_vector(in, (dir / name).string());
  } catch (const InputError& e) {
    throw ModelError(e.what(), fix_for(dir));
  }
  if (!bias.allFinite()) {
    throw ModelError((dir / name).string() + ": holds NaN or infinite values", fix_for(dir));
  }
  if (static_cast<std::size_t>(bias.size()) != map.size()) {
    throw ModelError(fmt::format("{}: has {} values but {} maps {} ids", (dir / name).string(),
                                 bias.size(), map_name, map.size()),
                     fix_for(dir));
  }
  return bias;
}

// The optional biases: both files and the manifest's global_mean, or none of the three.
void read_biases(Artifacts& artifacts, const fs::path& dir) {
  std::error_code ec;
  const bool user_file = fs::exists(dir / kUserBias, ec);
  const bool movie_file = fs::exists(dir / kMovieBias, ec);
  const auto mean = artifacts.manifest.find("global_mean");
  const bool has_mean = mean != artifacts.manifest.end();
  if (!user_file && !movie_file && !has_mean) return;
  const auto fail = [&](const std::string& problem) {
    throw ModelError(dir.string() + ": " + problem, fix_for(dir));
  };
  if (user_file != movie_file) {
    fail(fmt::format("{} is there but {} is missing (a model with biases has both)",
                     user_file ? kUserBias : kMovieBias, user_file ? kMovieBias : kUserBias));
  }
  if (!has_mean) fail(fmt::format("{} records no global_mean for the bias files", kManifest));
  if (!mean->is_number() || !std::isfinite(mean->get<double>())) {
    fail(fmt::format("{}: global_mean {} is not a finite number", kManifest, mean->dump()));
  }
  if (!user_file)
    fail(fmt::format("{} records a global_mean but {} is missing", kManifest, kUserBias));
  artifacts.global_mean = mean->get<double>();
  artifacts.user_bias = read_bias(dir, kUserBias, artifacts.user_map, kUserMap);
  artifacts.movie_bias = read_bias(dir, kMovieBias, artifacts.movie_map, kMovieMap);
}

IdMap read_map(const fs::path& dir, const char* name) {
  const nlohmann::json json = read_json(dir, name);
  try {
    return IdMap::from_json(json, (dir / name).string());
  } catch (const InputError& e) {
    throw ModelError(e.what(), fix_for(dir));
  }
}

// The manifest's format version and k; everything else in it is informational.
int check_manifest(const nlohmann::json& manifest, const fs::path& dir) {
  const std::string source = (dir / kManifest).string();
  const auto fail = [&](const std::string& problem) {
    throw ModelError(source + ": " + problem, fix_for(dir));
  };
  if (!manifest.is_object()) fail("expected a JSON object");
  const auto version = manifest.find("format_version");
  if (version == manifest.end() || !version->is_number_integer()) {
    fail("'format_version' is missing or not an integer");
  }
  if (*version != kArtifactsFormatVersion) {
    fail(fmt::format("format version {} is not supported (this program reads version {})",
                     version->dump(), kArtifactsFormatVersion));
  }
  const auto k = manifest.find("k");
  if (k == manifest.end() || !k->is_number_integer() || *k < 1) {
    fail("'k' is missing or not a positive integer");
  }
  return k->get<int>();
}

// Embeddings must have one row per id of their map, and k columns.
void check_shape(const RowMatrixXf& embeddings, const IdMap& map, int k, const fs::path& dir,
                 const char* embeddings_name, const char* map_name) {
  const auto problem = [&](const std::string& text) {
    throw ModelError((dir / embeddings_name).string() + ": " + text, fix_for(dir));
  };
  if (static_cast<std::size_t>(embeddings.rows()) != map.size()) {
    problem(fmt::format("has {} rows but {} maps {} ids", embeddings.rows(), map_name, map.size()));
  }
  if (embeddings.cols() != k) {
    problem(fmt::format("has {} columns but the manifest says k = {}", embeddings.cols(), k));
  }
}

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
  write_json(out, kUserMap, artifacts.user_map.to_json());
  write_json(out, kMovieMap, artifacts.movie_map.to_json());
  write_json(out, kManifest, manifest);
  out.commit();
}

Artifacts load_artifacts(const fs::path& dir) {
  Artifacts artifacts;
  artifacts.manifest = read_json(dir, kManifest);
  const int k = check_manifest(artifacts.manifest, dir);
  artifacts.user_map = read_map(dir, kUserMap);
  artifacts.movie_map = read_map(dir, kMovieMap);
  artifacts.user_embeddings = read_embeddings(dir, kUserEmbeddings);
  artifacts.movie_embeddings = read_embeddings(dir, kMovieEmbeddings);
  check_shape(artifacts.user_embeddings, artifacts.user_map, k, dir, kUserEmbeddings, kUserMap);
  check_shape(artifacts.movie_embeddings, artifacts.movie_map, k, dir, kMovieEmbeddings, kMovieMap);
  read_biases(artifacts, dir);
  return artifacts;
}

}  // namespace movierec
