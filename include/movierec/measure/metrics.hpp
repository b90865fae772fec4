// Offline metrics as pure functions: rating error (RMSE, MAE), ranking quality of one user's
// list (Recall@k, NDCG@k with binary relevance), and catalog coverage. No I/O, no model: the
// evaluator (evaluation.hpp, simulate.hpp) feeds them numbers and rows.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace movierec {

// Root mean squared error, sqrt(sum (p_i - a_i)^2 / n). Throws Error when the spans differ in
// length or are empty.
double rmse(std::span<const double> predicted, std::span<const double> actual);

// Mean absolute error, sum |p_i - a_i| / n. Throws Error like rmse.
double mae(std::span<const double> predicted, std::span<const double> actual);

// `ranked` is one user's recommendation list, best first (item ids, distinct); `relevant` the
// items that user is known to like (any order, distinct). Only the first k of `ranked` count.
//
// Recall@k = |top k of ranked ∩ relevant| / |relevant|: the share of the user's liked items the
// list finds (so at most k / |relevant| when the user likes more than k items).
// Throws Error when `relevant` is empty or k is 0.
double recall_at_k(std::span<const std::size_t> ranked, std::span<const std::size_t> relevant,
                   std::size_t k);

// NDCG@k with binary relevance: DCG = sum over positions i = 1..k of rel_i / log2(i + 1), where
// rel_i is 1 when the i-th item is relevant, else 0; the ideal DCG puts every relevant item
// first, IDCG = sum over i = 1..min(k, |relevant|) of 1 / log2(i + 1); NDCG = DCG / IDCG, in
// [0, 1]. Throws Error when `relevant` is empty or k is 0.
double ndcg_at_k(std::span<const std::size_t> ranked, std::span<const std::size_t> relevant,
                 std::size_t k);

// How many distinct items of ids 0 .. item_count - 1 appear in `lists`: |union of lists|.
// Throws Error when an item is outside those ids.
std::size_t distinct_items(const std::vector<std::vector<std::size_t>>& lists,
                           std::size_t item_count);

// The share of a catalog of `catalog_size` items (ids 0 .. catalog_size - 1) that appears at
// least once in `lists`: |union of lists| / catalog_size, in [0, 1]. Throws Error when
// catalog_size is 0 or an item is outside the catalog.
double coverage(const std::vector<std::vector<std::size_t>>& lists, std::size_t catalog_size);

}  // namespace movierec
