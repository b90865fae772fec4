// The session on random models: seeded exploration, and agreement with a plain reference
// implementation of the seed's rules over whole sessions.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <vector>

#include "movierec/session/session.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

// Recommendations of `steps` answers (or fewer, if exhausted), each answered by answer_for.
std::vector<std::size_t> run(const Model& model, const Policy& policy, std::uint64_t seed,
                             std::size_t steps) {
  Session session = started(model, policy, seed);
  std::vector<std::size_t> rows;
  for (std::size_t step = 0; step < steps; ++step) {
    const auto recommendation = session.next();
    if (!recommendation) break;
    rows.push_back(recommendation->row);
    session.feedback(answer_for(recommendation->row));
  }
  return rows;
}

}  // namespace

TEST_CASE("exploration is reproducible for a seed and varies between seeds") {
  const Model model = random_model(300, 8, 42);
  Policy policy;
  policy.exploration_rate = 0.3;
  const auto first = run(model, policy, 7, 40);
  CHECK(first.size() == 40);
  CHECK(run(model, policy, 7, 40) == first);
  std::size_t different = 0;
  for (std::uint64_t seed = 100; seed < 120; ++seed) {
    different += run(model, policy, seed, 40) != first ? 1 : 0;
  }
  CHECK(different >= 19);
  // Rate 0 is a plain ranking: the seed does not matter.
  policy.exploration_rate = 0;
  const auto ranked = run(model, policy, 7, 40);
  for (std::uint64_t seed = 100; seed < 105; ++seed) CHECK(run(model, policy, seed, 40) == ranked);
  CHECK(ranked != first);
}

TEST_CASE("exploration follows the documented draws: one per candidate, in row order") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.learning_rate = 0;
  policy.exploration_rate = 0.5;
  policy.exploration_damping = 0.9;
  const std::vector<double> model_score = {0, 0, 0, 0, 0.625, 0.5, 0.5625, 0.6, 0.575, -1.125};
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Session session = started(model, policy, seed);
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> left = {4, 5, 6, 7, 8, 9};
    while (!left.empty()) {
      std::size_t best = left.front();
      double best_score = -std::numeric_limits<double>::infinity();
      for (const std::size_t row : left) {
        double score = model_score[row];
        if (uniform(rng) < policy.exploration_rate) score -= 0.9 * std::abs(score);
        if (score > best_score) {
          best = row;
          best_score = score;
        }
      }
      const auto recommendation = session.next();
      REQUIRE(recommendation);
      CHECK(recommendation->row == best);
      CHECK(recommendation->parts.total == Approx(best_score).margin(kTolerance));
      session.feedback(Feedback::kSkip);
      left.erase(std::find(left.begin(), left.end(), best));
    }
    CHECK_FALSE(session.next());
  }
}

TEST_CASE("the session agrees with the seed's rules written out plainly") {
  const Model model = random_model(400, 6, 5);
  Policy policy;  // the shipped coefficients, without exploration
  policy.exploration_rate = 0;
  Session session = started(model, policy);
  // The reference: double precision, every movie rescored from scratch at every step.
  const auto& embeddings = model.artifacts().movie_embeddings;
  Eigen::VectorXd user = Eigen::VectorXd::Zero(6);
  std::vector<double> profile(6, 0.0);
  std::set<std::size_t> seen;
  double genre_total = 0;
  for (std::size_t row = 0; row < 4; ++row) {
    user += embeddings.row(row).cast<double>().transpose() / 4.0;
    const std::set<int> genres(model.movie_genres()[row].begin(), model.movie_genres()[row].end());
    for (const int genre : genres) profile[genre] += 1, genre_total += 1;
    seen.insert(row);
  }
  for (double& weight : profile) weight /= genre_total;
  const double max_popularity =
      static_cast<double>(*std::max_element(model.popularity().begin(), model.popularity().end()));
  const auto score = [&](std::size_t row) -> std::optional<double> {
    const std::set<int> genres(model.movie_genres()[row].begin(), model.movie_genres()[row].end());
    double affinity = 0;
    for (const int genre : genres) affinity += profile[genre];
    if (affinity < policy.min_genre_affinity || 1 - affinity > policy.max_genre_distance) {
      return std::nullopt;
    }
    const double boost =
        affinity > 0 && affinity <= policy.diversity_max_affinity ? policy.diversity_boost : 0.0;
    return user.dot(embeddings.row(row).cast<double>().transpose()) * policy.score_weight_model -
           (1 - affinity) * policy.genre_distance_penalty -
           static_cast<double>(model.popularity()[row]) / max_popularity *
               policy.popularity_penalty +
           boost;
  };
  std::size_t steps = 0;
  while (const auto recommendation = session.next()) {
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t row = 0; row < 400; ++row) {
      if (seen.count(row) == 0 && score(row)) best = std::max(best, *score(row));
    }
    const std::size_t row = recommendation->row;
    REQUIRE(seen.count(row) == 0);
    REQUIRE(score(row));
    // Float products may swap near-ties, nothing more.
    CHECK(*score(row) >= best - 1e-5);
    CHECK(recommendation->parts.total == Approx(*score(row)).margin(1e-5));
    const Feedback answer = answer_for(row);
    const Eigen::VectorXd movie = embeddings.row(row).cast<double>().transpose();
    if (answer == Feedback::kLike)
      user = (1 - policy.learning_rate) * user + policy.learning_rate * movie;
    if (answer == Feedback::kDislike) {
      user =
          (1 - policy.learning_rate) * user - policy.learning_rate * policy.negative_weight * movie;
    }
    session.feedback(answer);
    seen.insert(row);
    CHECK((session.user_vector() - user).norm() < 1e-6);
    ++steps;
  }
  std::size_t passing = 0;
  for (std::size_t row = 4; row < 400; ++row) passing += score(row) ? 1 : 0;
  CHECK(steps == passing);
  CHECK(steps > 100);  // the filter leaves a real choice
}
