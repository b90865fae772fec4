// Known users: the people the model was trained with, each by their trained user vector and
// what they rated in train. `recommend --user ID` starts a session from them, `serve` ranks for
// them (/api/users/{id}/recommendations), and `evaluate`'s Recall@k and NDCG@k rank its held-out
// users with the same function, rank_known_user, so the three cannot drift apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "movierec/data/movielens.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/session.hpp"

namespace movierec {

struct RankedMovie {
  std::size_t row = 0;  // embedding row
  double score = 0;     // score_movies: user . movie
};

// The `count` recommendable movies (Model::recommendable under `min_evidence`, the policy's) not
// in `rated` (embedding rows, any order, repeats allowed) with the highest score_movies for the
// trained user at user_map row `user_row`, best first, ties to the lower row. Throws Error for a
// user row outside the model.
std::vector<RankedMovie> rank_known_user(const Model& model, std::size_t user_row,
                                         std::span<const std::size_t> rated, std::size_t count,
                                         std::int64_t min_evidence);

// Why `user_id` is not a known user, for a person: "user 99999 is not a user of the model (it
// knows 610 users, ids 1 to 610, from user_map.json)".
std::string unknown_user_message(const Model& model, std::int32_t user_id);

// What each user of the model's user_map rated in train, as embedding rows.
class KnownUsers {
 public:
  KnownUsers() = default;
  // From the train ratings (ProcessedFolder::read_train_ratings_of_every_movie: those of the
  // movies outside the trained catalog too): ratings of users without a vector or of movies
  // without an embedding are left out; a user with a vector and no such rating is still known.
  KnownUsers(const Model& model, std::span<const Rating> train);

  bool contains(std::int32_t user_id) const { return rated_.count(user_id) != 0; }
  std::size_t size() const { return rated_.size(); }
  // The embedded movies the user rated in train, ascending; none for an unknown user.
  const std::vector<std::size_t>* rated(std::int32_t user_id) const;
  // The start of a session for the user: their trained vector, everything they rated seen, the
  // genre profile from those they rated kLikeStars or more (all they rated when none), no
  // favourites. None for an unknown user.
  std::optional<KnownStart> start(const Model& model, std::int32_t user_id) const;
  // rank_known_user for the user, excluding what they rated; none for an unknown user.
  std::optional<std::vector<RankedMovie>> recommend(const Model& model, std::int32_t user_id,
                                                    std::size_t count,
                                                    std::int64_t min_evidence) const;

 private:
  std::unordered_map<std::int32_t, std::vector<std::size_t>> rated_;
  std::unordered_map<std::int32_t, std::vector<std::size_t>> liked_;
};

}  // namespace movierec
