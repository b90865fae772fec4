// similar_movies: "more like this" by the cosine of the embeddings.
#include "movierec/session/similar.hpp"

#include <catch2/catch.hpp>
#include <cmath>

#include "../support/session_models.hpp"
#include "movierec/io/error.hpp"

namespace movierec {
namespace {

using test::make_model;

// Two "series" pointing two ways, a very long (popular-looking) vector between them, a zero
// vector and an opposite one: the obvious answer for movie 0 is its sibling 1, then 2 (the long
// vector, which is only half-way), never the zero vector, the opposite last.
Model similar_series_model() {
  return make_model({{1, 0, 0},     // 0: series A, part 1
                     {0.9f, 0.1f, 0},  // 1: series A, part 2
                     {10, 10, 0},   // 2: long vector, 45 degrees from both
                     {0, 1, 0},     // 3: series B, part 1
                     {0.1f, 0.9f, 0},  // 4: series B, part 2
                     {0, 0, 0},     // 5: no direction
                     {-1, 0, 0}},   // 6: the opposite of 0
                    {{0}, {0}, {0}, {0}, {0}, {0}, {0}}, {1, 1, 1000, 1, 1, 1, 1}, {"Drama"});
}

TEST_CASE("similar_movies ranks by the cosine, not the length") {
  const Model model = similar_series_model();
  const std::vector<SimilarMovie> near = similar_movies(model, 0, 10, 0);
  REQUIRE(near.size() == 5);  // itself and the zero vector left out
  CHECK(near[0].row == 1);
  CHECK(near[0].similarity == Approx(0.9 / std::sqrt(0.82)));
  CHECK(near[1].row == 2);
  CHECK(near[1].similarity == Approx(std::sqrt(0.5)));
  CHECK(near[2].row == 4);
  CHECK(near[3].row == 3);
  CHECK(near[3].similarity == Approx(0.0).margin(1e-12));
  CHECK(near[4].row == 6);
  CHECK(near[4].similarity == Approx(-1.0));

  const std::vector<SimilarMovie> b = similar_movies(model, 3, 1, 0);
  REQUIRE(b.size() == 1);
  CHECK(b[0].row == 4);
}

TEST_CASE("similar_movies breaks ties by row, stops at count, refuses a bad row") {
  const Model model = make_model({{1, 0}, {2, 0}, {3, 0}, {0, 1}}, {{0}, {0}, {0}, {0}},
                                 {1, 1, 1, 1}, {"Drama"});
  const std::vector<SimilarMovie> near = similar_movies(model, 1, 2, 0);
  REQUIRE(near.size() == 2);
  CHECK(near[0].row == 0);
  CHECK(near[1].row == 2);
  CHECK(similar_movies(model, 1, 0, 0).empty());
  CHECK_THROWS_AS(similar_movies(model, 4, 3, 0), Error);
}

TEST_CASE("similar_movies of a zero vector is empty") {
  const Model model = similar_series_model();
  CHECK(similar_movies(model, 5, 10, 0).empty());
}

}  // namespace
}  // namespace movierec
