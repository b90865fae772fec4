// add_outside_movies: the fold-in of a movie with a few ratings, checked against the ALS movie
// step solved by hand, and content vectors that follow the genres of a fixture.
#include "movierec/train/outside_movies.hpp"

#include <catch2/catch.hpp>
#include <cmath>

using namespace movierec;

namespace {

MovieInfo movie(std::int32_t id, std::vector<std::string> genres, int year = 0) {
  MovieInfo info;
  info.id = id;
  info.title = "Movie " + std::to_string(id);
  info.year = year;
  info.genres = std::move(genres);
  return info;
}

TransformedRating rated(std::int32_t user, std::int32_t movie, float stars) {
  TransformedRating r;
  r.rating = {user, movie, stars, 0};
  return r;
}

double cosine(const Eigen::RowVectorXf& a, const Eigen::RowVectorXf& b) {
  return static_cast<double>(a.dot(b) / (a.norm() * b.norm()));
}

}  // namespace

TEST_CASE("a movie with ratings is folded in by the ALS movie step, pulled to its content") {
  // Three users, one trained movie (so the content map can only give its vector, c = (1, 2)).
  Artifacts artifacts;
  artifacts.user_embeddings = RowMatrixXf{{1, 0}, {0, 1}, {1, 1}};
  artifacts.user_map = IdMap({10, 11, 12});
  artifacts.movie_embeddings = RowMatrixXf{{1, 2}};
  artifacts.movie_map = IdMap({1});
  const Catalog catalog({movie(1, {"Drama"}), movie(2, {"Drama"}), movie(3, {"Drama"})});
  PipelineConfig config;
  config.model = FactorModel::kAls;
  config.target = Target::kRating;
  config.als_missing_weight = 0.5;
  config.fold_in_regularization = 1;
  // Movie 2: users 10 (4 stars) and 12 (2 stars); a rating by an unknown user is left out.
  const nlohmann::json summary = add_outside_movies(
      artifacts, catalog, {rated(10, 2, 4), rated(12, 2, 2), rated(99, 2, 5)}, config);
  // By hand: A = 0.5 UᵀU + 0.5 (u10 u10ᵀ + u12 u12ᵀ) + I = [[3, 1], [1, 2.5]],
  // b = 4 u10 + 2 u12 + c = (7, 4), v = A⁻¹ b = (13.5, 5) / 6.5.
  REQUIRE(artifacts.outside_map.ids() == std::vector<std::int32_t>{2, 3});
  CHECK(artifacts.outside_embeddings(0, 0) == Approx(13.5 / 6.5));
  CHECK(artifacts.outside_embeddings(0, 1) == Approx(5.0 / 6.5));
  CHECK(artifacts.outside_ratings[0] == 2);
  // Movie 3 has no ratings: its content vector alone.
  CHECK(artifacts.outside_embeddings(1, 0) == Approx(1));
  CHECK(artifacts.outside_embeddings(1, 1) == Approx(2));
  CHECK(artifacts.outside_ratings[1] == 0);
  CHECK(summary["movies"] == 2);
  CHECK(summary["folded"] == 1);
  CHECK(summary["from_content"] == 1);

  // The stronger the pull, the closer to the content vector.
  config.fold_in_regularization = 1000;
  add_outside_movies(artifacts, catalog, {rated(10, 2, 4), rated(12, 2, 2)}, config);
  CHECK(artifacts.outside_embeddings(0, 0) == Approx(1).epsilon(0.01));
  CHECK(artifacts.outside_embeddings(0, 1) == Approx(2).epsilon(0.01));
}

TEST_CASE("content vectors follow what is known about a movie") {
  // Twelve trained movies: comedies near (1, 0), dramas near (0, 1).
  Artifacts artifacts;
  artifacts.user_embeddings = RowMatrixXf{{1, 0}};
  artifacts.user_map = IdMap({1});
  std::vector<MovieInfo> movies;
  std::vector<std::int32_t> trained;
  artifacts.movie_embeddings.resize(12, 2);
  for (int i = 0; i < 12; ++i) {
    const bool comedy = i % 2 == 0;
    movies.push_back(movie(i + 1, {comedy ? "Comedy" : "Drama"}, 1990 + i));
    trained.push_back(i + 1);
    const float wobble = 0.1F * static_cast<float>(i % 3);
    artifacts.movie_embeddings.row(i) << (comedy ? 1 : wobble), (comedy ? wobble : 1);
  }
  artifacts.movie_map = IdMap(trained);
  movies.push_back(movie(20, {"Comedy"}));
  movies.push_back(movie(21, {"Drama"}));
  const nlohmann::json summary =
      add_outside_movies(artifacts, Catalog(movies), {}, PipelineConfig{});
  const Eigen::RowVectorXf comedy = artifacts.outside_embeddings.row(0);
  const Eigen::RowVectorXf drama = artifacts.outside_embeddings.row(1);
  const Eigen::RowVectorXf x{{1, 0}}, y{{0, 1}};
  CHECK(cosine(comedy, x) > cosine(comedy, y) + 0.5);
  CHECK(cosine(drama, y) > cosine(drama, x) + 0.5);
  // The check holds out every fifth trained movie: the content map beats the mean vector.
  CHECK(summary["content_check"]["movies"] == 2);
  CHECK(summary["content_check"]["cosine"].get<double>() >
        summary["content_check"]["mean_vector_cosine"].get<double>());
}

TEST_CASE("content features: genres, decade, tags and overview words, each once") {
  MovieInfo info = movie(1, {"Animation", "Comedy"}, 1995);
  info.tags = {"Pixar", "fun"};
  info.overview = "Toys come alive; toys, at night! A cowboy and a spaceman.";
  CHECK(content_features(info) ==
        std::vector<std::string>{"decade:1990", "genre:Animation", "genre:Comedy", "tag:fun",
                                 "tag:pixar", "word:alive", "word:and", "word:come", "word:cowboy",
                                 "word:night", "word:spaceman", "word:toys"});
}
