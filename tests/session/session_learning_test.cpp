// The least-squares update rule and the ucb and thompson exploration rules, against closed forms
// and brute-force references.
#include <Eigen/LU>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "movierec/session/session.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

// small_model's favourites: u0 = (0.625, 0.5), s_0 = |u0|^2; s_m = mean squared norm of rows 0-9
// = (1 + 1 + 2 + 0.25 + 1 + 1 + 0.5 + 0.68 + 0.85 + 2) / 10.
constexpr double kScoreUnit = 0.640625;
constexpr double kNormScale = 1.028;

Eigen::Vector2d row_of(const Model& model, std::size_t row) {
  return model.artifacts().movie_embeddings.row(static_cast<Eigen::Index>(row)).cast<double>();
}

// The inverse of a symmetric 2 x 2 matrix by the closed form.
Eigen::Matrix2d inverse_of(const Eigen::Matrix2d& a) {
  const double det = a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0);
  Eigen::Matrix2d inverse;
  inverse << a(1, 1) / det, -a(0, 1) / det, -a(1, 0) / det, a(0, 0) / det;
  return inverse;
}

Policy least_squares_policy() {
  Policy policy = plain_policy();
  policy.user_update = UserUpdate::kLeastSquares;
  policy.ls_regularization = 0.5;
  policy.like_target = 1;
  policy.dislike_target = -1;
  return policy;
}

// A Box-Muller pair from the documented draws.
Eigen::Vector2d normal_pair(std::mt19937_64& rng) {
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform(rng)));
  const double angle = 2.0 * std::numbers::pi * uniform(rng);
  return {radius * std::cos(angle), radius * std::sin(angle)};
}

}  // namespace

TEST_CASE("the session's score and norm units") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.ls_regularization = 2;
  const Session session = started(model, policy);
  CHECK(session.score_unit() == Approx(kScoreUnit));
  CHECK(session.norm_scale() == Approx(kNormScale));
  // No answers yet: A = ls_regularization x s_m x I.
  CHECK(session.fit().matrix().isApprox(2 * kNormScale * Eigen::Matrix2d::Identity(), 1e-6));
}

TEST_CASE("least squares: the user vector is the closed-form regularised fit of the answers") {
  const Model model = small_model();
  Session session = started(model, least_squares_policy());
  const Eigen::Vector2d u0(0.625, 0.5);
  const double c = 0.5 * kNormScale;
  REQUIRE(session.next()->row == 4);
  session.feedback(Feedback::kLike);
  // A = c I + m4 m4^T, b = c u0 + s_0 m4 with m4 = (1, 0): u = (b0 / (c + 1), u0[1]).
  CHECK(session.user_vector()[0] == Approx((c * 0.625 + kScoreUnit) / (c + 1)));
  CHECK(session.user_vector()[1] == Approx(0.5));
  REQUIRE(session.next()->row == 7);
  session.feedback(Feedback::kDislike);
  REQUIRE(session.next());
  session.feedback(Feedback::kSkip);  // no target: changes nothing
  const Eigen::Vector2d m4 = row_of(model, 4);
  const Eigen::Vector2d m7 = row_of(model, 7);
  const Eigen::Matrix2d a =
      c * Eigen::Matrix2d::Identity() + m4 * m4.transpose() + m7 * m7.transpose();
  const Eigen::Vector2d b = c * u0 + kScoreUnit * m4 - kScoreUnit * m7;
  const Eigen::Vector2d expected = inverse_of(a) * b;
  CHECK(session.user_vector()[0] == Approx(expected[0]).margin(kTolerance));
  CHECK(session.user_vector()[1] == Approx(expected[1]).margin(kTolerance));
  CHECK(session.fit().matrix().isApprox(a, 1e-6));  // the embeddings are floats
}

TEST_CASE("least squares with the favourites as likes, and its targets") {
  const Model model = small_model();
  Policy policy = least_squares_policy();
  policy.favourites_as_likes = true;
  policy.like_target = 1.5;
  policy.dislike_target = 0;
  Session session = started(model, policy);
  const Eigen::Vector2d u0(0.625, 0.5);
  CHECK(session.user_vector().isApprox(u0));  // the start is the favourites' mean either way
  const double c = 0.5 * kNormScale;
  Eigen::Matrix2d a = c * Eigen::Matrix2d::Identity();
  Eigen::Vector2d b = c * u0;
  for (std::size_t row = 0; row < 4; ++row) {
    const Eigen::Vector2d m = row_of(model, row);
    a += m * m.transpose();
    b += 1.5 * kScoreUnit * m;
  }
  const std::size_t first = session.next()->row;
  session.feedback(Feedback::kDislike);  // target 0: pulls the movie's score toward 0
  const Eigen::Vector2d m = row_of(model, first);
  a += m * m.transpose();
  const Eigen::Vector2d expected = inverse_of(a) * b;
  CHECK(session.user_vector()[0] == Approx(expected[0]).margin(kTolerance));
  CHECK(session.user_vector()[1] == Approx(expected[1]).margin(kTolerance));
}

TEST_CASE("with online learning off, A and the user vector stay as they started") {
  const Model model = small_model();
  Policy policy = least_squares_policy();
  policy.online_learning = false;
  Session session = started(model, policy);
  const Eigen::MatrixXd start = session.fit().matrix();
  session.next();
  session.feedback(Feedback::kLike);
  CHECK(session.fit().matrix() == start);
  CHECK(session.user_vector().isApprox(Eigen::Vector2d(0.625, 0.5)));
}

TEST_CASE("ucb: every pick maximises score + alpha s_0 sqrt(m^T A^-1 m), A from the answers") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.exploration = Exploration::kUcb;
  policy.ucb_alpha = 0.7;
  policy.learning_rate = 0;  // the user vector stays; only A moves
  policy.ls_regularization = 0.25;
  Session session = started(model, policy);
  const Eigen::Vector2d u(0.625, 0.5);
  Eigen::Matrix2d a = 0.25 * kNormScale * Eigen::Matrix2d::Identity();
  std::vector<bool> seen(10, false);
  for (std::size_t row = 0; row < 4; ++row) seen[row] = true;
  while (const auto recommendation = session.next()) {
    const Eigen::Matrix2d inverse = inverse_of(a);
    double best = -1e9;
    std::size_t best_row = 0;
    for (std::size_t row = 4; row < 10; ++row) {
      if (seen[row]) continue;
      const Eigen::Vector2d m = row_of(model, row);
      const double total = u.dot(m) + 0.7 * kScoreUnit * std::sqrt(m.dot(inverse * m));
      if (total > best) {
        best = total;
        best_row = row;
      }
    }
    INFO("pick " << recommendation->row);
    CHECK(recommendation->row == best_row);
    const Eigen::Vector2d m = row_of(model, best_row);
    CHECK(recommendation->parts.exploration ==
          Approx(0.7 * kScoreUnit * std::sqrt(m.dot(inverse * m))).margin(kTolerance));
    CHECK(recommendation->parts.total == Approx(best).margin(kTolerance));
    const Feedback answer = answer_for(best_row);
    if (answer != Feedback::kSkip) a += m * m.transpose();
    seen[best_row] = true;
    session.feedback(answer);
  }
}

TEST_CASE("ucb on a larger model agrees with the directly inverted A over a whole session") {
  const Model model = random_model(400, 6, 3);
  Policy policy = plain_policy();
  policy.exploration = Exploration::kUcb;
  policy.ucb_alpha = 2;
  policy.user_update = UserUpdate::kLeastSquares;
  policy.favourites_as_likes = true;
  Session session = started(model, policy);
  const auto& embeddings = model.artifacts().movie_embeddings;
  for (int step = 0; step < 60; ++step) {
    const auto recommendation = session.next();
    REQUIRE(recommendation);
    const Eigen::MatrixXd inverse = session.fit().matrix().inverse();  // LU, not the fit's LLT
    const Eigen::VectorXd u = session.user_vector();
    double best = -1e9;
    for (std::size_t row = 0; row < 400; ++row) {
      if (session.seen(row)) continue;
      const Eigen::VectorXd m = embeddings.row(static_cast<Eigen::Index>(row)).cast<double>();
      best = std::max(best, u.dot(m) + 2 * session.score_unit() * std::sqrt(m.dot(inverse * m)));
    }
    const Eigen::VectorXd m =
        embeddings.row(static_cast<Eigen::Index>(recommendation->row)).cast<double>();
    CHECK(recommendation->parts.exploration ==
          Approx(2 * session.score_unit() * std::sqrt(m.dot(inverse * m))).epsilon(1e-4));
    CHECK(recommendation->parts.total == Approx(best).epsilon(1e-4));
    session.feedback(answer_for(recommendation->row));
  }
}

TEST_CASE("thompson: the first pick follows the documented draws") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.exploration = Exploration::kThompson;
  policy.thompson_sigma = 0.8;
  const Eigen::Vector2d u0(0.625, 0.5);
  const double c = policy.ls_regularization * kNormScale;
  std::vector<std::size_t> picked;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Session session = started(model, policy, seed);
    std::mt19937_64 rng(seed);
    // A = c I, so L^-T z = z / sqrt(c).
    const Eigen::Vector2d sample = u0 + 0.8 * kScoreUnit * normal_pair(rng) / std::sqrt(c);
    std::size_t best_row = 4;
    for (std::size_t row = 5; row < 10; ++row) {
      if (sample.dot(row_of(model, row)) > sample.dot(row_of(model, best_row))) best_row = row;
    }
    const auto recommendation = session.next();
    REQUIRE(recommendation);
    CHECK(recommendation->row == best_row);
    const Eigen::Vector2d m = row_of(model, best_row);
    CHECK(recommendation->parts.model_score == Approx(u0.dot(m)).margin(kTolerance));
    CHECK(recommendation->parts.exploration == Approx((sample - u0).dot(m)).margin(kTolerance));
    CHECK(recommendation->parts.total == Approx(sample.dot(m)).margin(kTolerance));
    picked.push_back(best_row);
  }
  std::sort(picked.begin(), picked.end());
  CHECK(std::unique(picked.begin(), picked.end()) - picked.begin() >= 2);  // it does explore
}

TEST_CASE("thompson and ucb sessions are reproducible per seed; zero strength is no exploration") {
  const Model model = random_model(300, 8, 42);
  const auto run = [&](const Policy& policy, std::uint64_t seed) {
    Session session = started(model, policy, seed);
    std::vector<std::size_t> rows;
    for (int step = 0; step < 30; ++step) {
      const auto recommendation = session.next();
      if (!recommendation) break;
      rows.push_back(recommendation->row);
      session.feedback(answer_for(recommendation->row));
    }
    return rows;
  };
  Policy policy;
  policy.exploration = Exploration::kNone;
  const auto plain = run(policy, 1);
  CHECK(run(policy, 2) == plain);
  policy.exploration = Exploration::kThompson;
  policy.thompson_sigma = 1;
  const auto first = run(policy, 7);
  CHECK(run(policy, 7) == first);
  std::size_t different = 0;
  for (std::uint64_t seed = 100; seed < 110; ++seed) different += run(policy, seed) != first;
  CHECK(different >= 9);
  policy.thompson_sigma = 0;
  CHECK(run(policy, 7) == plain);
  policy.exploration = Exploration::kUcb;
  policy.ucb_alpha = 1;
  CHECK(run(policy, 3) == run(policy, 4));  // deterministic: no random numbers
  CHECK(run(policy, 3) != plain);
  policy.ucb_alpha = 0;
  CHECK(run(policy, 3) == plain);
}
