// Small models and helpers shared by the session tests: Models are built from parts in memory
// (Model::build, no files), so the tests fix every embedding, genre and popularity by hand or
// from a seeded generator.
#pragma once

#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/session.hpp"

namespace movierec::test {

inline constexpr double kTolerance = 1e-6;

// The parts of a model whose row r has embeddings[r], the genres genre_names[g] for g in
// genres[r] (repeats allowed: the model keeps each once), popularity[r] train ratings, movie id
// r + 1 and the title "Movie r".
inline ModelParts make_parts(const std::vector<std::vector<float>>& embeddings,
                             const std::vector<std::vector<int>>& genres,
                             const std::vector<std::int64_t>& popularity,
                             const std::vector<std::string>& genre_names) {
  ModelParts parts;
  const auto rows = static_cast<Eigen::Index>(embeddings.size());
  const auto k = static_cast<Eigen::Index>(embeddings.front().size());
  parts.artifacts.movie_embeddings.resize(rows, k);
  std::vector<std::int32_t> ids;
  std::vector<MovieInfo> movies;
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < k; ++c) parts.artifacts.movie_embeddings(r, c) = embeddings[r][c];
    MovieInfo info;
    info.id = static_cast<std::int32_t>(r + 1);
    info.title = "Movie " + std::to_string(r);
    for (const int genre : genres[r]) info.genres.push_back(genre_names[genre]);
    ids.push_back(info.id);
    parts.kept_movies[info.id] = popularity[r];
    movies.push_back(std::move(info));
  }
  parts.artifacts.movie_map = IdMap(ids);
  parts.catalog = Catalog(std::move(movies));
  return parts;
}

inline Model make_model(const std::vector<std::vector<float>>& embeddings,
                        const std::vector<std::vector<int>>& genres,
                        const std::vector<std::int64_t>& popularity,
                        const std::vector<std::string>& genre_names) {
  return Model::build(make_parts(embeddings, genres, popularity, genre_names));
}

// `parts` with the movie of row r renamed ids[r], in the id map, the catalog and the kept movies.
inline ModelParts with_ids(ModelParts parts, const std::vector<std::int32_t>& ids) {
  std::vector<MovieInfo> movies;
  std::unordered_map<std::int32_t, std::int64_t> kept;
  for (std::size_t row = 0; row < ids.size(); ++row) {
    const std::int32_t old = parts.artifacts.movie_map.id(row);
    MovieInfo info = *parts.catalog.find(old);
    info.id = ids[row];
    kept[ids[row]] = parts.kept_movies.at(old);
    movies.push_back(std::move(info));
  }
  parts.artifacts.movie_map = IdMap(ids);
  parts.catalog = Catalog(std::move(movies));
  parts.kept_movies = std::move(kept);
  return parts;
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
inline ModelParts small_parts(
    const std::vector<std::int64_t>& popularity = std::vector<std::int64_t>(10, 0)) {
  return make_parts({{1, 0},
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
                    popularity, {"Action", "Comedy", "Drama", "Horror"});
}

inline Model small_model(
    const std::vector<std::int64_t>& popularity = std::vector<std::int64_t>(10, 0)) {
  return Model::build(small_parts(popularity));
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
inline ModelParts random_parts(std::size_t movies, std::size_t k, std::uint64_t seed) {
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
  return make_parts(embeddings, genres, popularity, {"A", "B", "C", "D", "E", "F"});
}

inline Model random_model(std::size_t movies, std::size_t k, std::uint64_t seed) {
  return Model::build(random_parts(movies, k, seed));
}

inline Feedback answer_for(std::size_t row) {
  static constexpr Feedback kAnswers[] = {Feedback::kLike, Feedback::kDislike, Feedback::kSkip};
  return kAnswers[row % 3];
}

}  // namespace movierec::test
