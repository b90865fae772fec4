// The session policy (seed 7.6-7.10): every coefficient the online session uses to filter, score,
// explore and learn, read from config/recommender_policy.yaml. Keys are flat (no sections), so
// each is also a flag of the same name with dashes (--learning-rate 0.2).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "movierec/io/config.hpp"

namespace movierec {

// The pluggable rules (Session documents each), and their names as the policy's keys spell them
// (config.hpp's NamedChoice).
enum class Exploration { kNone, kRandomDampening, kUcb, kThompson };
enum class UserUpdate { kMovingAverage, kLeastSquares };
inline constexpr std::string_view kExplorationNames[] = {"none", "random_dampening", "ucb",
                                                         "thompson"};
inline constexpr std::string_view kUserUpdateNames[] = {"moving_average", "least_squares"};
constexpr std::span<const std::string_view> choice_names(Exploration) { return kExplorationNames; }
constexpr std::span<const std::string_view> choice_names(UserUpdate) { return kUserUpdateNames; }

struct Policy {
  // Score composition (seed 7.7): score = model_score * score_weight_model
  //   - genre_distance * genre_distance_penalty - popularity / max_popularity * popularity_penalty
  //   + diversity_boost (when it applies) + the lead-in part (lead_in_weight, below).
  double score_weight_model = 1.0;      // weight of the embedding score user . movie
  double genre_distance_penalty = 0.3;  // subtracted per unit of genre distance (1 - affinity)
  double popularity_penalty = 0.2;      // subtracted at the most popular movie, linear below
  double diversity_boost = 0.05;        // added to genre-adjacent but non-obvious movies
  double diversity_max_affinity = 0.3;  // the boost applies when 0 < genre affinity <= this
  // Candidate filter (seed 7.6): affinity = sum of the profile's weights of the movie's genres.
  double min_genre_affinity = 0.1;  // movies with a lower genre affinity are never recommended
  double max_genre_distance = 0.9;  // movies with a larger genre distance are never recommended
  // A movie outside the trained catalog (folded in, Model::recommendable) is recommended only
  // when its vector comes from at least this many train ratings; trained movies always are.
  int min_evidence = 50;
  // Exploration. random_dampening (seed 7.7): each candidate, with probability exploration_rate,
  // has its score lowered by exploration_damping x |score|. ucb and thompson use the user
  // vector's uncertainty A^-1, A = ls_regularization x s_m I + sum of m m^T over the answered
  // movies (see Session); their strengths are in score units s_0 (see like_target).
  Exploration exploration = Exploration::kRandomDampening;  // exploration rule
  double exploration_rate = 0.1;     // chance a candidate's score is dampened
  double exploration_damping = 0.5;  // fraction of |score| a dampening removes
  double ucb_alpha = 0.1;            // ucb: bonus ucb_alpha x s_0 x sqrt(m^T A^-1 m)
  double thompson_sigma = 0.1;  // thompson: score with u' ~ N(u, (thompson_sigma s_0)^2 A^-1)
  // Learning. moving_average (seed 7.10): like u <- (1-a)u + a m; dislike u <- (1-a)u - a w m.
  // least_squares (interactive CF): u = argmin sum (target - u.m)^2 + lambda s_m |u - u0|^2.
  // Skip: nothing, under either rule.
  UserUpdate user_update = UserUpdate::kMovingAverage;  // user-vector update rule
  double learning_rate = 0.3;                           // a: how far one answer moves the user
  double negative_weight = 0.5;                         // w: how hard a dislike pushes away
  double ls_regularization = 3.0;    // lambda, in answers' worth (units of s_m, see Session)
  double like_target = 5.0;          // least_squares: a like's target score, in units of s_0
  double dislike_target = -1.0;      // least_squares: a dislike's target score, in units of s_0
  bool favourites_as_likes = false;  // least_squares, and A: the favourites count as likes
  bool online_learning = true;       // false: answers never move the user vector, whatever the rule
  // Skipped movies as weak negatives (least_squares only): each skip enters the fit with target
  // 0 and this weight (the person saw the title and did not take it). 0: a skip teaches nothing.
  double skip_weight = 0.0;
  // Lead-ins (train/lead_ins.hpp): each candidate also scores the weights of its lead-ins among
  // the favourites and the liked movies (a disliked one subtracts), rescaled to the spread of
  // the model part over the candidates and times this weight. 0 (or artifacts without
  // lead-ins): the model score alone.
  double lead_in_weight = 0.0;

  // Every key above, bound to this struct (names, ranges, choices, help).
  std::vector<ConfigField> fields();
  // {"score_weight_model": 1.0, ...}: flat, one entry per key.
  nlohmann::json to_json() const;
  // Checks every key's range and choices (for policies built in code) and the rules that span
  // keys: a diversity boost that no candidate could receive (its affinity band lies below what
  // the filter lets through), a dampening rate whose damping is 0 (under random_dampening) and
  // a dislike target not below the like target (under least_squares). Throws ConfigError naming
  // `source` and the key to change.
  void validate(const std::string& source) const;
};

// Reads a policy YAML document over the defaults and validates it. Throws ConfigError (unknown
// key with the nearest known one, wrong type, out of range, cross-key rule) or InputError (YAML
// syntax), naming `source`.
Policy read_policy(std::istream& in, const std::string& source);
// The same from a file; throws InputError when it cannot be read.
Policy load_policy(const std::filesystem::path& path);

}  // namespace movierec
