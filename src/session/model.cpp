#include "movierec/session/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string_view>

#include "movierec/io/error.hpp"

namespace movierec {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMetadataFile = "movie_metadata.csv";
constexpr const char* kPopularityFile = "movie_popularity.json";

// Per embedding row: where the movie is in the catalog, its popularity and genres.
void index_movies(Model& model, const ProcessedFolder& processed,
                  const ArtifactsFolder& artifacts) {
  const IdMap& movies = model.artifacts.movie_map;
  const fs::path& processed_dir = processed.dir();
  const fs::path& artifacts_dir = artifacts.dir();
  const std::string fix = processed.fix() + ", then " + artifacts.fix();
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

Model load_model(const ArtifactsFolder& artifacts, const ProcessedFolder& processed) {
  Model model;
  model.artifacts = artifacts.load();
  model.processed_manifest = processed.manifest();
  artifacts.check_trained_on(processed);
  model.pipeline = artifacts.config();
  model.catalog = processed.read_catalog();
  model.kept_movies = processed.read_popularity();
  index_movies(model, processed, artifacts);
  return model;
}

Model load_model(const fs::path& artifacts_dir, const fs::path& processed_dir) {
  const ArtifactsFolder artifacts(artifacts_dir, processed_dir);
  return load_model(artifacts, ProcessedFolder(processed_dir));
}

}  // namespace movierec
