// OrderSignal and order_signal of a split's train ratings (order_signal.hpp).
#include "movierec/data/order_signal.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>

using namespace movierec;

namespace {

// 300 users rate the 30 movies 1000, 1010, .., 1290, each user's at times 0 .. 29: in id order,
// or in an order drawn at random per user.
std::vector<Rating> thirty_movies(bool in_id_order) {
  std::mt19937 random(5);
  std::vector<Rating> ratings;
  for (std::int32_t user = 1; user <= 300; ++user) {
    std::vector<std::int32_t> movies(30);
    std::iota(movies.begin(), movies.end(), 0);
    if (!in_id_order) std::shuffle(movies.begin(), movies.end(), random);
    for (std::int32_t t = 0; t < 30; ++t) ratings.push_back({user, 1000 + 10 * movies[t], 4.0f, t});
  }
  return ratings;
}

}  // namespace

TEST_CASE("the order signal tells an order everyone shares from none", "[order_signal]") {
  CHECK(order_signal(RatingPieces(thirty_movies(true))) > 100);
  const double random_order = order_signal(RatingPieces(thirty_movies(false)));
  CHECK(random_order > 0.5);
  CHECK(random_order < 1.5);
  CHECK(random_order < kMinOrderSignal);
}

TEST_CASE("order_signal of a split numbers the movies by id, as OrderSignal is fed",
          "[order_signal]") {
  const std::vector<Rating> ratings = thirty_movies(false);
  OrderSignal by_hand(30);
  for (const Rating& r : ratings) {
    by_hand.add(r.user, static_cast<std::uint32_t>((r.movie - 1000) / 10));
  }
  // A split's pieces may cut a user's ratings in two (here in two vectors): the signal does not
  // see the cut.
  const std::vector<Rating> head(ratings.begin(), ratings.begin() + 45);
  const std::vector<Rating> tail(ratings.begin() + 45, ratings.end());
  RatingPieces pieces;
  pieces.add(head);
  pieces.add(tail);
  REQUIRE(pieces.pieces().size() == 2);
  CHECK(order_signal(pieces) == by_hand.value());
}

TEST_CASE("the order signal needs ratings enough to tell, and rows in range", "[order_signal]") {
  // 19 ratings per movie are too few; users with one rating say nothing of order.
  std::vector<Rating> few;
  for (std::int32_t user = 1; user <= 19; ++user) {
    few.push_back({user, 7, 4.0f, 1});
    few.push_back({user, 8, 4.0f, 2});
  }
  for (std::int32_t user = 20; user <= 60; ++user) few.push_back({user, 7, 4.0f, 1});
  CHECK(std::isnan(order_signal(RatingPieces(few))));
  CHECK(std::isnan(order_signal(RatingPieces())));

  OrderSignal signal(3);
  signal.add(1, 0);
  CHECK_THROWS_WITH(signal.add(1, 3), Catch::Contains("movie row 3 is not below 3"));
}
