#include "movierec/session/known_users.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "movierec/io/error.hpp"
#include "movierec/train/scoring.hpp"
#include "movierec/train/training.hpp"

namespace movierec {
namespace {

void sort_unique(std::vector<std::size_t>& rows) {
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
}

}  // namespace

std::vector<RankedMovie> rank_known_user(const Model& model, std::size_t user_row,
                                         std::span<const std::size_t> rated, std::size_t count,
                                         std::int64_t min_evidence) {
  const Artifacts& artifacts = model.artifacts();
  if (user_row >= static_cast<std::size_t>(artifacts.user_embeddings.rows())) {
    throw Error(fmt::format("rank_known_user: user row {} is not in the model ({} users)",
                            user_row, artifacts.user_embeddings.rows()));
  }
  const Eigen::VectorXf user =
      artifacts.user_embeddings.row(static_cast<Eigen::Index>(user_row)).transpose();
  Eigen::VectorXf scores;
  score_movies(artifacts, user, scores);
  std::vector<char> excluded(model.movie_count(), 0);
  for (const std::size_t row : rated) {
    if (row < excluded.size()) excluded[row] = 1;
  }
  std::vector<std::size_t> rows;
  rows.reserve(excluded.size());
  for (std::size_t row = 0; row < excluded.size(); ++row) {
    if (excluded[row] == 0 && model.recommendable(row, min_evidence)) rows.push_back(row);
  }
  const auto end = rows.begin() + static_cast<std::ptrdiff_t>(std::min(count, rows.size()));
  std::partial_sort(rows.begin(), end, rows.end(), [&](std::size_t a, std::size_t b) {
    const float sa = scores[static_cast<Eigen::Index>(a)];
    const float sb = scores[static_cast<Eigen::Index>(b)];
    return sa != sb ? sa > sb : a < b;
  });
  std::vector<RankedMovie> ranked;
  for (auto it = rows.begin(); it != end; ++it) {
    ranked.push_back({*it, static_cast<double>(scores[static_cast<Eigen::Index>(*it)])});
  }
  return ranked;
}

std::string unknown_user_message(const Model& model, std::int32_t user_id) {
  const std::vector<std::int32_t>& ids = model.artifacts().user_map.ids();
  if (ids.empty()) return fmt::format("user {} is not a user of the model: it has no users", user_id);
  const auto [low, high] = std::minmax_element(ids.begin(), ids.end());
  return fmt::format(
      "user {} is not a user of the model (it knows {} users, ids {} to {}, from user_map.json)",
      user_id, ids.size(), *low, *high);
}

KnownUsers::KnownUsers(const Model& model, std::span<const Rating> train) {
  const Artifacts& artifacts = model.artifacts();
  if (artifacts.user_map.size() != static_cast<std::size_t>(artifacts.user_embeddings.rows())) {
    throw Error(fmt::format("KnownUsers: user_map has {} users but user_embeddings {} rows",
                            artifacts.user_map.size(), artifacts.user_embeddings.rows()));
  }
  for (const std::int32_t id : artifacts.user_map.ids()) {
    rated_[id];
    liked_[id];
  }
  for (const Rating& rating : train) {
    const auto user = rated_.find(rating.user);
    const std::optional<std::size_t> row = artifacts.movie_map.row(rating.movie);
    if (user == rated_.end() || !row) continue;
    user->second.push_back(*row);
    if (rating.rating >= kLikeStars) liked_[rating.user].push_back(*row);
  }
  for (auto& [id, rows] : rated_) sort_unique(rows);
  for (auto& [id, rows] : liked_) sort_unique(rows);
}

const std::vector<std::size_t>* KnownUsers::rated(std::int32_t user_id) const {
  const auto found = rated_.find(user_id);
  return found == rated_.end() ? nullptr : &found->second;
}

std::optional<KnownStart> KnownUsers::start(const Model& model, std::int32_t user_id) const {
  const std::vector<std::size_t>* seen = rated(user_id);
  if (seen == nullptr) return std::nullopt;
  const auto user_row = static_cast<Eigen::Index>(*model.artifacts().user_map.row(user_id));
  KnownStart start;
  start.vector = model.artifacts().user_embeddings.row(user_row).transpose().cast<double>();
  start.seen = *seen;
  const std::vector<std::size_t>& liked = liked_.at(user_id);
  start.liked = liked.empty() ? *seen : liked;
  return start;
}

std::optional<std::vector<RankedMovie>> KnownUsers::recommend(const Model& model,
                                                              std::int32_t user_id,
                                                              std::size_t count,
                                                              std::int64_t min_evidence) const {
  const std::vector<std::size_t>* seen = rated(user_id);
  if (seen == nullptr) return std::nullopt;
  return rank_known_user(model, *model.artifacts().user_map.row(user_id), *seen, count,
                         min_evidence);
}

}  // namespace movierec
