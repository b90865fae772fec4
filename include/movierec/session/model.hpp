// The one model loader: everything recommend and evaluate read from artifacts/ and processed/,
// loaded and checked against each other in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "movierec/data/catalog.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/train/artifacts.hpp"
#include "movierec/train/artifacts_folder.hpp"

namespace movierec {

struct Model {
  Artifacts artifacts;
  Catalog catalog;  // every movie of the data set, embedded or not
  // Per embedding row (movie_map order):
  std::vector<std::size_t> catalog_index;       // index into catalog.movies()
  std::vector<std::int64_t> popularity;         // train ratings (movie_popularity.json)
  std::vector<std::vector<int>> movie_genres;   // indexes into genre_names
  std::vector<std::string> genre_names;         // every genre of the embedded movies, sorted
  PipelineConfig pipeline;                      // the config preprocess and train_svd ran with
  nlohmann::json processed_manifest;
  // Every movie preprocess's filter kept (movie_popularity.json: movieId -> train ratings),
  // embedded or not: a kept movie without an embedding had no rating in the training split.
  std::unordered_map<std::int32_t, std::int64_t> kept_movies;

  std::size_t movie_count() const { return catalog_index.size(); }
  const MovieInfo& info(std::size_t row) const { return catalog.movies()[catalog_index[row]]; }
};

// Loads artifacts/ and from processed/ movie_metadata.csv and movie_popularity.json, and checks
// they belong together: artifacts trained on this processed/ (the input checksums agree), the
// two processed files as preprocess wrote them (their checksums agree with its manifest), every
// embedded movie in the metadata and the popularity, and the recorded config readable with the
// manifest's k. Throws ModelError saying what disagrees and which command fixes it (the folders'
// fix(): preprocess for processed/, train_svd for artifacts/).
Model load_model(const ArtifactsFolder& artifacts, const ProcessedFolder& processed);
// The same on the two folders opened here (the artifacts first).
Model load_model(const std::filesystem::path& artifacts_dir,
                 const std::filesystem::path& processed_dir);

}  // namespace movierec
