// Vectors for the movies outside the trained catalog (issue 12): the release's other movies,
// dropped by preprocess's filter for having too few ratings, get a vector in the trained space
// after training, so that any movie of the release can be a favourite.
//
//   - content vector: a ridge regression from what is known about a movie (its genres, decade,
//     tags and the words of its TMDB overview) to the trained movie vectors, fitted on the
//     trained catalog; every outside movie gets one.
//   - folded vector: a movie with train ratings from trained users is folded in by the step ALS
//     makes for a movie, pulled towards its content vector:
//       v = (w0 UᵀU + (1 − w0) Σ u uᵀ + λ I)⁻¹ (Σ r u + λ c)
//     over its raters u with targets r (the model's train.target), with w0 the model's weight of
//     an unrated entry (als: train.als_missing_weight; svd: 1, every unrated entry is a 0;
//     biased_als: 0, with r less the global mean and the user's bias), λ =
//     train.fold_in_regularization and c the content vector. Few ratings stay near c; many
//     ratings outweigh it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "movierec/data/catalog.hpp"
#include "movierec/data/pipeline.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/train/artifacts.hpp"

namespace movierec {

// Fills artifacts.outside_* with a vector for every movie of `catalog` that has no trained row
// (by movie id, ascending), and its evidence: how many of `rare` (train-period ratings of those
// movies, processed/rare_train_transformed.csv) it was folded from, 0 for content alone.
// Ratings by users the model does not know are not used. `artifacts` must hold the trained
// factors (and biases for biased_als); config gives the model, target and the two
// regularisations. Returns what the manifest records: counts, and the content map's check (the
// mean cosine between the content vector and the trained vector of every fifth trained movie,
// fitted without them, against the mean vector's).
nlohmann::json add_outside_movies(Artifacts& artifacts, const Catalog& catalog,
                                  const std::vector<TransformedRating>& rare,
                                  const PipelineConfig& config);

// The content features of one movie, as add_outside_movies uses them: "genre:Comedy",
// "decade:1990", "tag:pixar", "word:toys" (lower case; overview words of three letters or more).
// Exposed for tests.
std::vector<std::string> content_features(const MovieInfo& movie);

}  // namespace movierec
