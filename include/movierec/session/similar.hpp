// "More like this": the movies of the model nearest to one movie. One function, used by every
// front end (recommend's `m`, --json's "similar" event, serve's /api/movies/{id}/similar).
//
// The similarity is the cosine of the two movies' embeddings: chosen by measurement against
// co-rating statistics with shrinkage and blends of the two (bench/similar_movies.py; README
// "More like this" has the figures).
#pragma once

#include <cstddef>
#include <vector>

#include "movierec/session/model.hpp"

namespace movierec {

struct SimilarMovie {
  std::size_t row = 0;     // embedding row
  double similarity = 0;   // cosine of the two embeddings, -1..1
};

// The (at most) `count` recommendable movies (Model::recommendable under `min_evidence`, the
// policy's) most like the movie at embedding row `row` (any row, outside movies too), most
// similar first, ties to the lower row; never the movie itself, nor a movie whose embedding (or
// the query's) is zero, since a zero vector has no direction. O(movies x k + movies log count).
// Throws Error when `row` is not a row of the model.
std::vector<SimilarMovie> similar_movies(const Model& model, std::size_t row, std::size_t count,
                                         std::int64_t min_evidence);

}  // namespace movierec
