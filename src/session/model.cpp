#include "movierec/session/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "movierec/data/processed_files.hpp"
#include "movierec/io/error.hpp"

namespace movierec {

namespace fs = std::filesystem;

// Where the parts come from, for messages.
struct Model::Sources {
  std::string movie_map = "movie_map.json";
  std::string metadata = processed_files::kMovieMetadata;
  std::string popularity = processed_files::kMoviePopularity;
};

Model Model::load(const ArtifactsFolder& artifacts, const ProcessedFolder& processed,
                  OutsideMovies outside) {
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
    return assemble(std::move(parts), sources, outside);
  } catch (const Error& e) {
    throw ModelError(e.what(), processed.fix() + ", then " + artifacts.fix());
  }
}

Model Model::build(ModelParts parts, OutsideMovies outside) {
  return assemble(std::move(parts), Sources{}, outside);
}

std::size_t Model::recommendable_count(std::int64_t min_evidence) const {
  std::size_t count = trained_movies_;
  for (std::size_t row = trained_movies_; row < movie_count(); ++row) {
    count += popularity_[row] >= min_evidence;
  }
  return count;
}

// The outside rows after the trained ones, in artifacts() itself, so that every row reads alike.
void Model::append_outside_movies(const Sources& sources) {
  Artifacts& artifacts = parts_.artifacts;
  const auto trained = artifacts.movie_embeddings.rows();
  const auto outside = artifacts.outside_embeddings.rows();
  if (artifacts.outside_embeddings.cols() != artifacts.movie_embeddings.cols()) {
    throw Error(fmt::format("the outside movies' vectors have {} values, the trained ones {}",
                            artifacts.outside_embeddings.cols(),
                            artifacts.movie_embeddings.cols()));
  }
  artifacts.movie_embeddings.conservativeResize(trained + outside, Eigen::NoChange);
  artifacts.movie_embeddings.bottomRows(outside) = artifacts.outside_embeddings;
  if (artifacts.has_biases()) {
    artifacts.movie_bias.conservativeResize(trained + outside);
    artifacts.movie_bias.tail(outside).setZero();  // the session's score has no biases anyway
  }
  std::vector<std::int32_t> ids = artifacts.movie_map.ids();
  const std::vector<std::int32_t>& more = artifacts.outside_map.ids();
  ids.insert(ids.end(), more.begin(), more.end());
  artifacts.movie_map = IdMap(std::move(ids));  // throws on a movie both trained and outside
  const Catalog& catalog = parts_.catalog;
  for (Eigen::Index row = 0; row < outside; ++row) {
    const std::int32_t id = more[static_cast<std::size_t>(row)];
    const MovieInfo* info = catalog.find(id);
    if (info == nullptr) {
      throw Error(fmt::format("outside movie {} is not in {}", id, sources.metadata));
    }
    catalog_index_.push_back(static_cast<std::size_t>(info - catalog.movies().data()));
    popularity_.push_back(static_cast<std::int64_t>(artifacts.outside_ratings[row]));
  }
}

// Artifacts::lead_in_rows and lead_in_weights (per movie, what leads into it), turned around into
// what each movie leads into, and dropped from the artifacts.
void Model::turn_lead_ins_around(const Sources& sources) {
  Artifacts& stored = parts_.artifacts;
  const RowMatrixXf& leads = stored.lead_in_rows;
  const RowMatrixXf& weights = stored.lead_in_weights;
  if (leads.cols() == 0) return;
  const std::size_t rows = trained_movies_;
  if (static_cast<std::size_t>(leads.rows()) != rows || weights.rows() != leads.rows() ||
      weights.cols() != leads.cols()) {
    throw Error(fmt::format("the lead-ins are {} x {} with weights {} x {} for {} movies in {}",
                            leads.rows(), leads.cols(), weights.rows(), weights.cols(), rows,
                            sources.movie_map));
  }
  lead_out_starts_.assign(rows + 2, 0);
  for (Eigen::Index to = 0; to < leads.rows(); ++to) {
    for (Eigen::Index at = 0; at < leads.cols(); ++at) {
      const float from = leads(to, at);
      if (from < 0) break;
      if (from != std::floor(from) || from >= static_cast<float>(rows) || weights(to, at) < 0) {
        throw Error(
            fmt::format("lead-in {} of movie row {} is row {} with weight {}: not a "
                        "trained movie's row with a weight >= 0",
                        at, to, from, weights(to, at)));
      }
      ++lead_out_starts_[static_cast<std::size_t>(from) + 2];
    }
  }
  std::partial_sum(lead_out_starts_.begin(), lead_out_starts_.end(), lead_out_starts_.begin());
  lead_outs_.resize(lead_out_starts_.back());
  for (Eigen::Index to = 0; to < leads.rows(); ++to) {
    for (Eigen::Index at = 0; at < leads.cols() && leads(to, at) >= 0; ++at) {
      const auto from = static_cast<std::size_t>(leads(to, at));
      lead_outs_[lead_out_starts_[from + 1]++] = {static_cast<std::uint32_t>(to), weights(to, at)};
    }
  }
  lead_out_starts_.pop_back();
  stored.lead_in_rows.resize(0, 0);
  stored.lead_in_weights.resize(0, 0);
}

// Per embedding row: where the movie is in the catalog, its popularity, genres and squared norm;
// then what the sessions derive from those alone.
Model Model::assemble(ModelParts parts, const Sources& sources, OutsideMovies outside) {
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
  }
  model.trained_movies_ = rows;
  Artifacts& stored = model.parts_.artifacts;
  model.turn_lead_ins_around(sources);
  if (outside == OutsideMovies::kInclude && stored.outside_map.size() > 0) {
    model.append_outside_movies(sources);
  }
  stored.outside_embeddings.resize(0, 0);
  stored.outside_map = IdMap();
  stored.outside_ratings.resize(0);
  for (const std::int64_t count : model.popularity_) {
    model.max_popularity_ = std::max(model.max_popularity_, static_cast<double>(count));
  }
  const std::size_t all_rows = model.popularity_.size();

  std::vector<std::string>& names = model.genre_names_;
  for (std::size_t row = 0; row < all_rows; ++row) {
    const auto& genres = model.info(row).genres;
    names.insert(names.end(), genres.begin(), genres.end());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  model.movie_genres_.assign(all_rows, {});
  model.genre_set_.resize(all_rows);
  std::map<std::vector<int>, std::uint32_t> sets;
  for (std::size_t row = 0; row < all_rows; ++row) {
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
  model.popularity_shares_.assign(all_rows, 0.0);
  if (model.max_popularity_ > 0) {
    for (std::size_t row = 0; row < all_rows; ++row) {
      model.popularity_shares_[row] =
          static_cast<double>(model.popularity_[row]) / model.max_popularity_;
    }
  }

  // Summed in row order as the sessions used to, so that their results stay the same; the scale
  // is the trained catalog's, whatever the outside movies add.
  model.squared_norms_.resize(all_rows);
  double squared_norms = 0;
  for (std::size_t row = 0; row < all_rows; ++row) {
    model.squared_norms_[row] = embeddings.row(static_cast<Eigen::Index>(row)).squaredNorm();
    if (row < rows) squared_norms += static_cast<double>(model.squared_norms_[row]);
  }
  model.norm_scale_ = squared_norms / static_cast<double>(rows);
  if (!(model.norm_scale_ > 0)) model.norm_scale_ = 1;  // every score is 0 anyway
  return model;
}

Model load_model(const fs::path& artifacts_dir, const fs::path& processed_dir,
                 OutsideMovies outside) {
  const ArtifactsFolder artifacts(artifacts_dir, processed_dir);
  return Model::load(artifacts, ProcessedFolder(processed_dir), outside);
}

}  // namespace movierec
