#include "movierec/train/lead_ins.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "movielens_test_support.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/npy.hpp"
#include "movierec/train/artifacts.hpp"

namespace fs = std::filesystem;
using namespace movierec;
using movierec::testing::TempDir;

namespace {

// Three users, given out of order:
//   user 1 rates 0, 1, 2 (times 10, 20, 30); user 2 rates 0 then 2 (times 5, 6);
//   user 3 rates 3 then 0 (times 1, 2).
// Train ratings per movie: 0: 3, 1: 1, 2: 2, 3: 1.
TimedRating timed(std::int32_t user, std::uint32_t movie, std::int64_t time) {
  return {.user = user, .movie = movie & 0xFFFFFFu, .timestamp = time};
}

std::vector<TimedRating> three_users() {
  return {timed(2, 2, 6), timed(1, 1, 20), timed(3, 0, 2), timed(1, 0, 10),
          timed(2, 0, 5), timed(1, 2, 30), timed(3, 3, 1)};
}

Artifacts built(std::vector<TimedRating> ratings, LeadInOptions options) {
  Artifacts artifacts;
  build_lead_ins(std::move(ratings), 4, options, artifacts);
  return artifacts;
}

double weight(double pairs, double from_count, double to_count, double shrinkage) {
  return pairs / (std::sqrt(from_count * to_count) + shrinkage);
}

}  // namespace

TEST_CASE("lead-ins: the shrunk cosine of 'rated within the window after', heaviest first",
          "[lead_ins]") {
  const Artifacts a = built(three_users(), {.window = 2, .count = 3, .shrinkage = 1});
  REQUIRE(a.lead_in_rows.rows() == 4);
  REQUIRE(a.lead_in_rows.cols() == 3);
  // Movie 2: after 0 twice (user 1 two ratings later, user 2 next) and after 1 once.
  CHECK(a.lead_in_rows(2, 0) == 0);
  CHECK(a.lead_in_weights(2, 0) == Approx(weight(2, 3, 2, 1)));
  CHECK(a.lead_in_rows(2, 1) == 1);
  CHECK(a.lead_in_weights(2, 1) == Approx(weight(1, 1, 2, 1)));
  CHECK(a.lead_in_rows(2, 2) == -1);
  CHECK(a.lead_in_weights(2, 2) == 0);
  // Movie 1: after 0 once. Movie 0: after 3 once (never after itself or a later rating).
  CHECK(a.lead_in_rows(1, 0) == 0);
  CHECK(a.lead_in_weights(1, 0) == Approx(weight(1, 3, 1, 1)));
  CHECK(a.lead_in_rows(1, 1) == -1);
  CHECK(a.lead_in_rows(0, 0) == 3);
  CHECK(a.lead_in_weights(0, 0) == Approx(weight(1, 1, 3, 1)));
  CHECK(a.lead_in_rows(0, 1) == -1);
  // Movie 3 was nobody's later rating.
  CHECK(a.lead_in_rows(3, 0) == -1);
}

TEST_CASE("lead-ins: the window bounds the pairs and the count the lead-ins", "[lead_ins]") {
  // Window 1: only the rating just before counts, so movie 2 is after 0 once (user 2) and after
  // 1 once (user 1), and the rarer movie 1 weighs more.
  const Artifacts next = built(three_users(), {.window = 1, .count = 3, .shrinkage = 1});
  CHECK(next.lead_in_rows(2, 0) == 1);
  CHECK(next.lead_in_weights(2, 0) == Approx(weight(1, 1, 2, 1)));
  CHECK(next.lead_in_rows(2, 1) == 0);
  CHECK(next.lead_in_weights(2, 1) == Approx(weight(1, 3, 2, 1)));
  const Artifacts one = built(three_users(), {.window = 2, .count = 1, .shrinkage = 1});
  REQUIRE(one.lead_in_rows.cols() == 1);
  CHECK(one.lead_in_rows(2, 0) == 0);
}

TEST_CASE("lead-ins: with min_stars, a movie leads only into the ratings with those stars",
          "[lead_ins]") {
  // three_users with stars: user 1 rates 0 (5), 1 (3), 2 (4); user 2 rates 0 (5), 2 (2);
  // user 3 rates 3 (4), 0 (4).
  std::vector<TimedRating> ratings = three_users();
  const std::uint32_t half_stars[] = {4, 6, 8, 10, 10, 8, 8};
  for (std::size_t r = 0; r < ratings.size(); ++r) ratings[r].half_stars = half_stars[r] & 0xFFu;
  const Artifacts a = built(ratings, {.window = 2, .count = 3, .shrinkage = 1, .min_stars = 4});
  // Movie 2 is liked only by user 1, after 0 and 1: each pair once, counts as before.
  CHECK(a.lead_in_rows(2, 0) == 1);
  CHECK(a.lead_in_weights(2, 0) == Approx(weight(1, 1, 2, 1)));
  CHECK(a.lead_in_rows(2, 1) == 0);
  CHECK(a.lead_in_weights(2, 1) == Approx(weight(1, 3, 2, 1)));
  CHECK(a.lead_in_rows(1, 0) == -1);  // rated 3 stars: led into by nothing
  CHECK(a.lead_in_rows(0, 0) == 3);   // liked after 3
  Artifacts refused;
  CHECK_THROWS_WITH(build_lead_ins(ratings, 4, {.window = 2, .min_stars = 6}, refused),
                    Catch::Contains("min_stars from 0 to 5, got 6"));
}

TEST_CASE("lead-ins: ratings at the same time go in movie order", "[lead_ins]") {
  const Artifacts a =
      built({timed(1, 2, 7), timed(1, 1, 7)}, {.window = 1, .count = 2, .shrinkage = 0});
  CHECK(a.lead_in_rows(2, 0) == 1);
  CHECK(a.lead_in_weights(2, 0) == Approx(1.0));
  CHECK(a.lead_in_rows(1, 0) == -1);
}

TEST_CASE("lead-ins refuse options out of range and unknown movies", "[lead_ins]") {
  Artifacts a;
  CHECK_THROWS_WITH(build_lead_ins(three_users(), 4, {.window = 0}, a),
                    Catch::Contains("window of 1 to 255 ratings, got 0"));
  CHECK_THROWS_WITH(build_lead_ins(three_users(), 4, {.window = 256}, a),
                    Catch::Contains("got 256"));
  CHECK_THROWS_WITH(build_lead_ins(three_users(), 4, {.window = 2, .count = 0}, a),
                    Catch::Contains("at least one per movie"));
  CHECK_THROWS_WITH(build_lead_ins(three_users(), 4, {.window = 2, .count = 1, .shrinkage = -1}, a),
                    Catch::Contains("shrinkage >= 0"));
  CHECK_THROWS_WITH(build_lead_ins(three_users(), 3, {}, a),
                    Catch::Contains("movie row 3 is not below 3"));
}

TEST_CASE("lead-ins round trip through the artifacts; damaged files are refused", "[lead_ins]") {
  TempDir dir;
  const fs::path out = dir.path() / "artifacts";
  Artifacts a = built(three_users(), {.window = 2, .count = 3, .shrinkage = 1});
  a.user_embeddings = RowMatrixXf::Ones(3, 2);
  a.movie_embeddings = RowMatrixXf::Ones(4, 2);
  a.user_map = IdMap({1, 2, 3});
  a.movie_map = IdMap({10, 20, 30, 40});
  save_artifacts(out, a);
  const Artifacts back = load_artifacts(out);
  CHECK(back.lead_in_rows == a.lead_in_rows);
  CHECK(back.lead_in_weights == a.lead_in_weights);

  const auto write = [&](const char* name, const RowMatrixXf& matrix) {
    std::ofstream file(out / name, std::ios::binary | std::ios::trunc);
    write_npy(file, matrix);
  };
  const auto refused = [&](const std::string& what) {
    CHECK_THROWS_WITH(load_artifacts(out), Catch::Contains(what));
    save_artifacts(out, a);
  };
  RowMatrixXf rows = a.lead_in_rows;
  rows(1, 0) = 2.5f;
  write("lead_in_rows.npy", rows);
  refused("row 1, column 0 holds 2.5, not a movie row (0 to 3) or -1");
  rows(1, 0) = 4;
  write("lead_in_rows.npy", rows);
  refused("not a movie row");
  RowMatrixXf weights = a.lead_in_weights;
  weights(2, 1) = -0.5f;
  write("lead_in_weights.npy", weights);
  refused("lead_in_weights.npy: row 2, column 1 holds -0.5, below 0");
  write("lead_in_weights.npy", RowMatrixXf::Zero(3, 3));
  refused("but movie_map.json maps 4 movies");
  fs::remove(out / "lead_in_weights.npy");
  refused("lead_in_rows.npy is there but lead_in_weights.npy is missing");

  Artifacts ragged = a;
  ragged.lead_in_weights = RowMatrixXf::Zero(4, 2);
  CHECK_THROWS_WITH(save_artifacts(dir.path() / "other", ragged),
                    Catch::Contains("lead-in rows 4 x 3 and weights 4 x 2"));
}

TEST_CASE("lead-ins are written only when the ratings' order says something", "[lead_ins]") {
  // 300 users rate 30 movies each. In order: everyone rates movie m at time m.
  std::vector<TimedRating> ordered, shuffled;
  std::mt19937 random(5);
  for (std::int32_t user = 0; user < 300; ++user) {
    std::vector<std::uint32_t> order(30);
    std::iota(order.begin(), order.end(), 0u);
    for (std::uint32_t m = 0; m < 30; ++m) ordered.push_back(timed(user, m, m));
    std::shuffle(order.begin(), order.end(), random);
    for (std::uint32_t t = 0; t < 30; ++t) shuffled.push_back(timed(user, order[t], t));
  }
  CHECK(order_signal(ordered, 30) > 100);
  const double random_order = order_signal(shuffled, 30);
  CHECK(random_order > 0.5);
  CHECK(random_order < 1.5);

  Artifacts a;
  CHECK(build_lead_ins(ordered, 30, {.window = 1, .count = 3, .shrinkage = 1}, a) > 100);
  CHECK(a.has_lead_ins());
  CHECK(a.lead_in_rows(10, 0) == 9);  // rated just before it by everyone
  CHECK(a.lead_in_rows(10, 1) == -1);
  CHECK(build_lead_ins(shuffled, 30, {.window = 5, .count = 3, .shrinkage = 1}, a) < 1.5);
  CHECK_FALSE(a.has_lead_ins());
  CHECK(a.lead_in_weights.size() == 0);
  // Too few ratings per movie to tell: written.
  CHECK(std::isnan(order_signal(three_users(), 4)));
  CHECK_THROWS_WITH(order_signal(three_users(), 3), Catch::Contains("movie row 3 is not below 3"));
  CHECK(built(three_users(), {.window = 2, .count = 3, .shrinkage = 1}).has_lead_ins());
}
