// The evaluate step's library parts: rating fit and ranking against hand-computed values,
// --compare parsing, and the whole report (JSON and chart) independent of the thread count.
#include "movierec/measure/evaluation.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "movierec/io/error.hpp"
#include "movierec/measure/evaluation_report.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

RowMatrixXf matrix(const std::vector<std::vector<float>>& rows) {
  RowMatrixXf m(static_cast<Eigen::Index>(rows.size()),
                static_cast<Eigen::Index>(rows.front().size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows[r][c];
    }
  }
  return m;
}

// Movies 10..60 (rows 0-5) and users 1, 2, 3 (rows 0-2); user . movie for users 1 and 2:
//   movie     10   20   30   40   50   60
//   user 1    1    0.5  1.5  0.5  2    1
//   user 2    0    1    1    0    0    2
Model hand_model(const std::string& target) {
  ModelParts parts =
      with_ids(make_parts({{1, 0}, {0, 1}, {1, 1}, {0.5, 0}, {2, 0}, {0, 2}},
                          std::vector<std::vector<int>>(6), std::vector<std::int64_t>(6, 0), {}),
               {10, 20, 30, 40, 50, 60});
  parts.artifacts.user_embeddings = matrix({{1, 0.5}, {0, 1}, {1, 1}});
  parts.artifacts.user_map = IdMap({1, 2, 3});
  parts.artifacts.manifest = {{"target", target}, {"k", 2}};
  parts.pipeline.target = *parse_choice<Target>(target);
  return Model::build(std::move(parts));
}

TransformedRating row(std::int32_t user, std::int32_t movie, float stars, double final_rating) {
  TransformedRating rating;
  rating.rating = {user, movie, stars, 0};
  rating.final_rating = final_rating;
  return rating;
}

// A row with the whole transform: final_rating = rating_norm · pop_weight · time_weight.
TransformedRating transformed(std::int32_t user, std::int32_t movie, float stars,
                              double rating_norm, double pop_weight, double time_weight) {
  TransformedRating rating = row(user, movie, stars, rating_norm * pop_weight * time_weight);
  rating.rating_norm = rating_norm;
  rating.pop_weight = pop_weight;
  rating.time_weight = time_weight;
  return rating;
}

// `users` random users of `model` with ten train and fifteen held-out ratings each.
EvaluationData random_ratings(const Model& model, std::size_t users, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  EvaluationData data;
  const auto& ids = model.artifacts().movie_map.ids();
  for (std::size_t u = 0; u < users; ++u) {
    const auto user = static_cast<std::int32_t>(u + 1);
    std::vector<std::int32_t> movies = ids;
    std::shuffle(movies.begin(), movies.end(), rng);
    for (std::size_t i = 0; i < 25; ++i) {
      const float stars = static_cast<float>(1 + rng() % 10) * 0.5f;
      const Rating rating{user, movies[i], stars, static_cast<std::int64_t>(rng() % 1000)};
      if (i < 10) {
        data.train.push_back(rating);
      } else {
        TransformedRating held = row(user, movies[i], stars, stars - 3.0);
        (i < 17 ? data.val : data.test).push_back(held);
        data.held_out.push_back(rating);
      }
    }
  }
  return data;
}

}  // namespace

TEST_CASE("rating fit: the seed's final_rating, the model's own target, stars when predicted") {
  EvaluationData data;
  data.val = {row(1, 10, 4.0f, 0.5),    // predicted 1: errors 0.5 (final), -3 (stars)
              row(2, 60, 2.5f, 1.5),    // predicted 2: errors 0.5, -0.5
              row(9, 10, 4.0f, 0.0),    // user 9 has no embedding
              row(1, 70, 4.0f, 0.0)};   // movie 70 has no embedding
  data.test = {row(2, 20, 1.0f, 0.0)};  // predicted 1: errors 1, 0
  const RatingFit stars = rating_fit(hand_model("rating"), data);
  CHECK(stars.target == "rating");
  CHECK(stars.stars);
  CHECK(stars.seed_val.rows == 2);
  CHECK(stars.seed_val.skipped == 2);
  // Stars: sqrt((9 + 0.25) / 2) and (3 + 0.5) / 2; the target "rating" is stars too.
  CHECK(*stars.stars_val.rmse == Approx(std::sqrt(4.625)));
  CHECK(*stars.stars_val.mae == Approx(1.75));
  CHECK(*stars.target_val.rmse == Approx(std::sqrt(4.625)));
  CHECK(*stars.stars_test.rmse == Approx(0.0).margin(1e-12));

  const RatingFit final_fit = rating_fit(hand_model("final_rating"), data);
  CHECK_FALSE(final_fit.stars);
  CHECK_FALSE(final_fit.stars_val.rmse);
  CHECK_FALSE(final_fit.stars_test.mae);
  CHECK(*final_fit.target_val.rmse == Approx(0.5));
  CHECK(*final_fit.seed_val.rmse == Approx(0.5));  // the same measure for this target
  CHECK(*final_fit.seed_val.mae == Approx(0.5));
  CHECK(*final_fit.seed_test.rmse == Approx(1.0));
  CHECK(final_fit.stars_val.rows == 2);
}

TEST_CASE("rating fit against final_rating converts each target with the row's own transform") {
  EvaluationData data;
  // User 1 (mean 3) rates movie 10 (predicted 1): rating_norm 1, pop_weight 0.5, time_weight 1,
  // final_rating 0.5. User 2 (mean 3) rates movie 60 (predicted 2): -0.5, 0.25, 0.5: -0.0625.
  data.val = {transformed(1, 10, 4.0f, 1.0, 0.5, 1.0), transformed(2, 60, 2.5f, -0.5, 0.25, 0.5),
              transformed(9, 10, 4.0f, 1.0, 1.0, 1.0)};  // user 9 has no embedding
  // User 2 (mean 3) rates movie 20 (predicted 1): -2, 1, 1: final_rating -2.
  data.test = {transformed(2, 20, 1.0f, -2.0, 1.0, 1.0)};

  // Stars: (1 - 3) · 0.5 = -1 against 0.5; (2 - 3) · 0.125 = -0.125 against -0.0625;
  // test (1 - 3) · 1 = -2 against -2.
  const RatingFit stars = rating_fit(hand_model("rating"), data);
  CHECK(stars.seed_val.rows == 2);
  CHECK(stars.seed_val.skipped == 1);
  CHECK(*stars.seed_val.rmse == Approx(std::sqrt((1.5 * 1.5 + 0.0625 * 0.0625) / 2)));
  CHECK(*stars.seed_val.mae == Approx((1.5 + 0.0625) / 2));
  CHECK(*stars.seed_test.rmse == Approx(0.0).margin(1e-12));

  // rating_norm: 1 · 0.5 = 0.5 against 0.5; 2 · 0.125 = 0.25 against -0.0625; test 1 against -2.
  const RatingFit norm = rating_fit(hand_model("rating_norm"), data);
  CHECK(*norm.seed_val.rmse == Approx(std::sqrt(0.3125 * 0.3125 / 2)));
  CHECK(*norm.seed_val.mae == Approx(0.3125 / 2));
  CHECK(*norm.seed_test.rmse == Approx(3.0));
  // Its own target is rating_norm unconverted: 1 against 1, 2 against -0.5.
  CHECK(*norm.target_val.rmse == Approx(std::sqrt(2.5 * 2.5 / 2)));

  // final_rating: the prediction itself.
  const RatingFit final_fit = rating_fit(hand_model("final_rating"), data);
  CHECK(*final_fit.seed_val.rmse == Approx(std::sqrt((0.25 + 2.0625 * 2.0625) / 2)));

  // like: no final_rating equivalent; the rows are still counted.
  const RatingFit like = rating_fit(hand_model("like"), data);
  CHECK_FALSE(like.seed_val.rmse);
  CHECK_FALSE(like.seed_test.mae);
  CHECK(like.seed_val.rows == 2);
  CHECK(like.target_val.rmse);
}

TEST_CASE("ranking: top k of the movies not rated in train, against held-out likes") {
  const Model model = hand_model("final_rating");
  EvaluationData data;
  data.train = {{1, 30, 5.0f, 1}, {1, 40, 3.0f, 2}, {2, 60, 4.0f, 3}};
  data.held_out = {{1, 10, 4.5f, 5}, {1, 20, 4.0f, 6}, {1, 50, 2.0f, 7},  // user 1 likes 10, 20
                   {2, 30, 5.0f, 8},                                      // user 2 likes 30
                   {3, 70, 5.0f, 9},   // user 3 likes only a movie without embedding
                   {4, 10, 5.0f, 9},   // user 4 has no embedding
                   {2, 40, 3.5f, 9}};  // not a like
  EvaluationOptions options;
  options.top_k = 2;
  const RankingScore score = rank_held_out(model, data, options);
  // User 1, without 30 and 40: 50 (2), 10 and 60 (1, the lower row first), 20: top 2 = 50, 10;
  // recall 1/2, NDCG (1/log2 3) / (1 + 1/log2 3). User 2, without 60: 20 and 30 (1, in row
  // order): recall 1, NDCG 1/log2 3.
  CHECK(score.k == 2);
  CHECK(score.users == 2);
  CHECK(score.eligible == 2);
  CHECK(score.not_embedded == 1);
  CHECK(score.no_embedded_likes == 1);
  const double third = 1 / std::log2(3.0);
  CHECK(score.recall == Approx(0.75));
  CHECK(score.ndcg == Approx((third / (1 + third) + third) / 2));
  CHECK(score.coverage == Approx(4.0 / 6));  // 50, 10, 20, 30

  options.users = 1;  // a sample of one of the two
  CHECK(rank_held_out(model, data, options).users == 1);
  data.held_out = {{4, 10, 5.0f, 9}};
  CHECK_THROWS_AS(rank_held_out(model, data, options), Error);
}

TEST_CASE("answers: val+test, val or test") {
  CHECK(parse_answers("val+test") == Answers::kValTest);
  CHECK(parse_answers("val") == Answers::kVal);
  CHECK(parse_answers("test") == Answers::kTest);
  CHECK(std::string(answers_name(Answers::kVal)) == "val");
  CHECK_THROWS_AS(parse_answers("train"), ConfigError);
}

TEST_CASE("compare specs: NAME=DIR[,POLICY]") {
  const CompareSpec plain = parse_compare("seed=/tmp/seed-artifacts", "default.yaml");
  CHECK(plain.name == "seed");
  CHECK(plain.artifacts_dir == "/tmp/seed-artifacts");
  CHECK(plain.policy_file == "default.yaml");
  const CompareSpec with_policy = parse_compare("a b=dir,config/seed_policy.yaml", "x");
  CHECK(with_policy.name == "a b");
  CHECK(with_policy.policy_file == "config/seed_policy.yaml");
  CHECK_THROWS_AS(parse_compare("no-equals", "x"), Error);
  CHECK_THROWS_AS(parse_compare("=dir", "x"), Error);
  CHECK_THROWS_AS(parse_compare("name=", "x"), Error);
  CHECK_THROWS_AS(parse_compare("name=dir,", "x"), Error);
  CHECK(compare_problem("name=dir").empty());
  CHECK(compare_problem("name") == "'name' is not NAME=ARTIFACTS_DIR[,POLICY_FILE]");
}

TEST_CASE("the whole report is the same for any thread count, and refuses mismatched models") {
  std::vector<std::int32_t> ids(120);
  for (std::size_t r = 0; r < ids.size(); ++r) ids[r] = static_cast<std::int32_t>(3 * r + 1);
  ModelParts parts = with_ids(random_parts(120, 5, 8), ids);
  std::vector<std::int32_t> users(30);
  for (std::size_t u = 0; u < users.size(); ++u) users[u] = static_cast<std::int32_t>(u + 1);
  parts.artifacts.user_map = IdMap(users);
  parts.artifacts.user_embeddings = RowMatrixXf::Random(30, 5);
  parts.pipeline.target = Target::kFinalRating;
  const Model model = Model::build(parts);
  const EvaluationData data = random_ratings(model, 30, 4);
  Policy policy;
  policy.min_genre_affinity = 0;
  policy.max_genre_distance = 1;
  policy.exploration_rate = 0.2;
  std::vector<EvaluatedModel> models;
  models.push_back({"configured", "a", "p.yaml", model, policy, std::nullopt});
  models.push_back({"other", "b", "q.yaml", model, Policy{}, std::nullopt});
  EvaluationOptions options;
  // Every model baseline, on small grids: iALS's search would be most of the test's time.
  options.baselines.ials_iterations = 3;
  options.baselines.ials_unobserved = {0.1, 1};
  options.baselines.ials_regularizations = {0.01, 0.1};
  options.threads = 1;
  const EvaluationReport one = evaluate(data, models, options);
  options.threads = 2;
  const EvaluationReport two = evaluate(data, models, options);
  CHECK(to_json(one) == to_json(two));
  CHECK(plot_svg(one) == plot_svg(two));
  // Two sessions per model, most popular, random, and the six model baselines.
  CHECK(one.systems.size() == 12);
  CHECK(one.intervals.size() == 12);
  CHECK(one.simulated_users.size() == 30);
  const nlohmann::json json = to_json(one);
  CHECK(json["systems"][1]["config"]["policy"]["online_learning"] == false);
  CHECK(json["systems"][4]["name"] == "most popular");
  CHECK(json["systems"][6]["name"] == "EASE");
  CHECK(json["systems"][11]["name"] == "iALS");
  CHECK(json["systems"][11]["kind"] == "baseline");
  CHECK(json["systems"][0]["against_first"]["difference"] == 0);
  for (std::size_t i = 0; i < one.systems.size(); ++i) {
    const PairedInterval& d = one.intervals[i];
    CHECK(d.difference ==
          Approx(one.systems[i].likes.back() - one.systems[0].likes.back()).margin(1e-12));
    CHECK(d.low <= d.difference);
    CHECK(d.high >= d.difference);
  }
  options.baselines.names = {"popular", "random"};
  CHECK(evaluate(data, models, options).systems.size() == 6);
  options.baselines.names = {};
  CHECK(evaluate(data, models, options).systems.size() == 4);
  options.answers = Answers::kTest;
  CHECK(to_json(evaluate(data, models, options))["options"]["answers"] == "test");
  options.seed = 2;
  CHECK(to_json(evaluate(data, models, options)) != to_json(one));

  models[1].model =
      Model::build(with_ids(parts, std::vector<std::int32_t>(ids.rbegin(), ids.rend())));
  CHECK_THROWS_AS(evaluate(data, models, options), Error);
  models[1] = models[0];  // the same name twice
  CHECK_THROWS_WITH(evaluate(data, models, options), Catch::Contains("two systems are named"));
}
