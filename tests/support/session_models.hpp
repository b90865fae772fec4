// Small models and helpers shared by the session tests: Models are built directly (no files),
// so the tests fix every embedding, genre and popularity by hand or from a seeded generator.
#pragma once

#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/session.hpp"

namespace movierec::test {

inline constexpr double kTolerance = 1e-6;

inline Model make_model(const std::vector<std::vector<float>>& embeddings,
                        std::vector<std::vector<int>> genres, std::vector<std::int64_t> popularity,
                        std::vector<std::string> genre_names) {
  Model model;
  const auto rows = static_cast<Eigen::Index>(embeddings.size());
  const auto k = static_cast<Eigen::Index>(embeddings.front().size());
  model.artifacts.movie_embeddings.resize(rows, k);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < k; ++c) model.artifacts.movie_embeddings(r, c) = embeddings[r][c];
  }
  model.catalog_index.resize(embeddings.size());
  std::iota(model.catalog_index.begin(), model.catalog_index.end(), std::size_t{0});
  model.movie_genres = std::move(genres);
  model.popularity = std::move(popularity);
  model.genre_names = std::move(genre_names);
  return model;
}

enum Genre { kAction, kComedy, kDrama, kHorror };

// Favourites are rows 0-3: user = mean = (0.625, 0.5); genre counts Action 2, Comedy 2, Drama 1,
// so the profile is Action 0.4, Comedy 0.4, Drama 0.2, Horror 0. Candidates 4-9 with their
// model score (user . movie) and genre affinity:
//   4 ( 1.0, 0.0) Action           0.625    0.4
//   5 ( 0.0, 1.0) Horror           0.5      0.0
//   6 ( 0.5, 0.5) Drama            0.5625   0.2
//   7 ( 0.8, 0.2) Action Comedy    0.6      0.8
//   8 ( 0.2, 0.9) Comedy Drama     0.575    0.6
//   9 (-1.0,-1.0) Action          -1.125    0.4
inline Model small_model(std::vector<std::int64_t> popularity = std::vector<std::int64_t>(10, 0)) {
  return make_model({{1, 0},
                     {0, 1},
                     {1, 1},
                     {0.5, 0},  // favourites
                     {1, 0},
                     {0, 1},
                     {0.5, 0.5},
                     {0.8f, 0.2f},
                     {0.2f, 0.9f},
                     {-1, -1}},
                    {{kAction},
                     {kComedy},
                     {kAction, kComedy},
                     {kDrama},
                     {kAction},
                     {kHorror},
                     {kDrama},
                     {kAction, kComedy},
                     {kComedy, kDrama},
                     {kAction}},
                    std::move(popularity), {"Action", "Comedy", "Drama", "Horror"});
}

// Only the model score counts: no filter, penalty, boost or exploration.
inline Policy plain_policy() {
  Policy policy;
  policy.genre_distance_penalty = 0;
  policy.popularity_penalty = 0;
  policy.diversity_boost = 0;
  policy.min_genre_affinity = 0;
  policy.max_genre_distance = 1;
  policy.exploration_rate = 0;
  return policy;
}

inline Session started(const Model& model, const Policy& policy, std::uint64_t seed = 1) {
  Session session(model, policy, seed);
  for (std::size_t row = 0; row < Session::kFavourites; ++row) session.add_favourite(row);
  return session;
}

// A uniform in [0, 1) from the generator's top 53 bits: the rule the session documents.
inline double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// `movies` random movies in k dimensions with one to three of six genres and skewed popularity.
inline Model random_model(std::size_t movies, std::size_t k, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<float>> embeddings(movies, std::vector<float>(k));
  std::vector<std::vector<int>> genres(movies);
  std::vector<std::int64_t> popularity(movies);
  for (std::size_t row = 0; row < movies; ++row) {
    for (float& value : embeddings[row]) value = static_cast<float>(uniform(rng) - 0.5);
    const std::size_t count = 1 + rng() % 3;
    for (std::size_t g = 0; g < count; ++g) genres[row].push_back(static_cast<int>(rng() % 6));
    popularity[row] = static_cast<std::int64_t>(std::pow(uniform(rng), 4) * 1000);
  }
  return make_model(embeddings, genres, popularity, {"A", "B", "C", "D", "E", "F"});
}

inline Feedback answer_for(std::size_t row) {
  static constexpr Feedback kAnswers[] = {Feedback::kLike, Feedback::kDislike, Feedback::kSkip};
  return kAnswers[row % 3];
}

}  // namespace movierec::test
