#include "movierec/session/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

#include "movierec/io/error.hpp"

namespace movierec {

namespace fs = std::filesystem;

// Where the parts come from, for messages.
struct Model::Sources {
  std::string movie_map = "movie_map.json";
  std::string metadata = "movie_metadata.csv";
  std::string popularity = "movie_popularity.json";
};

Model Model::load(const ArtifactsFolder& artifacts, const ProcessedFolder& processed) {
  ModelParts parts;
  parts.artifacts = artifacts.load();
  parts.processed_manifest = processed.manifest();
  artifacts.check_trained_on(processed);
  parts.pipeline = artifacts.config();
  parts.catalog = processed.read_catalog();
  parts.kept_movies = processed.read_popularity();
  Sources sources;
  sources.movie_map = (artifacts.dir() / sources.movie_map).string();
  sources.metadata = (processed.dir() / sources.metadata).string();
  sources.popularity = (processed.dir() / sources.popularity).string();
  try {
    return assemble(std::move(parts), sources);
  } catch (const Error& e) {
    throw ModelError(e.what(), processed.fix() + ", then " + artifacts.fix());
  }
}

Model Model::build(ModelParts parts) { return assemble(std::move(parts), Sources{}); }

// Per embedding row: where the movie is in the catalog, its popularity, genres and squared norm;
// then what the sessions derive from those alone.
Model Model::assemble(ModelParts parts, const Sources& sources) {
  Model model;
  model.parts_ = std::move(parts);
  const Artifacts& artifacts = model.parts_.artifacts;
  const IdMap& movies = artifacts.movie_map;
  const auto& embeddings = artifacts.movie_embeddings;
  const std::size_t rows = movies.size();
  if (static_cast<std::size_t>(embeddings.rows()) != rows || embeddings.cols() == 0) {
    throw Error(fmt::format("the movie embeddings are {} x {} for {} ids in {}", embeddings.rows(),
                            embeddings.cols(), rows, sources.movie_map));
  }
  if (rows > std::numeric_limits<std::uint32_t>::max()) {
    throw Error(fmt::format("{} movies are more than a session can index (2^32)", rows));
  }
  const Catalog& catalog = model.parts_.catalog;
  model.catalog_index_.resize(rows);
  model.popularity_.resize(rows);
  for (std::size_t row = 0; row < rows; ++row) {
    const std::int32_t id = movies.id(row);
    const MovieInfo* info = catalog.find(id);
    if (info == nullptr) {
      throw Error(fmt::format("movie {} (row {} of {}) is not in {}", id, row, sources.movie_map,
                              sources.metadata));
    }
    const auto count = model.parts_.kept_movies.find(id);
    if (count == model.parts_.kept_movies.end() || count->second < 0) {
      throw Error(fmt::format("movie {} (row {} of {}) is not in {}", id, row, sources.movie_map,
                              sources.popularity));
    }
    model.catalog_index_[row] = static_cast<std::size_t>(info - catalog.movies().data());
    model.popularity_[row] = count->second;
    model.max_popularity_ = std::max(model.max_popularity_, static_cast<double>(count->second));
  }

  std::vector<std::string>& names = model.genre_names_;
  for (std::size_t row = 0; row < rows; ++row) {
    const auto& genres = model.info(row).genres;
    names.insert(names.end(), genres.begin(), genres.end());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  model.movie_genres_.assign(rows, {});
  model.genre_set_.resize(rows);
  std::map<std::vector<int>, std::uint32_t> sets;
  for (std::size_t row = 0; row < rows; ++row) {
    std::vector<int>& indexes = model.movie_genres_[row];
    for (const std::string& genre : model.info(row).genres) {
      const auto at = std::lower_bound(names.begin(), names.end(), genre);
      indexes.push_back(static_cast<int>(at - names.begin()));
    }
    std::sort(indexes.begin(), indexes.end());
    indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
    const auto [set, added] =
        sets.try_emplace(indexes, static_cast<std::uint32_t>(model.set_offsets_.size() - 1));
    if (added) {
      model.set_genres_.insert(model.set_genres_.end(), indexes.begin(), indexes.end());
      model.set_offsets_.push_back(model.set_genres_.size());
    }
    model.genre_set_[row] = set->second;
  }
  model.popularity_shares_.assign(rows, 0.0);
  if (model.max_popularity_ > 0) {
    for (std::size_t row = 0; row < rows; ++row) {
      model.popularity_shares_[row] =
          static_cast<double>(model.popularity_[row]) / model.max_popularity_;
    }
  }

  // Summed in row order as the sessions used to, so that their results stay the same.
  model.squared_norms_.resize(rows);
  double squared_norms = 0;
  for (std::size_t row = 0; row < rows; ++row) {
    model.squared_norms_[row] = embeddings.row(static_cast<Eigen::Index>(row)).squaredNorm();
    squared_norms += static_cast<double>(model.squared_norms_[row]);
  }
  model.norm_scale_ = squared_norms / static_cast<double>(rows);
  if (!(model.norm_scale_ > 0)) model.norm_scale_ = 1;  // every score is 0 anyway
  return model;
}

Model load_model(const fs::path& artifacts_dir, const fs::path& processed_dir) {
  const ArtifactsFolder artifacts(artifacts_dir, processed_dir);
  return Model::load(artifacts, ProcessedFolder(processed_dir));
}

}  // namespace movierec
