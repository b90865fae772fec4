// The metric functions against values computed by hand (the arithmetic is in each comment).
#include "movierec/measure/metrics.hpp"

#include <catch2/catch.hpp>
#include <cstddef>
#include <vector>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {
using Items = std::vector<std::size_t>;
}  // namespace

TEST_CASE("RMSE and MAE of a few predictions") {
  // errors -1, 0, -2: squares 1, 0, 4, so RMSE = sqrt(5 / 3); absolute 1, 0, 2, so MAE = 1.
  const std::vector<double> predicted = {1, 2, 3};
  const std::vector<double> actual = {2, 2, 5};
  CHECK(rmse(predicted, actual) == Approx(1.2909944487358056));
  CHECK(mae(predicted, actual) == Approx(1.0));
  // Perfect predictions.
  CHECK(rmse(actual, actual) == 0.0);
  CHECK(mae(actual, actual) == 0.0);
  // One error of 0.5 among four: RMSE = sqrt(0.25 / 4) = 0.25, MAE = 0.5 / 4 = 0.125.
  CHECK(rmse(std::vector<double>{4, 3, 2, 1.5}, std::vector<double>{4, 3, 2, 1}) == Approx(0.25));
  CHECK(mae(std::vector<double>{4, 3, 2, 1.5}, std::vector<double>{4, 3, 2, 1}) == Approx(0.125));
}

TEST_CASE("RMSE and MAE refuse empty or mismatched inputs") {
  const std::vector<double> empty;
  const std::vector<double> two = {1, 2};
  const std::vector<double> three = {1, 2, 3};
  CHECK_THROWS_AS(rmse(empty, empty), Error);
  CHECK_THROWS_AS(mae(empty, empty), Error);
  CHECK_THROWS_WITH(rmse(two, three), "RMSE: 2 predictions for 3 actual values");
  CHECK_THROWS_AS(mae(three, two), Error);
}

TEST_CASE("Recall@k counts the liked items in the top k") {
  const Items ranked = {5, 3, 9, 1};
  const Items relevant = {3, 1, 7};
  CHECK(recall_at_k(ranked, relevant, 4) == Approx(2.0 / 3));   // 3 and 1 found
  CHECK(recall_at_k(ranked, relevant, 2) == Approx(1.0 / 3));   // only 3 in the top 2
  CHECK(recall_at_k(ranked, relevant, 1) == 0.0);               // 5 is not liked
  CHECK(recall_at_k(ranked, relevant, 10) == Approx(2.0 / 3));  // a list shorter than k
  CHECK(recall_at_k(Items{7, 1, 3}, relevant, 3) == 1.0);
  // More liked items than k: at most k / |relevant|.
  CHECK(recall_at_k(Items{1, 2}, Items{1, 2, 3, 4}, 2) == Approx(0.5));
  CHECK_THROWS_AS(recall_at_k(ranked, Items{}, 4), Error);
  CHECK_THROWS_AS(recall_at_k(ranked, relevant, 0), Error);
}

TEST_CASE("NDCG@k with binary relevance and the ideal over min(k, relevant)") {
  const Items ranked = {5, 3, 9, 1};
  const Items relevant = {3, 1, 7};
  // Hits at positions 2 and 4: DCG = 1/log2(3) + 1/log2(5) = 0.6309298 + 0.4306766 = 1.0616063;
  // ideal over min(4, 3) = 3 positions: 1 + 0.6309298 + 0.5 = 2.1309298; NDCG = 0.4981893.
  CHECK(ndcg_at_k(ranked, relevant, 4) == Approx(0.49818925746641285));
  // k = 2: DCG = 1/log2(3) = 0.6309298; ideal 1 + 0.6309298; NDCG = 0.3868528.
  CHECK(ndcg_at_k(ranked, relevant, 2) == Approx(0.38685280723454163));
  // The relevant items first is perfect, whatever their order.
  CHECK(ndcg_at_k(Items{1, 7, 3, 5}, relevant, 4) == Approx(1.0));
  CHECK(ndcg_at_k(Items{1, 7, 3}, relevant, 10) == Approx(1.0));
  // One relevant item, found third: 1/log2(4) = 0.5 over an ideal of 1.
  CHECK(ndcg_at_k(Items{8, 9, 4}, Items{4}, 10) == Approx(0.5));
  // With more relevant items than k, filling the top k is perfect.
  CHECK(ndcg_at_k(Items{2, 1}, Items{1, 2, 3, 4}, 2) == Approx(1.0));
  CHECK(ndcg_at_k(Items{8, 9}, relevant, 2) == 0.0);
  CHECK_THROWS_AS(ndcg_at_k(ranked, Items{}, 4), Error);
  CHECK_THROWS_AS(ndcg_at_k(ranked, relevant, 0), Error);
}

TEST_CASE("coverage is the share of the catalog shown at least once") {
  // {0, 1, 2} of 8 items.
  CHECK(coverage({{0, 1}, {1, 2}, {}}, 8) == Approx(0.375));
  CHECK(distinct_items({{0, 1}, {1, 2}, {}}, 8) == 3);
  CHECK(coverage({}, 4) == 0.0);
  CHECK(coverage({{0, 1, 2, 3}, {3, 2}}, 4) == 1.0);
  CHECK_THROWS_AS(coverage({{4}}, 4), Error);
  CHECK_THROWS_AS(coverage({}, 0), Error);
}
