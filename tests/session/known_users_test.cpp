// Known users: the ranking evaluate, serve and recommend --user share, and a session's start.
#include "movierec/session/known_users.hpp"

#include <catch2/catch.hpp>

#include "movierec/io/error.hpp"
#include "repl_fixture_model.hpp"

namespace movierec {
namespace {

using namespace test;

std::int32_t known_id_at(const Model& model, std::size_t row) {
  return model.artifacts().movie_map.id(row);
}

TEST_CASE("a known user's ranking leaves out what they rated, best first, ties by row") {
  const Model model = fixture_model();
  const KnownUsers users(model, fixture_train());
  CHECK(users.size() == 2);
  CHECK(users.contains(1));
  CHECK_FALSE(users.contains(3));  // ratings but no vector
  REQUIRE(users.rated(1) != nullptr);
  CHECK(users.rated(1)->size() == 3);  // Heat (1972) has no embedding

  // User 1 is (1, 0, 0): the first coordinate ranks; The Matrix and Alien are rated.
  const auto ranked = users.recommend(model, 1, 4, 0);
  REQUIRE(ranked);
  REQUIRE(ranked->size() == 4);
  CHECK(known_id_at(model, (*ranked)[0].row) == kAliens);
  CHECK((*ranked)[0].score == Approx(1.0));
  CHECK(known_id_at(model, (*ranked)[1].row) == kBladeRunner);
  CHECK(known_id_at(model, (*ranked)[2].row) == kDieHard);
  CHECK(known_id_at(model, (*ranked)[3].row) == kHeat);
  CHECK((*ranked)[3].score == Approx(0.6));
  const std::optional<std::vector<RankedMovie>> all = users.recommend(model, 1, 100, 0);
  REQUIRE(all);
  for (const RankedMovie& movie : *all) {
    CHECK(known_id_at(model, movie.row) != kMatrix);
    CHECK(known_id_at(model, movie.row) != kAlien);
    CHECK(known_id_at(model, movie.row) != kToyStory);
  }
  CHECK(all->size() == model.movie_count() - 3);
  CHECK_FALSE(users.recommend(model, 99, 10, 0));
  CHECK_THROWS_AS(rank_known_user(model, 2, {}, 10, 0), Error);  // two users: rows 0 and 1
}

TEST_CASE("a session starts from a known user: their vector, what they rated seen") {
  const Model model = fixture_model();
  const KnownUsers users(model, fixture_train());
  CHECK_FALSE(users.start(model, 3));
  std::optional<KnownStart> start = users.start(model, 1);
  REQUIRE(start);
  CHECK(start->vector.isApprox(Eigen::Vector3d(1, 0, 0)));
  CHECK(start->favourites.empty());
  CHECK(start->liked.size() == 2);  // The Matrix and Alien; Toy Story got 2 stars
  Session session(model, fixture_policy(), 7);
  session.start_known(std::move(*start));
  CHECK(session.seen_count() == 3);
  const std::optional<Recommendation> first = session.next();
  REQUIRE(first);
  CHECK(known_id_at(model, first->row) != kMatrix);
  CHECK(session.seen(*model.artifacts().movie_map.row(kToyStory)));
}

TEST_CASE("an unknown user is named with the ids the model knows") {
  const Model model = fixture_model();
  CHECK(unknown_user_message(model, 99) ==
        "user 99 is not a user of the model (it knows 2 users, ids 1 to 2, from user_map.json)");
}

}  // namespace
}  // namespace movierec
