// Simulated sessions: the answer rules at their boundaries, the choice of favourites, the
// baselines' orders, learning off, and determinism (seed, thread count, user order).
#include "movierec/measure/simulate.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <set>
#include <vector>

#include "movierec/io/error.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

// The model of `parts` with movie ids 10, 20, ..., one per row.
Model numbered(ModelParts parts) {
  std::vector<std::int32_t> ids(parts.artifacts.movie_map.size());
  for (std::size_t row = 0; row < ids.size(); ++row)
    ids[row] = static_cast<std::int32_t>(10 * (row + 1));
  return Model::build(with_ids(std::move(parts), ids));
}

SimulatedUser user_with(std::int32_t id, std::array<std::size_t, 4> favourites,
                        std::vector<std::pair<std::size_t, float>> future = {}) {
  SimulatedUser user;
  user.id = id;
  user.favourites = favourites;
  user.future = std::move(future);
  return user;
}

// Users of `model` with random favourites and futures.
std::vector<SimulatedUser> random_users(const Model& model, std::size_t count) {
  std::mt19937_64 rng(99);
  std::vector<SimulatedUser> users;
  for (std::size_t i = 0; i < count; ++i) {
    std::vector<std::size_t> rows(model.movie_count());
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    for (std::size_t j = 0; j < 4 + 60; ++j)
      std::swap(rows[j], rows[j + rng() % (rows.size() - j)]);
    SimulatedUser user =
        user_with(static_cast<std::int32_t>(7 * i + 3), {rows[0], rows[1], rows[2], rows[3]});
    for (std::size_t j = 4; j < 64; ++j) {
      user.future.emplace_back(rows[j], static_cast<float>(1 + rng() % 9) * 0.5f + 0.5f);
    }
    std::sort(user.future.begin(), user.future.end());
    users.push_back(std::move(user));
  }
  return users;
}

// Each kind of system on `model`; the sessions' policy explores, so the seed matters.
std::vector<SimulatedSystem> every_system(const Model& model) {
  Policy policy;
  policy.min_genre_affinity = 0;
  policy.max_genre_distance = 1;
  policy.exploration_rate = 0.3;
  return {session_system("on", model, policy, true), session_system("off", model, policy, false),
          most_popular_system("popular", model), random_system("random", model)};
}

bool same(const std::vector<SystemResult>& a, const std::vector<SystemResult>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].users != b[i].users || a[i].likes != b[i].likes ||
        a[i].dislikes != b[i].dislikes || a[i].skips != b[i].skips || a[i].shown != b[i].shown ||
        a[i].exhausted != b[i].exhausted || a[i].distinct != b[i].distinct ||
        a[i].coverage != b[i].coverage) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("answers: like from 4 stars, dislike up to 2.5, skip between and for unrated") {
  CHECK(simulated_answer(5.0f) == Feedback::kLike);
  CHECK(simulated_answer(4.0f) == Feedback::kLike);
  CHECK(simulated_answer(3.5f) == Feedback::kSkip);
  CHECK(simulated_answer(3.0f) == Feedback::kSkip);
  CHECK(simulated_answer(2.5f) == Feedback::kDislike);
  CHECK(simulated_answer(0.5f) == Feedback::kDislike);
  CHECK(simulated_answer(std::nullopt) == Feedback::kSkip);
  const SimulatedUser user = user_with(1, {0, 1, 2, 3}, {{4, 4.0f}, {6, 2.5f}, {8, 3.5f}});
  CHECK(user.answer(4) == Feedback::kLike);
  CHECK(user.answer(6) == Feedback::kDislike);
  CHECK(user.answer(8) == Feedback::kSkip);
  CHECK(user.answer(5) == Feedback::kSkip);  // never rated
  CHECK(user.future_stars(6) == 2.5f);
  CHECK_FALSE(user.future_stars(9));
}

TEST_CASE("favourites: best-rated embedded train movies, most recent then lower id on ties") {
  const IdMap movies({10, 20, 30, 40, 50, 60, 70});
  const std::vector<Rating> train = {
      {1, 10, 4.5f, 100}, {1, 20, 5.0f, 100}, {1, 30, 5.0f, 300},  {1, 40, 5.0f, 200},
      {1, 50, 5.0f, 200}, {1, 60, 3.0f, 900}, {1, 999, 5.0f, 999},  // 999 has no embedding
      {2, 10, 5.0f, 1},   {2, 20, 5.0f, 2},   {2, 30, 5.0f, 3},    {2, 998, 5.0f, 4},
      {3, 70, 1.0f, 5},   {3, 60, 2.0f, 5},   {3, 50, 2.0f, 5},    {3, 40, 0.5f, 9},
  };
  const std::vector<Rating> held_out = {
      {1, 70, 4.0f, 1000},  {1, 60, 2.0f, 1000}, {1, 70, 2.5f, 900},  // 70 twice: the later wins
      {1, 997, 5.0f, 1000},                                           // not embedded
      {2, 40, 5.0f, 1000},                                            // user 2 is not eligible
      {3, 10, 3.0f, 10},
  };
  const std::vector<SimulatedUser> users = simulated_users(movies, train, held_out);
  REQUIRE(users.size() == 2);  // user 2 has only three embedded train movies
  CHECK(users[0].id == 1);
  // Five-star movies 20 (t 100), 30 (t 300), 40 and 50 (both t 200): 30, then 40 before 50
  // (lower id), then 20; movie 999 is not embedded.
  CHECK(users[0].favourites == std::array<std::size_t, 4>{2, 3, 4, 1});
  CHECK(users[0].future == std::vector<std::pair<std::size_t, float>>{{5, 2.0f}, {6, 4.0f}});
  CHECK(users[0].answer(6) == Feedback::kLike);
  CHECK(users[1].id == 3);
  // 2 stars: 60 and 50 at the same time, so the lower id first; then 1 star (70), 0.5 (40).
  CHECK(users[1].favourites == std::array<std::size_t, 4>{4, 5, 6, 3});
  CHECK(users[1].answer(0) == Feedback::kSkip);
}

TEST_CASE("most popular first: train ratings, ties to the lower id, skipping favourites") {
  // The ids reversed, so that the tie-break by id differs from one by row.
  const Model model = Model::build(with_ids(small_parts({50, 50, 10, 90, 20, 70, 20, 5, 70, 0}),
                                            {100, 90, 80, 70, 60, 50, 40, 30, 20, 10}));
  const SimulatedSystem popular = most_popular_system("most popular", model);
  // 3 (90); 5 and 8 (70: ids 50, 20, so 8 first); 0 and 1 (50: ids 100, 90); 4 and 6 (20: ids
  // 60, 40); 2; 7; 9.
  CHECK(popular.popular_order == std::vector<std::size_t>{3, 8, 5, 1, 0, 6, 4, 2, 7, 9});
  const SimulatedUser user = user_with(1, {8, 1, 0, 4}, {{3, 5.0f}, {6, 1.0f}});
  const UserRun run = run_user(popular, user, 20, 1);
  CHECK(run.shown == std::vector<std::size_t>{3, 5, 6, 2, 7, 9});
  CHECK(run.answers == std::vector<Feedback>{Feedback::kLike, Feedback::kSkip, Feedback::kDislike,
                                             Feedback::kSkip, Feedback::kSkip, Feedback::kSkip});
  CHECK(run_user(popular, user, 2, 1).shown == std::vector<std::size_t>{3, 5});
  const auto recommender = make_recommender(popular, user, 1);
  CHECK_THROWS_AS(recommender->feedback(Feedback::kLike), SessionError);
  CHECK(recommender->next() == std::size_t{3});
  CHECK(recommender->next() == std::size_t{3});  // the same until answered
}

TEST_CASE("random: seeded, never a favourite or a repeat, until the catalog runs out") {
  const Model model = numbered(random_parts(40, 4, 5));
  const SimulatedSystem random = random_system("random", model);
  const SimulatedUser user = user_with(1, {3, 17, 25, 0});
  const UserRun all = run_user(random, user, 100, 7);
  REQUIRE(all.shown.size() == 36);  // 40 movies, 4 favourites
  const std::set<std::size_t> distinct(all.shown.begin(), all.shown.end());
  CHECK(distinct.size() == 36);
  for (const std::size_t favourite : user.favourites) CHECK(distinct.count(favourite) == 0);
  CHECK(run_user(random, user, 100, 7).shown == all.shown);
  const UserRun first = run_user(random, user, 10, 7);
  CHECK(std::equal(first.shown.begin(), first.shown.end(), all.shown.begin()));
  CHECK(run_user(random, user, 10, 8).shown != first.shown);
}

TEST_CASE("sessions: learning off ranks by the favourites alone, learning on moves") {
  const Model model = numbered(small_parts());
  const SimulatedUser user = user_with(1, {0, 1, 2, 3}, {{4, 5.0f}, {7, 1.0f}, {8, 4.0f}});
  const SimulatedSystem off = session_system("off", model, plain_policy(), false);
  CHECK_FALSE(off.policy.online_learning);
  // The unmoved user (0.625, 0.5) ranks 4, 7, 8, 6, 5, 9 (session_models.hpp).
  const UserRun run_off = run_user(off, user, 10, 1);
  CHECK(run_off.shown == std::vector<std::size_t>{4, 7, 8, 6, 5, 9});
  CHECK(run_off.answers[0] == Feedback::kLike);
  CHECK(run_off.answers[1] == Feedback::kDislike);
  Policy moving = plain_policy();
  moving.learning_rate = 0.5;
  moving.negative_weight = 2;
  const SimulatedSystem on = session_system("on", model, moving, true);
  CHECK(on.policy.online_learning);
  // As in session_test: like 4 then dislike 7 leaves u = (-0.39375, -0.075), so 9 comes next.
  const UserRun run_on = run_user(on, user, 3, 1);
  CHECK(run_on.shown == std::vector<std::size_t>{4, 7, 9});
}

TEST_CASE("summaries: mean cumulative likes per step, dislikes, coverage, exhaustion") {
  const Model model = numbered(small_parts({0, 0, 0, 0, 9, 8, 7, 6, 5, 4}));
  const SimulatedSystem popular = most_popular_system("most popular", model);
  // Both see 4, 5, 6, 7, 8, 9 (most popular first). User 1 likes 4 and 6 and dislikes 5; user
  // 2 likes 7 and 9.
  const std::vector<SimulatedUser> users = {
      user_with(1, {0, 1, 2, 3}, {{4, 4.0f}, {5, 1.0f}, {6, 4.5f}}),
      user_with(2, {0, 1, 2, 3}, {{7, 5.0f}, {9, 4.0f}}),
  };
  SimulationOptions options;
  options.steps = 8;
  const std::vector<SystemResult> results = simulate({popular}, users, options);
  REQUIRE(results.size() == 1);
  const SystemResult& result = results[0];
  CHECK(result.users == 2);
  // Cumulative likes: user 1: 1 1 2 2 2 2 (2 2); user 2: 0 0 0 1 1 2 (2 2).
  CHECK(result.likes == std::vector<double>{0.5, 0.5, 1, 1.5, 1.5, 2, 2, 2});
  CHECK(result.dislikes == std::vector<double>{0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
  CHECK(result.skips == Approx(3.5));  // 6 shown each: user 1 skips 3, user 2 skips 4
  CHECK(result.shown == 6);
  CHECK(result.exhausted == 2);
  CHECK(result.distinct == 6);
  CHECK(result.coverage == Approx(0.6));
  CHECK(result.user_likes == std::vector<std::size_t>{2, 2});
  CHECK_THROWS_AS(simulate({popular}, {}, options), Error);
}

namespace {

// Scores each movie by a fixed value plus 10 x (the profile's weight on the movie before it),
// and keeps every profile it was asked about.
class RecordingScorer : public ProfileScorer {
 public:
  explicit RecordingScorer(std::vector<double> base) : base_(std::move(base)) {}
  std::size_t movie_count() const override { return base_.size(); }
  void score(const Profile& profile, Eigen::VectorXd& scores) const override {
    profiles.push_back(profile);
    scores =
        Eigen::Map<const Eigen::VectorXd>(base_.data(), static_cast<Eigen::Index>(base_.size()));
    for (const auto& [row, weight] : profile) {
      if (row + 1 < base_.size()) scores[static_cast<Eigen::Index>(row + 1)] += 10 * weight;
    }
  }
  mutable std::vector<Profile> profiles;

 private:
  std::vector<double> base_;
};

}  // namespace

TEST_CASE("baselines: the profile rule, unseen best first, ties to the lower row") {
  const Model model = numbered(small_parts());
  // Base scores: rows 4 and 6 tie (5), 8 next (4); favourites 0-3 score highest but are seen.
  auto scorer =
      std::make_shared<RecordingScorer>(std::vector<double>{9, 9, 9, 9, 5, 1, 5, 2, 4, 3});
  const SimulatedSystem system = baseline_system("test", model, scorer, 0.5);
  CHECK(system.kind == SystemKind::kBaseline);
  // Favourite 3 lifts row 4 by 10, so 4 first; liking 4 lifts 5; skipping 5 changes nothing, so
  // 6 (tied with nothing now: 5) before 8; disliking 6 lowers 7 by 5.
  const SimulatedUser user = user_with(1, {0, 1, 2, 3}, {{4, 5.0f}, {6, 1.0f}});
  const UserRun run = run_user(system, user, 5, 1);
  CHECK(run.shown == std::vector<std::size_t>{4, 5, 6, 8, 9});
  CHECK(run.answers == std::vector<Feedback>{Feedback::kLike, Feedback::kSkip, Feedback::kDislike,
                                             Feedback::kSkip, Feedback::kSkip});
  const Profile favourites = {{0, 1.0}, {1, 1.0}, {2, 1.0}, {3, 1.0}};
  REQUIRE(scorer->profiles.size() == 5);
  CHECK(scorer->profiles[0] == favourites);
  Profile liked = favourites;
  liked.emplace_back(4, 1.0);
  CHECK(scorer->profiles[1] == liked);
  CHECK(scorer->profiles[2] == liked);  // the skip left it alone
  liked.emplace_back(6, -0.5);
  CHECK(scorer->profiles[3] == liked);
  // Every movie shown: the run stops when nothing is left.
  CHECK(run_user(system, user, 20, 1).shown.size() == 6);
  CHECK_THROWS_AS(baseline_system("bad", model, nullptr, 1), Error);
  CHECK_THROWS_AS(
      baseline_system("bad", model, std::make_shared<RecordingScorer>(std::vector<double>(3)), 1),
      Error);
  CHECK_THROWS_AS(baseline_system("bad", model, scorer, -1), Error);
  const auto recommender = make_recommender(system, user, 1);
  CHECK_THROWS_AS(recommender->feedback(Feedback::kLike), SessionError);
}

TEST_CASE("simulations are deterministic: seed, threads and user order do not matter") {
  const Model model = numbered(random_parts(300, 8, 42));
  const std::vector<SimulatedSystem> systems = every_system(model);
  std::vector<SimulatedUser> users = random_users(model, 40);
  SimulationOptions options;
  options.seed = 11;
  options.threads = 1;
  const auto one_thread = simulate(systems, users, options);
  options.threads = 2;
  CHECK(same(simulate(systems, users, options), one_thread));
  std::reverse(users.begin(), users.end());
  CHECK(same(simulate(systems, users, options), one_thread));
  options.seed = 12;
  CHECK_FALSE(same(simulate(systems, users, options), one_thread));
  CHECK(user_seed(11, 1) != user_seed(11, 2));
  CHECK(user_seed(11, 1) != user_seed(12, 1));
}

TEST_CASE("simulations: each user's run is run_user seeded by (seed, userId) alone") {
  const Model model = numbered(random_parts(300, 8, 42));
  const std::vector<SimulatedSystem> systems = every_system(model);
  const std::vector<SimulatedUser> users = random_users(model, 40);
  SimulationOptions options;
  options.seed = 11;
  options.threads = 2;
  const std::vector<SystemResult> results = simulate(systems, users, options);
  REQUIRE(results.size() == systems.size());
  std::size_t runs_with_likes = 0;
  for (std::size_t s = 0; s < systems.size(); ++s) {
    // The summary rebuilt from each user's run on its own, one user at a time.
    std::vector<std::size_t> likes(options.steps, 0);
    std::set<std::size_t> distinct;
    std::size_t shown = 0;
    for (const SimulatedUser& user : users) {
      const UserRun run = run_user(systems[s], user, options.steps, user_seed(11, user.id));
      std::size_t liked = 0;
      for (std::size_t step = 0; step < options.steps; ++step) {
        if (step < run.answers.size() && run.answers[step] == Feedback::kLike) ++liked;
        likes[step] += liked;
      }
      runs_with_likes += liked > 0 ? 1 : 0;
      shown += run.shown.size();
      distinct.insert(run.shown.begin(), run.shown.end());
    }
    INFO(systems[s].name);
    for (std::size_t step = 0; step < options.steps; ++step) {
      CHECK(results[s].likes[step] == static_cast<double>(likes[step]) / 40.0);
    }
    CHECK(results[s].shown == static_cast<double>(shown) / 40.0);
    CHECK(results[s].distinct == distinct.size());
  }
  CHECK(runs_with_likes > 10);  // the comparison above is not between empty runs
  // The same favourites and future under another id explore differently.
  SimulatedUser renamed = users[5];
  renamed.id += 1000;
  CHECK(run_user(systems[0], renamed, 20, user_seed(11, renamed.id)).shown !=
        run_user(systems[0], users[5], 20, user_seed(11, users[5].id)).shown);
}

TEST_CASE("samples of user ids: seeded, nested, independent of order") {
  std::vector<std::int32_t> ids(500);
  std::iota(ids.begin(), ids.end(), 1);
  CHECK(sample_ids(ids, 0, 1) == ids);
  CHECK(sample_ids(ids, 900, 1) == ids);
  const auto fifty = sample_ids(ids, 50, 1);
  CHECK(fifty.size() == 50);
  CHECK(std::is_sorted(fifty.begin(), fifty.end()));
  const auto hundred = sample_ids(ids, 100, 1);
  CHECK(std::includes(hundred.begin(), hundred.end(), fifty.begin(), fifty.end()));
  std::reverse(ids.begin(), ids.end());
  CHECK(sample_ids(ids, 50, 1) == fifty);
  CHECK(sample_ids(ids, 50, 2) != fifty);
  // Not simply the smallest ids.
  CHECK(fifty.back() > 100);
}
