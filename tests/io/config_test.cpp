#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "movierec/data/pipeline_config.hpp"
#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

PipelineConfig load(const std::string& yaml) {
  PipelineConfig config;
  std::istringstream in(yaml);
  apply_yaml(in, "pipeline.yaml", config.fields());
  config.validate("pipeline.yaml");
  return config;
}

std::string config_error(const std::string& yaml) {
  try {
    load(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("pipeline config defaults are the seed's") {
  const PipelineConfig config = load("");
  CHECK(config.min_user_ratings == 20);
  CHECK(config.min_movie_ratings == 50);
  CHECK(config.train_ratio == 0.70);
  CHECK(config.val_ratio == 0.15);
  CHECK(config.popularity_exponent == 0.5);
  CHECK(config.half_life_days == 365.0);
  CHECK(config.k == 50);
  CHECK(config.target == Target::kFinalRating);
}

TEST_CASE("pipeline config reads nested sections") {
  const PipelineConfig config = load(
      "filter:\n  min_user_ratings: 5\nsplit:\n  train_ratio: 0.8\ntrain:\n  k: 8\n  target: "
      "rating\n");
  CHECK(config.min_user_ratings == 5);
  CHECK(config.train_ratio == 0.8);
  CHECK(config.k == 8);
  CHECK(config.target == Target::kRating);
}

TEST_CASE("pipeline config errors name line, key and allowed values") {
  CHECK(config_error("filter:\n  min_user_ratings: abc\n") ==
        "pipeline.yaml:2: key 'filter.min_user_ratings': must be a whole number from 1 to "
        "1000000000, got 'abc'");
  CHECK(config_error("train:\n  k: 0\n") ==
        "pipeline.yaml:2: key 'train.k': must be a whole number from 1 to 2000, got '0'");
  CHECK(config_error("filter:\n  min_user_rating: 3\n") ==
        "pipeline.yaml:2: key 'filter.min_user_rating': unknown key; did you mean "
        "'filter.min_user_ratings'?");
  CHECK(config_error("train:\n  target: stars\n") ==
        "pipeline.yaml:2: key 'train.target': must be one of final_rating, rating_norm, rating, "
        "like, got 'stars'");
  CHECK(config_error("split:\n  train_ratio: 0.9\n  val_ratio: 0.2\n").find("at most 1") !=
        std::string::npos);
  CHECK(config_error("train:\n  k: [1, 2]\n") ==
        "pipeline.yaml:2: key 'train.k': must be a single value, not a list");
  CHECK(config_error("train:\n  k:\n") == "pipeline.yaml:2: key 'train.k': has no value");
  CHECK(config_error("train:\n  k: 3\n  k: 4\n").find("appears twice") != std::string::npos);
  CHECK(config_error("- 1\n- 2\n") == "pipeline.yaml:1: expected a mapping of keys to values");
  CHECK(config_error("train: {k: 3\n").find("pipeline.yaml:") == 0);
}

TEST_CASE("YAML syntax errors say what is wrong in words, with file, line and column") {
  CHECK_THAT(config_error("train: {k: 3\n"),
             Catch::StartsWith("pipeline.yaml:2: a mapping opened with '{' is not closed with '}'"));
  CHECK_THAT(config_error("train:\n  k: [3\n"),
             Catch::StartsWith("pipeline.yaml:3: a list opened with '[' is not closed with ']'"));
  CHECK_THAT(config_error("train:\n\tk: 3\n"),
             Catch::StartsWith("pipeline.yaml:2: this line holds a tab; YAML indents with spaces"));
  const std::string indented = config_error("train:\n  k: 20\n   model: als\n");
  CHECK_THAT(indented, Catch::StartsWith("pipeline.yaml:3: a key or list item is indented unlike "
                                         "the keys beside it") &&
                           Catch::Contains("(column ") &&
                           Catch::Contains("the YAML parser says \"illegal map value\""));
}

TEST_CASE("whole numbers in config messages are written in full") {
  CHECK(config_number_text(2147483647) == "2147483647");
  CHECK(config_number_text(1e9) == "1000000000");
  CHECK(config_number_text(0.7) == "0.7");
  CHECK(config_number_text(1e-10) == "1e-10");
  CHECK(config_number_text(-3) == "-3");
}

TEST_CASE("config values set from flags are checked alike") {
  PipelineConfig config;
  const auto fields = config.fields();
  apply_value(fields, "min_movie_ratings", "7", "command line");
  CHECK(config.min_movie_ratings == 7);
  CHECK_THROWS_WITH(apply_value(fields, "train.k", "-1", "command line"),
                    "command line: key 'train.k': must be a whole number from 1 to 2000, got '-1'");
}

TEST_CASE("config serialises to nested json") {
  PipelineConfig config;
  const auto json = config.to_json();
  CHECK(json["filter"]["min_user_ratings"] == 20);
  CHECK(json["train"]["target"] == "final_rating");
}

TEST_CASE("training levers default to today's SVD and are range-checked") {
  const PipelineConfig config = load("");
  CHECK(config.model == FactorModel::kSvd);
  CHECK(config.movie_scaling == MovieScaling::kV);
  CHECK(config.als_iterations == 12);
  CHECK(config.als_missing_weight == 0.1);
  CHECK(config.als_regularization == 1.0);
  CHECK(config.bias_regularization == 1.0);
  CHECK(config.als_cg_steps == 0);
  const PipelineConfig als = load(
      "train:\n  model: als\n  movie_scaling: normalized\n  als_iterations: 3\n"
      "  als_missing_weight: 1\n  als_regularization: 0.5\n  als_cg_steps: 4\n  seed: 9\n");
  CHECK(als.model == FactorModel::kAls);
  CHECK(als.movie_scaling == MovieScaling::kNormalized);
  CHECK(als.als_iterations == 3);
  CHECK(als.als_missing_weight == 1.0);
  CHECK(als.als_regularization == 0.5);
  CHECK(als.als_cg_steps == 4);
  CHECK(als.seed == 9);
  CHECK(config_error("train:\n  model: sgd\n") ==
        "pipeline.yaml:2: key 'train.model': must be one of svd, als, biased_als, got 'sgd'");
  CHECK(config_error("train:\n  movie_scaling: sigma\n").find("v, v_sigma, normalized") !=
        std::string::npos);
  CHECK(config_error("train:\n  als_missing_weight: 1.5\n").find("from 0 to 1") !=
        std::string::npos);
  CHECK(config_error("train:\n  als_iterations: 0\n").find("from 1 to") != std::string::npos);
  CHECK(config_error("train:\n  bias_regularization: -1\n").find("from 0 to") != std::string::npos);
  CHECK(config_error("train:\n  als_cg_steps: -1\n").find("from 0 to") != std::string::npos);
}

TEST_CASE("training levers' cross-key rules name the key to change") {
  CHECK(config_error("train:\n  model: biased_als\n") ==
        "pipeline.yaml: key 'train.target': is final_rating, but train.model biased_als fits "
        "stars (mean + biases + user . movie): set train.target to rating, or choose another "
        "train.model");
  CHECK(config_error("train:\n  model: biased_als\n  target: rating\n").empty());
  CHECK(config_error("train:\n  model: als\n  movie_scaling: v_sigma\n")
            .find("key 'train.movie_scaling': v_sigma scales by singular values") !=
        std::string::npos);
  CHECK(config_error("train:\n  movie_scaling: v_sigma\n").empty());
  CHECK(config_error("train:\n  model: als\n  als_regularization: 0\n")
            .find("key 'train.als_regularization': must be above 0 for train.model als") !=
        std::string::npos);
  // Keys of a model not chosen are not held against the one that is.
  CHECK(config_error("train:\n  als_regularization: 0\n").empty());
}

TEST_CASE("config reads back from the json it writes") {
  PipelineConfig written;
  written.min_movie_ratings = 7;
  written.train_ratio = 0.6;
  written.half_life_days = 1.0 / 3.0;
  written.target = Target::kLike;
  PipelineConfig read;
  apply_json(written.to_json(), "manifest.json", read.fields());
  CHECK(read.to_json() == written.to_json());
  CHECK(read.target == Target::kLike);
  CHECK(read.half_life_days == written.half_life_days);  // the shortest text reads back exactly
}

TEST_CASE("config from json refuses what it does not understand") {
  PipelineConfig config;
  const auto fields = config.fields();
  CHECK_THROWS_WITH(apply_json({{"filter", {{"min_movie_rating", 3}}}}, "m.json", fields),
                    Catch::Contains("unknown key; did you mean 'filter.min_movie_ratings'?"));
  CHECK_THROWS_WITH(apply_json({{"train", {{"k", -1}}}}, "m.json", fields),
                    Catch::Contains("key 'train.k': must be a whole number"));
  CHECK_THROWS_WITH(apply_json({{"train", {{"k", {1, 2}}}}}, "m.json", fields),
                    Catch::Contains("key 'train.k': must be a single value"));
  CHECK_THROWS_AS(apply_json(nlohmann::json::array(), "m.json", fields), ConfigError);
  CHECK(config.k == 50);
}

TEST_CASE("a choice key reads, writes and names its enum through one name table") {
  PipelineConfig config;
  const std::vector<ConfigField> fields = config.fields();
  const auto field = [&](const std::string& name) {
    return *std::find_if(fields.begin(), fields.end(),
                         [&](const ConfigField& f) { return f.name == name; });
  };
  CHECK(field("train.model").text() == "svd");
  apply_value(fields, "model", "biased_als", "command line");
  CHECK(config.model == FactorModel::kBiasedAls);
  CHECK(field("train.model").text() == "biased_als");
  CHECK(config.to_json()["train"]["model"] == "biased_als");
  apply_json({{"train", {{"movie_scaling", "normalized"}}}}, "manifest", config.fields());
  CHECK(config.movie_scaling == MovieScaling::kNormalized);
  CHECK_THROWS_WITH(apply_json({{"train", {{"target", 3}}}}, "manifest", config.fields()),
                    "manifest: key 'train.target': must be one of final_rating, rating_norm, "
                    "rating, like, got '3'");
  for (const Target target :
       {Target::kFinalRating, Target::kRatingNorm, Target::kRating, Target::kLike}) {
    CHECK(parse_choice<Target>(choice_name(target)) == target);
  }
  CHECK(choice_name(static_cast<Target>(9)).empty());
  CHECK_FALSE(parse_choice<MovieScaling>("V"));
}
