// Issue 14's weak-negative lever: skipped movies in the least-squares fit (Policy::skip_weight).
#include <catch2/catch.hpp>

#include "movierec/session/session.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

TEST_CASE("skip_weight: a skip enters the least-squares fit with target 0 at that weight") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.exploration = Exploration::kNone;
  policy.user_update = UserUpdate::kLeastSquares;
  policy.ls_regularization = 0.5;
  policy.skip_weight = 0.25;
  Session session = started(model, policy);
  const Eigen::Vector2d u0(0.625, 0.5);
  const double c = 0.5 * session.norm_scale();
  REQUIRE(session.next()->row == 4);
  session.feedback(Feedback::kSkip);
  // A = c I + 0.25 m4 m4^T with m4 = (1, 0), b = c u0: u = (c 0.625 / (c + 0.25), 0.5).
  CHECK(session.user_vector()[0] == Approx(c * 0.625 / (c + 0.25)));
  CHECK(session.user_vector()[1] == Approx(u0[1]));

  // Under moving_average the weight does nothing.
  policy.user_update = UserUpdate::kMovingAverage;
  Session moving = started(model, policy);
  REQUIRE(moving.next());
  moving.feedback(Feedback::kSkip);
  CHECK(moving.user_vector()[0] == Approx(u0[0]));
}
