#include "movierec/session/policy.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"

namespace movierec {
namespace {

// Weights are scale-free (embedding scores depend on k and the factorisation), so their range
// only guards against typos such as a missing decimal point.
constexpr double kMaxWeight = 1e6;
constexpr double kMaxNegativeWeight = 100;
// Targets and exploration strengths are in units of s_0, the favourites' mean score: a like
// "as good as a favourite" is 1, so a magnitude of 100 can only be a typo.
constexpr double kMaxRelative = 100;
// lambda must stay above 0 so that A = lambda s_m I + sum m m^T is invertible before k answers.
constexpr double kMinRegularization = 1e-6;

// YAML and flags are range-checked as they are applied; a policy built in code (the evaluator's
// sweeps, tests) is checked here, NaN included.
void check_ranges(const Policy& policy, const std::string& source) {
  Policy copy = policy;
  for (const ConfigField& field : copy.fields()) {
    if (const auto* number = std::get_if<double*>(&field.value)) {
      if (!(**number >= field.min && **number <= field.max)) {
        throw ConfigError(source, 0, field.name,
                          "must be a number from " + config_number_text(field.min) + " to " +
                              config_number_text(field.max) + ", got " +
                              config_number_text(**number));
      }
    } else if (const auto* choice = std::get_if<ChoiceField>(&field.value)) {
      if (choice->index() >= choice->names().size()) {
        throw ConfigError(source, 0, field.name,
                          "is not a known rule (value " + std::to_string(choice->index()) + ")");
      }
    }
  }
}

}  // namespace

// One row per key, kept in table form for reading.
// clang-format off
std::vector<ConfigField> Policy::fields() {
  return {
      {"score_weight_model", &score_weight_model, 0, kMaxWeight, {},
       "weight of the embedding score (user . movie) in the final score"},
      {"genre_distance_penalty", &genre_distance_penalty, 0, kMaxWeight, {},
       "subtracted per unit of genre distance (1 - genre affinity)"},
      {"popularity_penalty", &popularity_penalty, 0, kMaxWeight, {},
       "subtracted in full from the most popular movie, in proportion to popularity below it"},
      {"diversity_boost", &diversity_boost, 0, kMaxWeight, {},
       "added to genre-adjacent but non-obvious movies (see diversity_max_affinity)"},
      {"diversity_max_affinity", &diversity_max_affinity, 0, 1, {},
       "the diversity boost applies when 0 < genre affinity <= this"},
      {"min_genre_affinity", &min_genre_affinity, 0, 1, {},
       "movies whose genre affinity is lower are never recommended"},
      {"max_genre_distance", &max_genre_distance, 0, 1, {},
       "movies whose genre distance (1 - affinity) is larger are never recommended"},
      {"min_evidence", &min_evidence, 0, 2147483647, {},
       "a movie outside the trained catalog (folded in from few ratings) is recommended only "
       "when its vector comes from at least this many train ratings; trained movies always are"},
      {"exploration", &exploration, 0, 0, {},
       "exploration rule: none, random_dampening (each candidate's score is lowered at random), "
       "ucb (a bonus for movies the answers say little about), thompson (score with a sampled "
       "user vector)"},
      {"exploration_rate", &exploration_rate, 0, 1, {},
       "chance that a candidate's score is dampened when a movie is picked"},
      {"exploration_damping", &exploration_damping, 0, 1, {},
       "fraction of |score| that a dampening subtracts"},
      {"ucb_alpha", &ucb_alpha, 0, kMaxRelative, {},
       "ucb: the bonus is ucb_alpha x s_0 x sqrt(m^T A^-1 m) (s_0: the favourites' mean score)"},
      {"thompson_sigma", &thompson_sigma, 0, kMaxRelative, {},
       "thompson: movies are scored with u' ~ N(u, (thompson_sigma x s_0)^2 A^-1)"},
      {"user_update", &user_update, 0, 0, {},
       "user-vector update rule: moving_average (the seed's: toward liked, away from disliked) "
       "or least_squares (refit on every answer so far, regularised toward the start vector)"},
      {"learning_rate", &learning_rate, 0, 1, {},
       "how far one like or dislike moves the user vector (0 = no online learning)"},
      {"negative_weight", &negative_weight, 0, kMaxNegativeWeight, {},
       "moving_average: how hard a dislike pushes the user vector away from the movie"},
      {"ls_regularization", &ls_regularization, kMinRegularization, kMaxWeight, {},
       "lambda: how firmly the start vector holds, in answers' worth (also A's prior)"},
      {"like_target", &like_target, -kMaxRelative, kMaxRelative, {},
       "least_squares: the score a liked movie is fitted to, in units of s_0"},
      {"dislike_target", &dislike_target, -kMaxRelative, kMaxRelative, {},
       "least_squares: the score a disliked movie is fitted to, in units of s_0"},
      {"favourites_as_likes", &favourites_as_likes, 0, 0, {},
       "the four favourites count as liked answers (least_squares fit, and A for ucb/thompson)"},
      {"online_learning", &online_learning, 0, 0, {},
       "whether answers move the user vector at all (false: the favourites alone decide)"},
      {"skip_weight", &skip_weight, 0, 1, {},
       "least_squares: weight of a skipped movie, fitted to score 0 (0 = a skip teaches nothing)"},
      {"lead_in_weight", &lead_in_weight, 0, kMaxRelative, {},
       "weight of what people went on to like after the favourites and likes (the artifacts' "
       "lead-ins), relative to the model score's spread (0 = the model score alone)"},
  };
}
// clang-format on

nlohmann::json Policy::to_json() const {
  Policy copy = *this;
  return fields_to_json(copy.fields());
}

void Policy::validate(const std::string& source) const {
  check_ranges(*this, source);
  // Both filters bound the affinity from below; the lowest affinity a candidate can have:
  const double lowest_affinity = std::max(min_genre_affinity, 1.0 - max_genre_distance);
  if (diversity_boost > 0 && diversity_max_affinity < lowest_affinity) {
    throw ConfigError(source, 0, "diversity_max_affinity",
                      "is " + config_number_text(diversity_max_affinity) +
                          ", below the lowest genre affinity the filter lets through (" +
                          config_number_text(lowest_affinity) +
                          ", from min_genre_affinity and max_genre_distance), so no movie could "
                          "receive the diversity boost; raise it or set diversity_boost to 0");
  }
  if (exploration == Exploration::kRandomDampening && exploration_rate > 0 &&
      exploration_damping == 0) {
    throw ConfigError(source, 0, "exploration_damping",
                      "is 0, so exploration_rate " + config_number_text(exploration_rate) +
                          " has no effect; set exploration_damping above 0 or "
                          "exploration_rate to 0");
  }
  if (user_update == UserUpdate::kLeastSquares && !(dislike_target < like_target)) {
    throw ConfigError(source, 0, "dislike_target",
                      "is " + config_number_text(dislike_target) + ", not below like_target (" +
                          config_number_text(like_target) +
                          "), so a dislike would pull the user toward the movie like a like; "
                          "lower dislike_target");
  }
}

Policy read_policy(std::istream& in, const std::string& source) {
  Policy policy;
  apply_yaml(in, source, policy.fields());
  policy.validate(source);
  return policy;
}

Policy load_policy(const std::filesystem::path& path) {
  std::ifstream in = open_input(path);
  return read_policy(in, path.string());
}

}  // namespace movierec
