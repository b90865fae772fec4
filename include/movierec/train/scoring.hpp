// What the offline model says about a user and a movie: the one place that knows how the
// artifacts' factors combine into a score, so that the session, the evaluator's ranking metric
// and its rating fit cannot drift apart. A model with more terms (per-movie or per-user biases,
// a global mean) adds them here and nowhere else.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <nlohmann/json.hpp>

#include "movierec/train/artifacts.hpp"

namespace movierec {

// The model's score of every movie for the user vector `user` (k values, in the movies'
// embedding space): scores[i] = movie_embeddings.row(i) · user. This orders movies for one user:
// the session ranks candidates by it (ScoreParts::model_score) and the evaluator ranks held-out
// movies by it. Resizes `scores` to the number of movies; `user` must have k values.
void score_movies(const Artifacts& artifacts, const Eigen::VectorXf& user, Eigen::VectorXf& scores);
// The same for the first `rows` movies only (at most all of them): a caller that will look at
// no row beyond them need not pay for the rest.
void score_movies(const Artifacts& artifacts, const Eigen::VectorXf& user, Eigen::VectorXf& scores,
                  std::size_t rows);

// The biases of a biased model (μ + b_u + b_i, artifacts.hpp) are not part of this score: they
// are in stars, fitted with the trained user vectors, while the session's user vector is an
// average of movie vectors, so their scale against u · movie means nothing there.

// The model's prediction of its training target (the manifest's "target"; stars for a biased
// model) for a user and a movie of the training set, by their rows in user_map and movie_map:
// the user's embedding scored as score_movies does, plus, for a model with biases,
// global_mean + user_bias + movie_bias; computed in double. Rows must be in range.
double predict(const Artifacts& artifacts, std::size_t user_row, std::size_t movie_row);

// True when predict() is in stars, so that errors in stars mean something: the manifest's
// "target" is "rating", or its "predicts" is "stars" (a model that factorises something else
// but adds the terms back, such as μ + b_u + b_i + p·q).
bool predicts_stars(const nlohmann::json& manifest);

}  // namespace movierec
