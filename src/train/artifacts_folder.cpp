#include "movierec/train/artifacts_folder.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "artifact_files.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/npy.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

using namespace artifact_files;

// Opens dir/name, turning a missing file into a ModelError that says how to make it.
std::ifstream open_artifact(const ArtifactsFolder& folder, const char* name) {
  const fs::path path = folder.dir() / name;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw folder.error(
        path.string() + " is missing" +
        (fs::is_directory(folder.dir(), ec) ? "" : " (no folder " + folder.dir().string() + ")"));
  }
  try {
    return open_input(path);
  } catch (const InputError& e) {
    throw folder.error(e.what());
  }
}

nlohmann::json read_json(const ArtifactsFolder& folder, const char* name) {
  std::ifstream in = open_artifact(folder, name);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw folder.error((folder.dir() / name).string() + ": not valid JSON: " + e.what());
  }
}

RowMatrixXf read_embeddings(const ArtifactsFolder& folder, const char* name) {
  std::ifstream in = open_artifact(folder, name);
  const std::string source = (folder.dir() / name).string();
  try {
    RowMatrixXf matrix = read_npy_matrix(in, source);
    if (!matrix.allFinite()) throw InputError(source, 0, "holds NaN or infinite values");
    return matrix;
  } catch (const InputError& e) {
    throw folder.error(e.what());
  }
}

Eigen::VectorXf read_bias(const ArtifactsFolder& folder, const char* name, const IdMap& map,
                          const char* map_name) {
  std::ifstream in = open_artifact(folder, name);
  const std::string source = (folder.dir() / name).string();
  Eigen::VectorXf bias;
  try {
    bias = read_npy_vector(in, source);
  } catch (const InputError& e) {
    throw folder.error(e.what());
  }
  if (!bias.allFinite()) throw folder.error(source + ": holds NaN or infinite values");
  if (static_cast<std::size_t>(bias.size()) != map.size()) {
    throw folder.error(fmt::format("{}: has {} values but {} maps {} ids", source, bias.size(),
                                   map_name, map.size()));
  }
  return bias;
}

// The optional biases: both files and the manifest's global_mean, or none of the three.
void read_biases(Artifacts& artifacts, const ArtifactsFolder& folder) {
  const fs::path& dir = folder.dir();
  std::error_code ec;
  const bool user_file = fs::exists(dir / kUserBias, ec);
  const bool movie_file = fs::exists(dir / kMovieBias, ec);
  const auto mean = artifacts.manifest.find("global_mean");
  const bool has_mean = mean != artifacts.manifest.end();
  if (!user_file && !movie_file && !has_mean) return;
  const auto fail = [&](const std::string& problem) {
    throw folder.error(dir.string() + ": " + problem);
  };
  if (user_file != movie_file) {
    fail(fmt::format("{} is there but {} is missing (a model with biases has both)",
                     user_file ? kUserBias : kMovieBias, user_file ? kMovieBias : kUserBias));
  }
  if (!has_mean) fail(fmt::format("{} records no global_mean for the bias files", kManifest));
  if (!mean->is_number() || !std::isfinite(mean->get<double>())) {
    fail(fmt::format("{}: global_mean {} is not a finite number", kManifest, mean->dump()));
  }
  if (!user_file) {
    fail(fmt::format("{} records a global_mean but {} is missing", kManifest, kUserBias));
  }
  artifacts.global_mean = mean->get<double>();
  artifacts.user_bias = read_bias(folder, kUserBias, artifacts.user_map, kUserMap);
  artifacts.movie_bias = read_bias(folder, kMovieBias, artifacts.movie_map, kMovieMap);
}

IdMap read_map(const ArtifactsFolder& folder, const char* name);
void check_shape(const ArtifactsFolder& folder, const RowMatrixXf& embeddings, const IdMap& map,
                 const char* embeddings_name, const char* map_name);

// The optional outside movies: all three files or none; rows agree, counts whole and >= 0, and no
// movie both trained and outside.
void read_outside(Artifacts& artifacts, const ArtifactsFolder& folder) {
  std::error_code ec;
  const char* names[] = {kOutsideEmbeddings, kOutsideMap, kOutsideRatings};
  std::size_t present = 0;
  for (const char* name : names) present += fs::exists(folder.dir() / name, ec);
  if (present == 0) return;
  if (present < 3) {
    throw folder.error(fmt::format("{}: {}, {} and {} go together, and some are missing",
                                   folder.dir().string(), kOutsideEmbeddings, kOutsideMap,
                                   kOutsideRatings));
  }
  artifacts.outside_map = read_map(folder, kOutsideMap);
  artifacts.outside_embeddings = read_embeddings(folder, kOutsideEmbeddings);
  check_shape(folder, artifacts.outside_embeddings, artifacts.outside_map, kOutsideEmbeddings,
              kOutsideMap);
  artifacts.outside_ratings =
      read_bias(folder, kOutsideRatings, artifacts.outside_map, kOutsideMap);
  const std::string source = (folder.dir() / kOutsideRatings).string();
  for (Eigen::Index row = 0; row < artifacts.outside_ratings.size(); ++row) {
    const float count = artifacts.outside_ratings[row];
    if (count < 0 || count != std::floor(count)) {
      throw folder.error(
          fmt::format("{}: row {} holds {}, not a count of ratings", source, row, count));
    }
  }
  for (const std::int32_t id : artifacts.outside_map.ids()) {
    if (artifacts.movie_map.row(id)) {
      throw folder.error(fmt::format("movie {} is in both {} and {}", id, kMovieMap, kOutsideMap));
    }
  }
}

// The optional lead-ins: both files or neither, one row per trained movie, the same shape; rows
// whole and naming a trained movie (or -1), weights finite and >= 0.
void read_lead_ins(Artifacts& artifacts, const ArtifactsFolder& folder) {
  std::error_code ec;
  const bool rows_file = fs::exists(folder.dir() / kLeadInRows, ec);
  const bool weights_file = fs::exists(folder.dir() / kLeadInWeights, ec);
  if (!rows_file && !weights_file) return;
  if (rows_file != weights_file) {
    throw folder.error(fmt::format("{}: {} is there but {} is missing (they go together)",
                                   folder.dir().string(), rows_file ? kLeadInRows : kLeadInWeights,
                                   rows_file ? kLeadInWeights : kLeadInRows));
  }
  RowMatrixXf rows = read_embeddings(folder, kLeadInRows);
  RowMatrixXf weights = read_embeddings(folder, kLeadInWeights);
  const auto movies = static_cast<Eigen::Index>(artifacts.movie_map.size());
  const std::string source = (folder.dir() / kLeadInRows).string();
  if (rows.rows() != movies || weights.rows() != rows.rows() || weights.cols() != rows.cols()) {
    throw folder.error(fmt::format("{}: {} x {} with weights {} x {}, but {} maps {} movies",
                                   source, rows.rows(), rows.cols(), weights.rows(), weights.cols(),
                                   kMovieMap, movies));
  }
  for (Eigen::Index movie = 0; movie < rows.rows(); ++movie) {
    for (Eigen::Index at = 0; at < rows.cols(); ++at) {
      const float row = rows(movie, at);
      if (row != std::floor(row) || row < -1 || row >= static_cast<float>(movies)) {
        throw folder.error(
            fmt::format("{}: row {}, column {} holds {}, not a movie row (0 to {}) or -1",
                        source, movie, at, row, movies - 1));
      }
      if (weights(movie, at) < 0) {
        throw folder.error(fmt::format("{}: row {}, column {} holds {}, below 0",
                                       (folder.dir() / kLeadInWeights).string(), movie, at,
                                       weights(movie, at)));
      }
    }
  }
  artifacts.lead_in_rows = std::move(rows);
  artifacts.lead_in_weights = std::move(weights);
}

IdMap read_map(const ArtifactsFolder& folder, const char* name) {
  const nlohmann::json json = read_json(folder, name);
  try {
    return IdMap::from_json(json, (folder.dir() / name).string());
  } catch (const InputError& e) {
    throw folder.error(e.what());
  }
}

// Embeddings must have one row per id of their map, and k columns.
void check_shape(const ArtifactsFolder& folder, const RowMatrixXf& embeddings, const IdMap& map,
                 const char* embeddings_name, const char* map_name) {
  const auto problem = [&](const std::string& text) {
    throw folder.error((folder.dir() / embeddings_name).string() + ": " + text);
  };
  if (static_cast<std::size_t>(embeddings.rows()) != map.size()) {
    problem(fmt::format("has {} rows but {} maps {} ids", embeddings.rows(), map_name, map.size()));
  }
  if (embeddings.cols() != folder.k()) {
    problem(
        fmt::format("has {} columns but the manifest says k = {}", embeddings.cols(), folder.k()));
  }
}

}  // namespace

ArtifactsFolder::ArtifactsFolder(fs::path dir, fs::path processed_dir)
    : dir_(std::move(dir)), processed_dir_(std::move(processed_dir)) {
  manifest_ = read_json(*this, kManifest);
  // The format version and k; everything else in the manifest is informational.
  const auto fail = [&](const std::string& problem) {
    throw error((dir_ / kManifest).string() + ": " + problem);
  };
  if (!manifest_.is_object()) fail("expected a JSON object");
  const auto version = manifest_.find("format_version");
  if (version == manifest_.end() || !version->is_number_integer()) {
    fail("'format_version' is missing or not an integer");
  }
  if (*version != kArtifactsFormatVersion) {
    fail(fmt::format("format version {} is not supported (this program reads version {})",
                     version->dump(), kArtifactsFormatVersion));
  }
  const auto k = manifest_.find("k");
  if (k == manifest_.end() || !k->is_number_integer() || *k < 1) {
    fail("'k' is missing or not a positive integer");
  }
  k_ = k->get<int>();
}

std::string ArtifactsFolder::fix() const {
  return fix_command("train_svd", {{"--processed", processed_dir_, ProcessedFolder::kDefaultDir},
                                   {"--out", dir_, kDefaultDir}});
}

ModelError ArtifactsFolder::error(const std::string& problem) const {
  return ModelError(problem, fix());
}

Artifacts ArtifactsFolder::load() const {
  Artifacts artifacts;
  artifacts.manifest = manifest_;
  artifacts.user_map = read_map(*this, kUserMap);
  artifacts.movie_map = read_map(*this, kMovieMap);
  artifacts.user_embeddings = read_embeddings(*this, kUserEmbeddings);
  artifacts.movie_embeddings = read_embeddings(*this, kMovieEmbeddings);
  check_shape(*this, artifacts.user_embeddings, artifacts.user_map, kUserEmbeddings, kUserMap);
  check_shape(*this, artifacts.movie_embeddings, artifacts.movie_map, kMovieEmbeddings, kMovieMap);
  read_biases(artifacts, *this);
  read_outside(artifacts, *this);
  read_lead_ins(artifacts, *this);
  return artifacts;
}

void ArtifactsFolder::check_trained_on(const ProcessedFolder& processed) const {
  const auto inputs = manifest_.find("inputs");
  if (inputs == manifest_.end() || !inputs->is_object() || inputs->empty()) {
    throw error((dir_ / kManifest).string() +
                " does not record the processed files it was trained on");
  }
  for (const auto& [name, checksum] : inputs->items()) {
    const std::string expected = processed.checksum(name);
    if (!checksum.is_string() || checksum.get<std::string>() != expected) {
      throw error(fmt::format(
          "{} was trained on another {} ({}: checksum {} in the artifacts, {} in {})",
          dir_.string(), processed.dir().string(), name,
          checksum.is_string() ? checksum.get<std::string>() : checksum.dump(),
          expected.empty() ? "none" : expected, (processed.dir() / kManifest).string()));
    }
  }
}

PipelineConfig ArtifactsFolder::config() const {
  const std::string source = (dir_ / kManifest).string();
  const auto recorded = manifest_.find("config");
  if (recorded == manifest_.end()) throw error(source + " has no config");
  PipelineConfig config;
  try {
    apply_json(*recorded, source + " (config)", config.fields());
    config.validate(source + " (config)");
  } catch (const ConfigError& e) {
    throw error(e.what());
  }
  if (config.k != k_) {
    throw error(fmt::format("{}: k is {} but its config says train.k = {}", source, k_, config.k));
  }
  return config;
}

}  // namespace movierec
