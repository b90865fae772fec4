#include "movierec/train/scoring.hpp"

#include <catch2/catch.hpp>

using movierec::Artifacts;
using movierec::IdMap;

namespace {

// Three users and four movies in k = 2, with biases: the global mean 3.5, user biases
// (0.5, 0, -0.25), movie biases (1, -1, 0.125, 2).
Artifacts biased_model() {
  Artifacts a;
  a.user_embeddings.resize(3, 2);
  a.user_embeddings << 1, 2,  //
      0, 0,                   //
      -1, 0.5f;
  a.movie_embeddings.resize(4, 2);
  a.movie_embeddings << 1, 0,  //
      0, 1,                    //
      1, 1,                    //
      0, 0;
  a.user_bias = (Eigen::VectorXf(3) << 0.5f, 0, -0.25f).finished();
  a.movie_bias = (Eigen::VectorXf(4) << 1, -1, 0.125f, 2).finished();
  a.global_mean = 3.5;
  a.user_map = IdMap({10, 20, 30});
  a.movie_map = IdMap({1, 2, 3, 4});
  return a;
}

}  // namespace

TEST_CASE("predict adds the global mean and both biases; score_movies is user . movie alone",
          "[scoring]") {
  const Artifacts a = biased_model();
  // 3.5 + user 0's bias 0.5 + movie 2's bias 0.125 + (1, 2) . (1, 1).
  CHECK(movierec::predict(a, 0, 2) == Approx(3.5 + 0.5 + 0.125 + 3));
  CHECK(movierec::predict(a, 2, 0) == Approx(3.5 - 0.25 + 1.0 - 1));
  CHECK(movierec::predict(a, 1, 3) == Approx(3.5 + 0 + 2 + 0));
  Eigen::VectorXf scores;
  movierec::score_movies(a, a.user_embeddings.row(0).transpose(), scores);
  CHECK(scores == (Eigen::VectorXf(4) << 1, 2, 3, 0).finished());

  Artifacts plain = a;
  plain.user_bias.resize(0);
  plain.movie_bias.resize(0);
  plain.global_mean = 0;
  CHECK(movierec::predict(plain, 0, 2) == Approx(3));
  CHECK(movierec::predict(plain, 1, 3) == 0);
}

TEST_CASE("predicts_stars: target rating, or a model that says it predicts stars", "[scoring]") {
  CHECK(movierec::predicts_stars({{"target", "rating"}}));
  CHECK(movierec::predicts_stars({{"target", "rating"}, {"predicts", "stars"}}));
  CHECK_FALSE(movierec::predicts_stars({{"target", "rating_norm"}, {"predicts", "rating_norm"}}));
  CHECK_FALSE(movierec::predicts_stars({{"target", "final_rating"}}));
  CHECK_FALSE(movierec::predicts_stars(nlohmann::json::object()));
}
