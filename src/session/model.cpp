#include "movierec/session/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string_view>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/data/processed.hpp"

namespace movierec {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMetadataFile = "movie_metadata.csv";
constexpr const char* kPopularityFile = "movie_popularity.json";

// A folder's name as the fix command needs it: nothing for the default, else the flag.
std::string folder_flag(const fs::path& dir, std::string_view default_name, std::string_view flag) {
  fs::path normal = dir.lexically_normal();
  if (normal.filename().empty()) normal = normal.parent_path();  // "processed/"
  return normal == default_name ? "" : fmt::format(" {} {}", flag, dir.string());
}

std::string preprocess_fix(const fs::path& processed_dir) {
  return "build/bin/preprocess" + folder_flag(processed_dir, "processed", "--out");
}

std::string train_fix(const fs::path& processed_dir, const fs::path& artifacts_dir) {
  return "build/bin/train_svd" + folder_flag(processed_dir, "processed", "--processed") +
         folder_flag(artifacts_dir, "artifacts", "--out");
}

// The checksum preprocess recorded for `name`, or "" when the manifest has none.
std::string recorded_checksum(const nlohmann::json& processed_manifest, const std::string& name) {
  const nlohmann::json& files = processed_manifest.at("files");
  const auto file = files.find(name);
  if (file == files.end() || !file->is_object()) return "";
  const auto checksum = file->find("checksum");
  return checksum != file->end() && checksum->is_string() ? checksum->get<std::string>() : "";
}

// The artifacts' "inputs" must be the very files this processed/ holds.
void check_trained_on(const nlohmann::json& artifacts_manifest,
                      const nlohmann::json& processed_manifest, const fs::path& processed_dir,
                      const fs::path& artifacts_dir) {
  const std::string manifest = (artifacts_dir / "manifest.json").string();
  const auto inputs = artifacts_manifest.find("inputs");
  if (inputs == artifacts_manifest.end() || !inputs->is_object() || inputs->empty()) {
    throw ModelError(manifest + " does not record the processed files it was trained on",
                     train_fix(processed_dir, artifacts_dir));
  }
  for (const auto& [name, checksum] : inputs->items()) {
    const std::string expected = recorded_checksum(processed_manifest, name);
    if (!checksum.is_string() || checksum.get<std::string>() != expected) {
      throw ModelError(
          fmt::format("{} was trained on another {} ({}: checksum {} in the artifacts, {} in "
                      "{})",
                      artifacts_dir.string(), processed_dir.string(), name,
                      checksum.is_string() ? checksum.get<std::string>() : checksum.dump(),
                      expected.empty() ? "none" : expected,
                      (processed_dir / "manifest.json").string()),
          train_fix(processed_dir, artifacts_dir));
    }
  }
}

// The bytes of processed_dir/name, checked against the checksum preprocess recorded.
std::string read_processed_file(const fs::path& processed_dir,
                                const nlohmann::json& processed_manifest, const std::string& name) {
  const fs::path path = processed_dir / name;
  const std::string fix = preprocess_fix(processed_dir);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError(path.string() + " is missing", fix);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw ModelError("cannot read " + path.string(), fix);
  const std::string expected = recorded_checksum(processed_manifest, name);
  if (expected.empty()) {
    throw ModelError((processed_dir / "manifest.json").string() + " does not list " + name, fix);
  }
  Checksum checksum;
  checksum.update(bytes);
  if (checksum.hex() != expected) {
    throw ModelError(fmt::format("{} has changed since preprocess wrote it (checksum {}, the "
                                 "manifest says {})",
                                 path.string(), checksum.hex(), expected),
                     fix);
  }
  return bytes;
}

Catalog read_catalog(const fs::path& processed_dir, const nlohmann::json& processed_manifest) {
  std::istringstream in(read_processed_file(processed_dir, processed_manifest, kMetadataFile));
  try {
    return Catalog::read(in, (processed_dir / kMetadataFile).string());
  } catch (const Error& e) {
    throw ModelError(e.what(), preprocess_fix(processed_dir));
  }
}

std::unordered_map<std::int32_t, std::int64_t> read_popularity(
    const fs::path& processed_dir, const nlohmann::json& processed_manifest) {
  const std::string source = (processed_dir / kPopularityFile).string();
  const auto fail = [&](const std::string& problem) {
    return ModelError(source + ": " + problem, preprocess_fix(processed_dir));
  };
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(
        read_processed_file(processed_dir, processed_manifest, kPopularityFile));
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("not valid JSON: ") + e.what());
  }
  if (!json.is_object()) throw fail("expected a JSON object {\"<movieId>\": train ratings}");
  std::unordered_map<std::int32_t, std::int64_t> popularity;
  popularity.reserve(json.size());
  for (const auto& [key, value] : json.items()) {
    const auto id = parse_int(key);
    if (!id || *id < std::numeric_limits<std::int32_t>::min() ||
        *id > std::numeric_limits<std::int32_t>::max()) {
      throw fail("key \"" + key + "\" is not a movie id");
    }
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      throw fail("movie " + key + ": " + value.dump() + " is not a count of ratings");
    }
    popularity.emplace(static_cast<std::int32_t>(*id), value.get<std::int64_t>());
  }
  return popularity;
}

// The pipeline config train_svd recorded, read with this build's keys and ranges.
PipelineConfig recorded_pipeline(const nlohmann::json& artifacts_manifest,
                                 const fs::path& processed_dir, const fs::path& artifacts_dir) {
  const std::string source = (artifacts_dir / "manifest.json").string();
  const std::string fix = train_fix(processed_dir, artifacts_dir);
  const auto recorded = artifacts_manifest.find("config");
  if (recorded == artifacts_manifest.end()) throw ModelError(source + " has no config", fix);
  PipelineConfig config;
  try {
    apply_json(*recorded, source + " (config)", config.fields());
    config.validate(source + " (config)");
  } catch (const ConfigError& e) {
    throw ModelError(e.what(), fix);
  }
  const auto k = artifacts_manifest.at("k");
  if (!k.is_number_integer() || k.get<long long>() != config.k) {
    throw ModelError(
        fmt::format("{}: k is {} but its config says train.k = {}", source, k.dump(), config.k),
        fix);
  }
  return config;
}

// Per embedding row: where the movie is in the catalog, its popularity and genres.
void index_movies(Model& model, const fs::path& processed_dir, const fs::path& artifacts_dir) {
  const IdMap& movies = model.artifacts.movie_map;
  const std::string fix =
      preprocess_fix(processed_dir) + ", then " + train_fix(processed_dir, artifacts_dir);
  model.catalog_index.resize(movies.size());
  model.popularity.resize(movies.size());
  for (std::size_t row = 0; row < movies.size(); ++row) {
    const std::int32_t id = movies.id(row);
    const MovieInfo* info = model.catalog.find(id);
    if (info == nullptr) {
      throw ModelError(fmt::format("movie {} (row {} of {}) is not in {}", id, row,
                                   (artifacts_dir / "movie_map.json").string(),
                                   (processed_dir / kMetadataFile).string()),
                       fix);
    }
    const auto count = model.kept_movies.find(id);
    if (count == model.kept_movies.end()) {
      throw ModelError(fmt::format("movie {} (row {} of {}) is not in {}", id, row,
                                   (artifacts_dir / "movie_map.json").string(),
                                   (processed_dir / kPopularityFile).string()),
                       fix);
    }
    model.catalog_index[row] = static_cast<std::size_t>(info - model.catalog.movies().data());
    model.popularity[row] = count->second;
  }

  model.genre_names.clear();
  for (std::size_t row = 0; row < movies.size(); ++row) {
    const auto& genres = model.info(row).genres;
    model.genre_names.insert(model.genre_names.end(), genres.begin(), genres.end());
  }
  std::sort(model.genre_names.begin(), model.genre_names.end());
  model.genre_names.erase(std::unique(model.genre_names.begin(), model.genre_names.end()),
                          model.genre_names.end());
  model.movie_genres.assign(movies.size(), {});
  for (std::size_t row = 0; row < movies.size(); ++row) {
    std::vector<int>& indexes = model.movie_genres[row];
    for (const std::string& genre : model.info(row).genres) {
      const auto at = std::lower_bound(model.genre_names.begin(), model.genre_names.end(), genre);
      indexes.push_back(static_cast<int>(at - model.genre_names.begin()));
    }
    std::sort(indexes.begin(), indexes.end());
    indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
  }
}

}  // namespace

Model load_model(const fs::path& artifacts_dir, const fs::path& processed_dir) {
  Model model;
  model.artifacts = load_artifacts(artifacts_dir);
  model.processed_manifest = read_processed_manifest(processed_dir);
  check_trained_on(model.artifacts.manifest, model.processed_manifest, processed_dir,
                   artifacts_dir);
  model.pipeline = recorded_pipeline(model.artifacts.manifest, processed_dir, artifacts_dir);
  model.catalog = read_catalog(processed_dir, model.processed_manifest);
  model.kept_movies = read_popularity(processed_dir, model.processed_manifest);
  index_movies(model, processed_dir, artifacts_dir);
  return model;
}

}  // namespace movierec
