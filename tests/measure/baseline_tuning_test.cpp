// Choosing the baselines' values: the coordinate search on known functions, the names
// --baselines takes, option checks, the train matrix, and a whole tuning run whose choice is
// the best point it tried.
#include "movierec/measure/baseline_tuning.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "movierec/io/error.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

TEST_CASE("coordinate search: finds a separable optimum, each point scored once", "[baselines]") {
  std::map<std::vector<std::size_t>, int> calls;
  const auto score = [&](const std::vector<std::size_t>& p) {
    ++calls[p];
    const double a = static_cast<double>(p[0]) - 4, b = static_cast<double>(p[1]) - 1;
    return -(a * a) - 2 * b * b;
  };
  CHECK(coordinate_search({6, 3}, {0, 0}, score) == std::vector<std::size_t>{4, 1});
  for (const auto& [point, count] : calls) CHECK(count == 1);
  // A one-axis grid is searched in full: the best of all, the earliest on ties.
  const std::vector<double> values = {1, 3, 2, 3, 0};
  calls.clear();
  const auto one = coordinate_search({5}, {2}, [&](const std::vector<std::size_t>& p) {
    ++calls[p];
    return values[p[0]];
  });
  CHECK(one == std::vector<std::size_t>{1});
  CHECK(calls.size() == 5);
  CHECK_THROWS_AS(coordinate_search({3}, {3}, score), Error);
  CHECK_THROWS_AS(coordinate_search({}, {}, score), Error);
}

TEST_CASE("full search: every point once, last axis fastest, the earliest best", "[baselines]") {
  std::vector<std::vector<std::size_t>> order;
  const auto best = full_search({2, 3}, [&](const std::vector<std::size_t>& p) {
    order.push_back(p);
    return p == std::vector<std::size_t>{0, 2} || p == std::vector<std::size_t>{1, 0} ? 5.0 : 1.0;
  });
  CHECK(order ==
        std::vector<std::vector<std::size_t>>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}});
  CHECK(best == std::vector<std::size_t>{0, 2});
  // A ridge that stops coordinate ascent (from (0, 0) neither axis alone improves) does not stop
  // the full search.
  const auto ridge = [](const std::vector<std::size_t>& p) {
    return p[0] == 2 && p[1] == 2 ? 9.0 : (p[0] + p[1] == 0 ? 1.0 : 0.0);
  };
  CHECK(coordinate_search({3, 3}, {0, 0}, ridge) == std::vector<std::size_t>{0, 0});
  CHECK(full_search({3, 3}, ridge) == std::vector<std::size_t>{2, 2});
  CHECK_THROWS_AS(full_search({2, 0}, ridge), Error);
}

TEST_CASE("the names evaluate --baselines takes", "[baselines]") {
  CHECK(parse_baseline_names("all") == kBaselineNames);
  CHECK(parse_baseline_names("none").empty());
  CHECK(parse_baseline_names("").empty());
  CHECK(parse_baseline_names("ease,knn,ease") == std::vector<std::string>{"ease", "knn"});
  CHECK_THROWS_AS(parse_baseline_names("ease,slim"), ConfigError);
  CHECK_THROWS_WITH(parse_baseline_names("ease,"), Catch::Contains("unknown baseline ''"));
  BaselineOptions options;
  CHECK_NOTHROW(options.validate());
  options.ease_lambdas = {};
  CHECK_THROWS_WITH(options.validate(), Catch::Contains("ease_lambdas"));
  options = {};
  options.ials_unobserved = {0.1, 2};
  CHECK_THROWS_WITH(options.validate(), Catch::Contains("ials_unobserved"));
  options = {};
  options.dislike_weight = -1;
  CHECK_THROWS_AS(options.validate(), ConfigError);
}

TEST_CASE("the train matrix: catalog movies only, binary and stars", "[baselines]") {
  const IdMap movies({10, 20, 30});
  const std::vector<Rating> train = {
      {7, 20, 4.5f, 1}, {7, 99, 5.0f, 2}, {3, 10, 2.0f, 3}, {3, 30, 3.5f, 4}, {5, 99, 1.0f, 5}};
  const InteractionMatrix m = interaction_matrix(movies, train);
  REQUIRE(m.rated.rows() == 2);  // users 3 and 7; user 5 rated only a movie outside
  REQUIRE(m.rated.cols() == 3);
  CHECK(m.rated.coeff(0, 0) == 1);
  CHECK(m.rated.coeff(0, 2) == 1);
  CHECK(m.rated.coeff(1, 1) == 1);
  CHECK(m.rated.nonZeros() == 3);
  CHECK(m.stars.coeff(0, 2) == 3.5);
  CHECK(m.stars.coeff(1, 1) == 4.5);
  CHECK_THROWS_AS(interaction_matrix(movies, {{1, 99, 3.0f, 1}}), Error);
}

TEST_CASE("tuning: each baseline chooses the best point it tried, on val answers", "[baselines]") {
  // 40 movies with two taste groups (even and odd rows): users rate within their group.
  const Model model = random_model(40, 4, 3);
  std::vector<std::int32_t> ids(40);
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int32_t>(i + 1);
  const Model& catalog = model;  // random_model's movie ids are 1..40, row + 1
  std::mt19937 rng(5);
  std::vector<Rating> train;
  std::vector<SimulatedUser> users;
  for (std::int32_t user = 1; user <= 60; ++user) {
    const int group = user % 2;
    std::vector<std::size_t> rows;
    for (std::size_t row = group; row < 40; row += 2) {
      if (rng() % 3 == 0) rows.push_back(row);
    }
    if (rows.size() < 6) continue;
    for (const std::size_t row : rows) {
      train.push_back({user, ids[row], 4.5f, static_cast<std::int64_t>(row)});
    }
    SimulatedUser simulated;
    simulated.id = user;
    for (std::size_t i = 0; i < 4; ++i) simulated.favourites[i] = rows[i];
    for (std::size_t row = group; row < 40; row += 2) {
      if (std::find(rows.begin(), rows.end(), row) == rows.end()) {
        simulated.future.emplace_back(row, 5.0f);
      }
    }
    users.push_back(simulated);
  }
  const InteractionMatrix matrix = interaction_matrix(catalog.artifacts().movie_map, train);
  BaselineOptions options;
  options.names = {"ease", "puresvd", "knn", "rp3beta", "ials"};
  options.svd_ks = {2, 5};
  options.svd_fixed_k = 3;
  options.ials_ks = {2, 4};
  options.ials_iterations = 3;
  SimulationOptions simulation;
  simulation.steps = 5;
  std::vector<std::string> skipped;
  std::vector<std::string> announced;
  const std::vector<TunedBaseline> tuned =
      tune_baselines(options, catalog, matrix, users, simulation, skipped,
                     [&](const std::string& name) { announced.push_back(name); });
  CHECK(skipped.empty());
  CHECK(announced == std::vector<std::string>{"EASE", "PureSVD", "item-kNN", "RP3beta", "iALS"});
  REQUIRE(tuned.size() == 6);
  CHECK(tuned[1].name == "PureSVD (k 3)");
  CHECK(tuned[1].chosen == std::vector<double>{3});
  for (const TunedBaseline& baseline : tuned) {
    INFO(baseline.name);
    REQUIRE(baseline.scorer);
    CHECK(baseline.scorer->movie_count() == 40);
    REQUIRE_FALSE(baseline.tried.empty());
    double best = baseline.tried.front().val_likes;
    for (const GridPoint& point : baseline.tried) best = std::max(best, point.val_likes);
    CHECK(baseline.val_likes == best);
    const auto chosen =
        std::find_if(baseline.tried.begin(), baseline.tried.end(),
                     [&](const GridPoint& p) { return p.values == baseline.chosen; });
    REQUIRE(chosen != baseline.tried.end());
    CHECK(chosen->val_likes == best);
    // Taste is all there is here: every model finds liked movies in five steps.
    CHECK(baseline.val_likes > 2.5);
  }
}
