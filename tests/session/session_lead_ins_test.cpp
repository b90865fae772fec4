// Policy::lead_in_weight: the lead-ins of the favourites and answers in a session's scores.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "movierec/session/session.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

// small_model with lead-ins: favourite 0 leads into 5 (weight 1), 4 leads into 8 (weight 3)
// and 6 into 8 (weight 1). Rows of the lead-in files are the movies led into.
Model lead_in_model() {
  ModelParts parts = small_parts();
  parts.artifacts.lead_in_rows = RowMatrixXf::Constant(10, 2, -1);
  parts.artifacts.lead_in_weights = RowMatrixXf::Zero(10, 2);
  parts.artifacts.lead_in_rows(5, 0) = 0;
  parts.artifacts.lead_in_weights(5, 0) = 1;
  parts.artifacts.lead_in_rows(8, 0) = 4;
  parts.artifacts.lead_in_weights(8, 0) = 3;
  parts.artifacts.lead_in_rows(8, 1) = 6;
  parts.artifacts.lead_in_weights(8, 1) = 1;
  return Model::build(std::move(parts));
}

Policy lead_in_policy(double weight) {
  Policy policy = plain_policy();
  policy.lead_in_weight = weight;
  return policy;
}

// Population standard deviation.
double spread(const std::vector<double>& values) {
  double sum = 0, squares = 0;
  for (const double v : values) {
    sum += v;
    squares += v * v;
  }
  const double n = static_cast<double>(values.size());
  return std::sqrt(squares / n - (sum / n) * (sum / n));
}

}  // namespace

TEST_CASE("the model turns the lead-ins around: what each movie leads into") {
  const Model model = lead_in_model();
  REQUIRE(model.has_lead_ins());
  REQUIRE(model.leads_into(0).size() == 1);
  CHECK(model.leads_into(0)[0].row == 5);
  CHECK(model.leads_into(0)[0].weight == 1);
  CHECK(model.leads_into(4).size() == 1);
  CHECK(model.leads_into(6).size() == 1);
  CHECK(model.leads_into(5).empty());
  CHECK(model.leads_into(10).empty());                // past the trained rows
  CHECK(model.artifacts().lead_in_rows.size() == 0);  // kept once, turned around
  CHECK_FALSE(small_model().has_lead_ins());
}

TEST_CASE("a model refuses lead-ins that name no trained movie") {
  ModelParts parts = small_parts();
  parts.artifacts.lead_in_rows = RowMatrixXf::Constant(10, 1, -1);
  parts.artifacts.lead_in_weights = RowMatrixXf::Zero(10, 1);
  parts.artifacts.lead_in_rows(3, 0) = 10;
  CHECK_THROWS_WITH(Model::build(std::move(parts)),
                    Catch::Contains("lead-in 0 of movie row 3 is row 10"));
}

TEST_CASE("lead-ins add the favourites' lead-in weights, rescaled to the model's spread") {
  const Model model = lead_in_model();
  // Without the weight (or the lead-ins) the best model score wins: row 4.
  CHECK(started(model, lead_in_policy(0)).next()->row == 4);
  CHECK(started(small_model(), lead_in_policy(1)).next()->row == 4);

  // Candidates 4-9: model scores, and the favourites' lead-in sums (0 leads into 5).
  const std::vector<double> scores = {0.625, 0.5, 0.5625, 0.6, 0.575, -1.125};
  const std::vector<double> sums = {0, 1, 0, 0, 0, 0};
  const double scale = spread(scores) / spread(sums);
  Session session = started(model, lead_in_policy(1));
  const auto first = session.next();
  REQUIRE(first->row == 5);  // 0.5 + scale beats 0.625
  CHECK(first->parts.lead_ins == Approx(scale));
  CHECK(first->parts.total == Approx(0.5 + scale));
}

TEST_CASE("liked movies add their lead-ins, disliked ones subtract, only while learning") {
  const Model model = lead_in_model();
  Policy policy = lead_in_policy(0.2);
  Session liking = started(model, policy);
  liking.answer(4, Feedback::kLike);  // leads into 8 with weight 3
  liking.answer(5, Feedback::kSkip);
  // Left: 6-9, of which only 8 has lead-ins; without them the model would pick another.
  const auto liked = liking.next();
  REQUIRE(liked);
  CHECK(liked->row == 8);
  CHECK(liked->parts.lead_ins > 0);
  Session plain = started(model, lead_in_policy(0));
  plain.answer(4, Feedback::kLike);
  plain.answer(5, Feedback::kSkip);
  CHECK(plain.next()->row != 8);

  Session disliking = started(model, policy);
  disliking.answer(6, Feedback::kDislike);  // leads into 8 with weight 1: subtracted
  disliking.answer(5, Feedback::kSkip);
  const auto after_dislike = disliking.next();
  REQUIRE(after_dislike);
  CHECK(after_dislike->row != 8);

  policy.online_learning = false;
  Session fixed = started(model, policy);
  fixed.answer(4, Feedback::kLike);
  fixed.answer(5, Feedback::kSkip);
  // Without learning only the favourites' lead-ins count, and they lead into 5 alone (seen).
  const auto unmoved = fixed.next();
  REQUIRE(unmoved);
  CHECK(unmoved->parts.lead_ins == 0);
}
