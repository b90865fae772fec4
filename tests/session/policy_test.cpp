#include "movierec/session/policy.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

Policy read(const std::string& yaml) {
  std::istringstream in(yaml);
  return read_policy(in, "policy.yaml");
}

std::string policy_error(const std::string& yaml) {
  try {
    read(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::filesystem::path repo_root() {
  return std::filesystem::path(MOVIEREC_FIXTURES_DIR).parent_path().parent_path();
}

std::string text_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("policy defaults") {
  const Policy policy = read("");
  CHECK(policy.score_weight_model == 1.0);
  CHECK(policy.genre_distance_penalty == 0.3);
  CHECK(policy.popularity_penalty == 0.2);
  CHECK(policy.diversity_boost == 0.05);
  CHECK(policy.diversity_max_affinity == 0.3);
  CHECK(policy.min_genre_affinity == 0.1);
  CHECK(policy.max_genre_distance == 0.9);
  CHECK(policy.exploration == Exploration::kRandomDampening);
  CHECK(policy.exploration_rate == 0.1);
  CHECK(policy.exploration_damping == 0.5);
  CHECK(policy.user_update == UserUpdate::kMovingAverage);
  CHECK(policy.learning_rate == 0.3);
  CHECK(policy.negative_weight == 0.5);
  CHECK(policy.ucb_alpha == 0.1);
  CHECK(policy.thompson_sigma == 0.1);
  CHECK(policy.ls_regularization == 3.0);
  CHECK(policy.like_target == 5.0);
  CHECK(policy.dislike_target == -1.0);
  CHECK_FALSE(policy.favourites_as_likes);
  CHECK(read("# nothing but a comment\n").to_json() == Policy{}.to_json());
}

TEST_CASE("policy keys are flat and read from YAML") {
  const Policy policy = read("learning_rate: 0.25\nnegative_weight: 2\nexploration_rate: 0\n");
  CHECK(policy.learning_rate == 0.25);
  CHECK(policy.negative_weight == 2.0);
  CHECK(policy.exploration_rate == 0.0);
  const nlohmann::json json = Policy{}.to_json();
  CHECK(json.size() == Policy{}.fields().size());
  CHECK(json["learning_rate"] == 0.3);
  CHECK(json["exploration"] == "random_dampening");
  Policy bound;
  for (const ConfigField& field : bound.fields()) {
    CHECK(field.name.find('.') == std::string::npos);
    CHECK_FALSE(field.help.empty());
  }
  CHECK(policy_error("scoring:\n  learning_rate: 0.2\n") ==
        "policy.yaml:2: key 'scoring.learning_rate': unknown key; did you mean 'learning_rate'?");
}

TEST_CASE("each policy key rejects values out of its range") {
  CHECK(policy_error("learning_rate: 1.5\n") ==
        "policy.yaml:1: key 'learning_rate': must be a number from 0 to 1, got '1.5'");
  CHECK(policy_error("score_weight_model: -1\n") ==
        "policy.yaml:1: key 'score_weight_model': must be a number from 0 to 1000000, got '-1'");
  CHECK(policy_error("negative_weight: 101\n") ==
        "policy.yaml:1: key 'negative_weight': must be a number from 0 to 100, got '101'");
  CHECK(policy_error("exploration_rate: often\n") ==
        "policy.yaml:1: key 'exploration_rate': must be a number from 0 to 1, got 'often'");
  CHECK(policy_error("exploration: epsilon_greedy\n") ==
        "policy.yaml:1: key 'exploration': must be one of none, random_dampening, ucb, thompson, "
        "got 'epsilon_greedy'");
  CHECK(policy_error("user_update: gradient\n") ==
        "policy.yaml:1: key 'user_update': must be one of moving_average, least_squares, got "
        "'gradient'");
  CHECK(policy_error("favourites_as_likes: maybe\n")
            .find("policy.yaml:1: key 'favourites_as_likes': ") == 0);
  CHECK(policy_error("ls_regularization: 0\n") ==
        "policy.yaml:1: key 'ls_regularization': must be a number from 1e-06 to 1000000, got '0'");
  CHECK(policy_error("ucb_alpha: -0.1\n") ==
        "policy.yaml:1: key 'ucb_alpha': must be a number from 0 to 100, got '-0.1'");
  CHECK(policy_error("thompson_sigma: 1000\n") ==
        "policy.yaml:1: key 'thompson_sigma': must be a number from 0 to 100, got '1000'");
  CHECK(policy_error("dislike_target: -101\n") ==
        "policy.yaml:1: key 'dislike_target': must be a number from -100 to 100, got '-101'");
  CHECK(policy_error("like_target: many\n") ==
        "policy.yaml:1: key 'like_target': must be a number from -100 to 100, got 'many'");
  // Every numeric key, just past each end of its range.
  Policy bound;
  for (const ConfigField& field : bound.fields()) {
    if (!std::holds_alternative<double*>(field.value)) continue;
    for (const double bad : {field.min - 0.5, field.max * 2 + 1}) {
      std::ostringstream value;
      value << bad;
      const std::string message = policy_error(field.name + ": " + value.str() + "\n");
      INFO(field.name << " = " << value.str());
      CHECK(message.find("policy.yaml:1: key '" + field.name + "': must be a number from") == 0);
      CHECK(message.find("got '" + value.str() + "'") != std::string::npos);
    }
  }
}

TEST_CASE("an unknown policy key suggests the nearest one") {
  CHECK(policy_error("learning_rat: 0.2\n") ==
        "policy.yaml:1: key 'learning_rat': unknown key; did you mean 'learning_rate'?");
  CHECK(policy_error("score_weight_model: 1\npopularity_penalti: 0.1\n") ==
        "policy.yaml:2: key 'popularity_penalti': unknown key; did you mean "
        "'popularity_penalty'?");
  CHECK(policy_error("colour: blue\n") == "policy.yaml:1: key 'colour': unknown key");
  CHECK(policy_error("ucb_alfa: 1\n") ==
        "policy.yaml:1: key 'ucb_alfa': unknown key; did you mean 'ucb_alpha'?");
  CHECK(policy_error("thompson_sigm: 1\n") ==
        "policy.yaml:1: key 'thompson_sigm': unknown key; did you mean 'thompson_sigma'?");
  CHECK(policy_error("dislike_targte: 0\n") ==
        "policy.yaml:1: key 'dislike_targte': unknown key; did you mean 'dislike_target'?");
  CHECK(policy_error("ls_regularisation: 1\n") ==
        "policy.yaml:1: key 'ls_regularisation': unknown key; did you mean 'ls_regularization'?");
  CHECK(policy_error("favorites_as_likes: true\n") ==
        "policy.yaml:1: key 'favorites_as_likes': unknown key; did you mean "
        "'favourites_as_likes'?");
}

TEST_CASE("policy cross-key rules") {
  CHECK(
      policy_error("min_genre_affinity: 0.5\n")
          .find(
              "policy.yaml: key 'diversity_max_affinity': is 0.3, below the lowest genre affinity "
              "the filter lets through (0.5") == 0);
  CHECK(policy_error("max_genre_distance: 0.4\n").find("(0.6,") != std::string::npos);
  // Without a boost the band does not matter.
  CHECK(read("min_genre_affinity: 0.5\ndiversity_boost: 0\n").min_genre_affinity == 0.5);
  CHECK(read("min_genre_affinity: 0.5\ndiversity_max_affinity: 0.5\n").diversity_boost == 0.05);
  CHECK(policy_error("exploration_damping: 0\n") ==
        "policy.yaml: key 'exploration_damping': is 0, so exploration_rate 0.1 has no effect; "
        "set exploration_damping above 0 or exploration_rate to 0");
  CHECK(read("exploration_damping: 0\nexploration_rate: 0\n").exploration_damping == 0.0);
  // The damping only matters under random_dampening.
  CHECK(read("exploration: ucb\nexploration_damping: 0\n").exploration_damping == 0.0);
  CHECK(policy_error("user_update: least_squares\nlike_target: 0.5\ndislike_target: 0.5\n") ==
        "policy.yaml: key 'dislike_target': is 0.5, not below like_target (0.5), so a dislike "
        "would pull the user toward the movie like a like; lower dislike_target");
  // The targets only matter under least_squares.
  CHECK(read("like_target: 0\ndislike_target: 1\n").dislike_target == 1.0);
  Policy in_code;
  in_code.user_update = UserUpdate::kLeastSquares;
  in_code.dislike_target = in_code.like_target;
  CHECK_THROWS_AS(in_code.validate("sweep"), ConfigError);
}

TEST_CASE("policy values set from flags are checked alike") {
  Policy policy;
  const auto fields = policy.fields();
  apply_value(fields, "learning_rate", "0.05", "command line");
  CHECK(policy.learning_rate == 0.05);
  CHECK_THROWS_WITH(apply_value(fields, "learning_rate", "2", "command line"),
                    "command line: key 'learning_rate': must be a number from 0 to 1, got '2'");
  CHECK(fields.front().flag() == "--score-weight-model");
}

TEST_CASE("the shipped policy files load and document every key") {
  const std::filesystem::path config = repo_root() / "config";
  const Policy shipped = load_policy(config / "recommender_policy.yaml");
  const Policy seed = load_policy(config / "seed_policy.yaml");
  // An omitted key takes the seed's value (the struct's defaults, which the files document).
  CHECK(seed.to_json() == Policy{}.to_json());
  CHECK(shipped.to_json() != seed.to_json());
  // The seed's behaviour, key by key.
  CHECK(seed.score_weight_model == 1.0);
  CHECK(seed.genre_distance_penalty == 0.3);
  CHECK(seed.popularity_penalty == 0.2);
  CHECK(seed.diversity_boost == 0.05);
  CHECK(seed.diversity_max_affinity == 0.3);
  CHECK(seed.min_genre_affinity == 0.1);
  CHECK(seed.max_genre_distance == 0.9);
  CHECK(seed.exploration == Exploration::kRandomDampening);
  CHECK(seed.exploration_rate == 0.1);
  CHECK(seed.exploration_damping == 0.5);
  CHECK(seed.user_update == UserUpdate::kMovingAverage);
  CHECK(seed.learning_rate == 0.3);
  CHECK(seed.negative_weight == 0.5);
  CHECK(seed.online_learning);
  // Every key is spelled out in both files, and explained in the shipped one.
  const std::string shipped_text = text_of(config / "recommender_policy.yaml");
  const std::string seed_text = text_of(config / "seed_policy.yaml");
  Policy bound;
  for (const ConfigField& field : bound.fields()) {
    INFO(field.name);
    const std::size_t at = shipped_text.find("\n" + field.name + ":");
    REQUIRE(at != std::string::npos);
    const std::size_t line_end = shipped_text.find('\n', at + 1);
    CHECK(shipped_text.substr(at, line_end - at).find("# ") != std::string::npos);
    CHECK(seed_text.find("\n" + field.name + ":") != std::string::npos);
  }
  CHECK_THROWS_AS(load_policy(config / "no_such_policy.yaml"), InputError);
}
