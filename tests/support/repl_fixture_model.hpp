// The line handler's small hand-built Model and Catalog, without Catch2, so that the fuzz targets
// (tests/fuzz/) drive the handler over the same model as the unit tests: seventeen movies of which
// twelve are embedded, plus movies refused for each reason the handler knows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "movierec/data/movielens.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"

namespace movierec::test {

// Movie ids of the fixture.
enum : std::int32_t {
  kMatrix = 1,
  kToyStory = 2,
  kToyStory2 = 3,
  kHeat = 4,
  kHeat1972 = 5,  // 3 ratings: below filter.min_movie_ratings
  kPulpFiction = 6,
  kFargo = 7,
  kAlien = 8,
  kAliens = 9,
  kForrestGump = 10,
  kAmelie = 11,
  kObscure = 12,        // 60 ratings, but too few from users the filter kept
  kKeptUnrated = 13,    // kept by the filter, no rating in the training split
  kToyStoryToons = 14,  // 5 ratings
  kBladeRunner = 15,
  kDieHard = 16,
  kObscure2 = 17,  // 2 ratings
};

struct FixtureMovie {
  std::int32_t id;
  const char* title;
  const char* genres;  // "|"-separated
  std::int64_t ratings;
  bool embedded;
  std::vector<float> embedding;  // k = 3 when embedded
};

inline std::vector<FixtureMovie> fixture_movies() {
  return {
      {kMatrix, "Matrix, The (1999)", "Action|Sci-Fi", 300, true, {1, 0, 0.2f}},
      {kToyStory, "Toy Story (1995)", "Animation|Children|Comedy", 250, true, {0, 1, 0}},
      {kToyStory2, "Toy Story 2 (1999)", "Animation|Children|Comedy", 150, true, {0.1f, 0.9f, 0}},
      {kHeat, "Heat (1995)", "Action|Crime|Thriller", 120, true, {0.6f, 0, 0.7f}},
      {kHeat1972, "Heat (1972)", "Drama", 3, false, {}},
      {kPulpFiction, "Pulp Fiction (1994)", "Comedy|Crime|Drama", 280, true, {0.3f, 0.2f, 0.9f}},
      {kFargo, "Fargo (1996)", "Comedy|Crime|Drama", 200, true, {0.1f, 0.3f, 0.8f}},
      {kAlien, "Alien (1979)", "Horror|Sci-Fi", 180, true, {0.9f, 0, 0.1f}},
      {kAliens, "Aliens (1986)", "Action|Horror|Sci-Fi", 160, true, {1, 0.1f, 0}},
      {kForrestGump, "Forrest Gump (1994)", "Comedy|Drama|Romance", 320, true, {0, 0.6f, 0.6f}},
      {kAmelie,
       "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
       "Comedy|Romance",
       90,
       true,
       {0, 0.7f, 0.3f}},
      {kObscure, "Obscure Film (2005)", "Drama", 60, false, {}},
      {kKeptUnrated, "Kept Unrated (2010)", "Drama", 55, false, {}},
      {kToyStoryToons, "Toy Story Toons: Hawaiian Vacation (2011)", "Animation", 5, false, {}},
      {kBladeRunner, "Blade Runner (1982)", "Action|Sci-Fi|Thriller", 200, true, {0.9f, 0, 0.3f}},
      {kDieHard, "Die Hard (1988)", "Action|Crime|Thriller", 210, true, {0.8f, 0.1f, 0.3f}},
      {kObscure2, "Obscure Film 2 (2007)", "Drama", 2, false, {}},
  };
}

inline std::vector<std::string> split_genres(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('|', start), text.size());
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The parts of fixture_model(), for tests that add to them (a trained user, a manifest).
inline ModelParts fixture_parts() {
  std::vector<MovieInfo> infos;
  std::vector<std::int32_t> embedded;
  for (const FixtureMovie& movie : fixture_movies()) {
    MovieInfo info;
    info.id = movie.id;
    info.title = movie.title;
    info.genres = split_genres(movie.genres);
    info.rating_count = movie.ratings;
    info.rating_mean = 3.5 + static_cast<double>(movie.id % 3) * 0.25;
    infos.push_back(info);
    if (movie.embedded) embedded.push_back(movie.id);
  }
  // The info event's fields, on two movies.
  infos[0].imdb_id = "0999931";
  infos[0].tmdb_id = "99931";
  infos[0].tags = {"cyberpunk", "philosophy"};
  infos[0].overview = "A hacker learns what the world he lives in really is.";
  infos[0].release_date = "1999-04-01";
  infos[0].runtime_minutes = 131;
  infos[7].imdb_id = "98765";  // as some releases write it: no leading zero

  ModelParts parts;
  parts.artifacts.movie_map = IdMap(embedded);
  parts.artifacts.movie_embeddings.resize(static_cast<Eigen::Index>(embedded.size()), 3);
  std::size_t row = 0;
  for (const FixtureMovie& movie : fixture_movies()) {
    if (!movie.embedded) continue;
    for (Eigen::Index c = 0; c < 3; ++c) {
      parts.artifacts.movie_embeddings(static_cast<Eigen::Index>(row), c) = movie.embedding[c];
    }
    parts.kept_movies[movie.id] = movie.ratings / 2;
    ++row;
  }
  parts.kept_movies[kKeptUnrated] = 0;
  // Two trained users (fixture_train() has what they rated): 1 likes action and science
  // fiction, 2 animation.
  parts.artifacts.user_map = IdMap({1, 2});
  parts.artifacts.user_embeddings.resize(2, 3);
  parts.artifacts.user_embeddings << 1, 0, 0, 0, 1, 0;
  parts.catalog = Catalog(std::move(infos));
  return parts;
}

inline Model fixture_model() { return Model::build(fixture_parts()); }
// The train ratings of the fixture's users (and of user 3, who has no vector): user 1 rated
// The Matrix, Alien and Toy Story, and Heat (1972), which has no embedding; user 2 Toy Story.
inline std::vector<Rating> fixture_train() {
  return {{1, kMatrix, 5.0f, 100}, {1, kAlien, 4.5f, 101},   {1, kToyStory, 2.0f, 102},
          {1, kHeat1972, 4.0f, 103}, {2, kToyStory, 5.0f, 100}, {3, kFargo, 5.0f, 100}};
}

// Two films titled "Emma (1996)" (other genres, other IMDb ids) and a third movie; without
// `both`, the less rated Emma has no embedding.
inline Model shared_title_model(bool both = true) {
  ModelParts parts;
  if (both) {
    parts.artifacts.movie_map = IdMap({838, 26958, 5});
    parts.artifacts.movie_embeddings.resize(3, 2);
    parts.artifacts.movie_embeddings << 1, 0, 0, 1, 1, 1;
  } else {
    parts.artifacts.movie_map = IdMap({838, 5});
    parts.artifacts.movie_embeddings.resize(2, 2);
    parts.artifacts.movie_embeddings << 1, 0, 1, 1;
  }
  std::vector<MovieInfo> movies(3);
  movies[0].id = 838;
  movies[0].title = "Emma (1996)";
  movies[0].genres = {"Comedy", "Drama", "Romance"};
  movies[0].imdb_id = "116191";
  movies[0].rating_count = 30;
  movies[1].id = 26958;
  movies[1].title = "Emma (1996)";
  movies[1].genres = {"Romance"};
  movies[1].imdb_id = "0118308";
  movies[1].rating_count = 1;
  movies[2].id = 5;
  movies[2].title = "Other (2000)";
  for (const MovieInfo& movie : movies) parts.kept_movies[movie.id] = movie.rating_count;
  parts.catalog = Catalog(std::move(movies));
  return Model::build(std::move(parts));
}

// No exploration and no genre filter: every unseen movie is a candidate, ranked by the model.
inline Policy fixture_policy() {
  Policy policy;
  policy.exploration_rate = 0;
  policy.min_genre_affinity = 0;
  policy.max_genre_distance = 1;
  return policy;
}

}  // namespace movierec::test
