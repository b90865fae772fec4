#include "movierec/measure/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "movierec/io/error.hpp"

namespace movierec {
namespace {

void check_pairs(std::span<const double> predicted, std::span<const double> actual,
                 const char* metric) {
  if (predicted.size() != actual.size()) {
    throw Error(std::string(metric) + ": " + std::to_string(predicted.size()) +
                " predictions for " + std::to_string(actual.size()) + " actual values");
  }
  if (predicted.empty()) throw Error(std::string(metric) + ": no values to compare");
}

void check_ranking(std::span<const std::size_t> relevant, std::size_t k, const char* metric) {
  if (relevant.empty()) throw Error(std::string(metric) + ": the user has no relevant item");
  if (k == 0) throw Error(std::string(metric) + ": k must be at least 1");
}

// Whether ranked[i] is relevant, for the first min(k, |ranked|) positions. A sorted copy keeps
// this O((k + r) log r) for any size of either list.
std::vector<bool> hits(std::span<const std::size_t> ranked, std::span<const std::size_t> relevant,
                       std::size_t k) {
  std::vector<std::size_t> sorted(relevant.begin(), relevant.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<bool> hit(std::min(k, ranked.size()));
  for (std::size_t i = 0; i < hit.size(); ++i) {
    hit[i] = std::binary_search(sorted.begin(), sorted.end(), ranked[i]);
  }
  return hit;
}

// The discount of 1-based position i: 1 / log2(i + 1).
double discount(std::size_t position) {
  return 1.0 / std::log2(static_cast<double>(position) + 1.0);
}

}  // namespace

double rmse(std::span<const double> predicted, std::span<const double> actual) {
  check_pairs(predicted, actual, "RMSE");
  double squared = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    const double error = predicted[i] - actual[i];
    squared += error * error;
  }
  return std::sqrt(squared / static_cast<double>(predicted.size()));
}

double mae(std::span<const double> predicted, std::span<const double> actual) {
  check_pairs(predicted, actual, "MAE");
  double absolute = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) absolute += std::abs(predicted[i] - actual[i]);
  return absolute / static_cast<double>(predicted.size());
}

double recall_at_k(std::span<const std::size_t> ranked, std::span<const std::size_t> relevant,
                   std::size_t k) {
  check_ranking(relevant, k, "Recall@k");
  const std::vector<bool> hit = hits(ranked, relevant, k);
  const auto found = std::count(hit.begin(), hit.end(), true);
  return static_cast<double>(found) / static_cast<double>(relevant.size());
}

double ndcg_at_k(std::span<const std::size_t> ranked, std::span<const std::size_t> relevant,
                 std::size_t k) {
  check_ranking(relevant, k, "NDCG@k");
  const std::vector<bool> hit = hits(ranked, relevant, k);
  double dcg = 0;
  for (std::size_t i = 0; i < hit.size(); ++i) {
    if (hit[i]) dcg += discount(i + 1);
  }
  double ideal = 0;
  for (std::size_t i = 0; i < std::min(k, relevant.size()); ++i) ideal += discount(i + 1);
  return dcg / ideal;
}

std::size_t distinct_items(const std::vector<std::vector<std::size_t>>& lists,
                           std::size_t item_count) {
  std::vector<bool> shown(item_count, false);
  std::size_t distinct = 0;
  for (const auto& list : lists) {
    for (const std::size_t item : list) {
      if (item >= item_count) {
        throw Error("coverage: item " + std::to_string(item) + " is outside a catalog of " +
                    std::to_string(item_count));
      }
      if (!shown[item]) {
        shown[item] = true;
        ++distinct;
      }
    }
  }
  return distinct;
}

double coverage(const std::vector<std::vector<std::size_t>>& lists, std::size_t catalog_size) {
  if (catalog_size == 0) throw Error("coverage: the catalog is empty");
  return static_cast<double>(distinct_items(lists, catalog_size)) /
         static_cast<double>(catalog_size);
}

}  // namespace movierec
