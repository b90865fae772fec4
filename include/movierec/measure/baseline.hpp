// What the strong simple baselines (issue 14: EASE, PureSVD, item-kNN, RP3beta, iALS) share:
// the train matrix they learn from, and the one session rule they all follow.
//
// The session rule, the same as the shipped Session's where the two can be compared:
//   - the profile is a list of movie rows with signed weights: +1 for each of the four
//     favourites, +1 for each liked movie, -dislike_weight for each disliked movie; a skip
//     changes nothing (as in Session, where a skip leaves the user vector alone);
//   - each step scores every movie from the whole profile (ProfileScorer::score: the "fold-in"
//     of the profile into the model) and shows the unseen movie (neither a favourite nor shown
//     before) with the highest score, ties to the lower row; no exploration, no filter.
// The profile is scored afresh after every answer, so a baseline learns online as fully as its
// model allows: an item-item model adds the liked movie's row, a factor model refits the user.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "movierec/data/movielens.hpp"
#include "movierec/train/artifacts.hpp"
#include "movierec/train/svd.hpp"

namespace movierec {

// (movie row, weight) in the order the movies entered: favourites first, then answers.
using Profile = std::vector<std::pair<std::size_t, double>>;

// A model that scores every movie of the catalog from a profile.
class ProfileScorer {
 public:
  virtual ~ProfileScorer() = default;
  virtual std::size_t movie_count() const = 0;
  // scores[row] for every movie row; resizes `scores` to movie_count(). Rows of the profile
  // are below movie_count() (the caller checks).
  virtual void score(const Profile& profile, Eigen::VectorXd& scores) const = 0;
};

// The train ratings of the catalog's movies as the baselines learn from them: one row per
// train user with at least one such rating (users in increasing id), one column per catalog
// row (the model's movie_map). Only train.csv: no held-out rating of anyone.
struct InteractionMatrix {
  SparseMatrix rated;  // 1 for every rating, whatever its stars (the "binary train matrix")
  SparseMatrix stars;  // the same entries holding the stars (0 where there is no rating)
};

// Throws Error when no train rating falls in the catalog; a (user, movie) pair rated twice
// keeps its last rating.
InteractionMatrix interaction_matrix(const IdMap& movies, const std::vector<Rating>& train);

// Each column's number of entries (a movie's train ratings) and each row's (a user's).
Eigen::VectorXd column_counts(const SparseMatrix& m);
Eigen::VectorXd row_counts(const SparseMatrix& m);

// XᵀX as a dense matrix (movies x movies), from the sparse rows.
Eigen::MatrixXd gram_matrix(const SparseMatrix& x);

}  // namespace movierec
