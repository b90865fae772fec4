// The evaluate step (issue 4): one or more trained configurations measured on the time split
// that preprocess made: how well each model fits held-out ratings, how well it ranks each
// user's held-out likes, and how many liked movies simulated sessions find (simulate.hpp), next
// to the most-popular and random baselines. Reporting (table, JSON, SVG) is in
// evaluation_report.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "movierec/data/movielens.hpp"
#include "movierec/data/pipeline.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/io/progress.hpp"
#include "movierec/measure/baseline_tuning.hpp"
#include "movierec/measure/bootstrap.hpp"
#include "movierec/measure/simulate.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"

namespace movierec {

// Which held-out ratings answer the report's simulated sessions.
enum class Answers {
  kValTest,  // val and test (the README's protocol; val also tunes the baselines)
  kVal,      // val only: the very sessions the baselines are tuned on
  kTest,     // test only: nothing was chosen on these
};

// "val+test", "val", "test"; parse_answers throws ConfigError (key answers) for another name.
const char* answers_name(Answers answers);
Answers parse_answers(const std::string& name);

struct EvaluationOptions {
  std::size_t steps = 20;  // recommendations per simulated user
  std::size_t users = 0;   // a seeded sample of this many users for ranking and sessions; 0: all
  std::uint64_t seed = 1;  // sample, sessions (user_seed(seed, userId)) and the bootstrap
  std::size_t top_k = 10;  // ranking cutoff: Recall@k, NDCG@k and coverage of the top k
  unsigned threads = 2;    // users run in parallel; results do not depend on it
  Answers answers = Answers::kValTest;  // what answers the report's sessions
  BaselineOptions baselines;            // which baselines run, and their grids
  std::size_t resamples = 1000;         // paired bootstrap resamples (at least 1)
};

// What evaluate reads of processed/, each file checked against processed/manifest.json.
struct EvaluationData {
  std::filesystem::path dir;
  nlohmann::json manifest;
  std::vector<Rating> train;                 // train.csv
  std::vector<TransformedRating> val, test;  // val_transformed.csv, test_transformed.csv
  std::vector<Rating> held_out;              // the ratings of val and test
  // rare_train_transformed.csv: train-period ratings of the movies outside the trained catalog
  // (empty when processed/ predates it).
  std::vector<Rating> rare_train;
};

// train.csv, val_transformed.csv and test_transformed.csv of `processed`. Throws ModelError (fix:
// processed.fix()) when a file is missing, changed or malformed.
EvaluationData read_evaluation_data(const ProcessedFolder& processed);

// One configuration under test: a model trained on the evaluated processed/ and a policy.
struct EvaluatedModel {
  std::string name;  // "configured", or the NAME of --compare NAME=DIR[,POLICY]
  std::filesystem::path artifacts_dir;
  std::filesystem::path policy_file;
  Model model;  // the trained catalog only (OutsideMovies::kLeaveOut): what the tables measure
  Policy policy;
  // The configured model with the movies outside its catalog too, when its artifacts have them
  // (release_favourites measures sessions on it).
  std::optional<Model> release;
};

// The model (load_model) and policy (load_policy) of one configuration. Throws what they throw.
EvaluatedModel load_evaluated_model(std::string name, const std::filesystem::path& artifacts_dir,
                                    const ProcessedFolder& processed,
                                    const std::filesystem::path& policy_file);

// The configured system ("configured": artifacts_dir with `policy`, read from policy_file and
// perhaps changed by flags) and one per --compare text (parse_compare), each loaded with
// load_evaluated_model. Throws what they throw.
std::vector<EvaluatedModel> load_evaluated_models(const ProcessedFolder& processed,
                                                  const std::filesystem::path& artifacts_dir,
                                                  const std::filesystem::path& policy_file,
                                                  Policy policy,
                                                  const std::vector<std::string>& compare);

// --compare NAME=ARTIFACTS_DIR[,POLICY_FILE]; without a policy file, `default_policy`.
struct CompareSpec {
  std::string name;
  std::filesystem::path artifacts_dir;
  std::filesystem::path policy_file;
};
// Throws Error saying what is wrong: no '=', an empty name or folder, a name with a comma.
CompareSpec parse_compare(const std::string& text, const std::filesystem::path& default_policy);
// "" when parse_compare accepts `text`, else its message (a command-line validator).
std::string compare_problem(const std::string& text);

// Errors of one model's predictions over one held-out file.
struct FitScore {
  std::size_t rows = 0;             // rows scored
  std::size_t skipped = 0;          // rows whose user or movie has no embedding (not in train)
  std::optional<double> rmse, mae;  // none when no row is scored or the measure does not apply
};

struct RatingFit {
  std::string target;  // what the model factorises (the manifest's target)
  // predict() converted to final_rating units with each row's own transform (as_final_rating
  // in training.hpp) against final_rating, the seed's measure (5.5); no values for target like
  FitScore seed_val, seed_test;
  FitScore target_val, target_test;  // predict() against the model's own target values
  bool stars = false;                // predicts_stars(manifest)
  FitScore stars_val, stars_test;    // predict() against stars, when `stars`; else no values
};

RatingFit rating_fit(const Model& model, const EvaluationData& data);

struct RankingScore {
  std::size_t k = 0;
  std::size_t users = 0;              // users ranked (after the sample)
  std::size_t eligible = 0;           // users with a user embedding and an embedded held-out like
  std::size_t not_embedded = 0;       // users with held-out likes but no user embedding
  std::size_t no_embedded_likes = 0;  // users whose held-out likes all lack an embedding
  double recall = 0;                  // mean Recall@k over the users ranked
  double ndcg = 0;                    // mean NDCG@k
  double coverage = 0;                // share of the embedded movies in anyone's top k
};

// For each user with held-out likes (stars >= kLikeStars in val or test, among embedded
// movies) and a user embedding, or a seeded sample of options.users of them: every embedded
// movie the user did not rate in train, ranked by score_movies of the user's embedding (ties to
// the lower row); Recall@k and NDCG@k against those likes, and the coverage of all top-k lists.
// Reports the users ranked to `progress` (from worker threads, one call at a time). Throws Error
// when no user can be ranked.
RankingScore rank_held_out(const Model& model, const EvaluationData& data,
                           const EvaluationOptions& options, const ProgressSink& progress = {});

struct ModelReport {
  std::string name;
  // artifacts, policy_file, target, k, predicts_stars, pipeline (the manifest's config), policy
  nlohmann::json config;
  RatingFit fit;
  RankingScore ranking;
};

// How a simulated system was configured, for the report.
struct SystemConfig {
  std::string model;  // the EvaluatedModel it runs on (its catalog, for baselines)
  SystemKind kind = SystemKind::kSession;
  bool online_learning = false;  // kSession only
  TunedBaseline tuned;           // kBaseline: the search and its choice (scorer released)
};

// Sessions whose favourites may be any movie of the release (issue 12): the simulated users
// whose four best-rated train movies, outside the trained catalog included, include at least one
// outside it, and who also have four catalog movies in train.
struct ReleaseFavourites {
  std::size_t eligible = 0;            // such users before the sample
  std::size_t outside_favourites = 0;  // of the simulated users' favourites, those outside
  // "configured" started from those favourites; "configured, catalog favourites": the same
  // users started from their four best-rated catalog movies; "most popular" from the first.
  std::vector<SystemResult> systems;
  std::vector<PairedInterval> intervals;  // each system against the first, paired over users
};

struct EvaluationReport {
  EvaluationOptions options;
  nlohmann::json data;  // processed/: dir, rows of train, val and test, embedded movies
  std::vector<ModelReport> models;
  std::size_t eligible_users = 0;  // users who can be simulated
  std::vector<std::int32_t> simulated_users;
  std::vector<SystemResult> systems;
  std::vector<SystemConfig> system_configs;  // per system
  // Per system, its likes over the steps against the first system's (the configured session),
  // paired over the simulated users.
  std::vector<PairedInterval> intervals;
  BootstrapOptions bootstrap;
  std::vector<std::string> skipped_baselines;  // named baselines not run, and why
  // The first model's sessions from favourites anywhere in the release; none when its artifacts
  // have no outside movies or no user qualifies.
  std::optional<ReleaseFavourites> release_favourites;
};

// Every model's rating fit and ranking, then the sessions: each model's policy with online
// learning on and off, and the baselines of options.baselines on the first model's catalog
// (most popular, random, and the models of baseline_tuning.hpp, trained on train and tuned on
// val answers there); then each system's paired bootstrap interval against the first. All
// models must embed the same movies (trained on the same processed/). Reports the users ranked
// and the users simulated to `progress` (from worker threads, one call at a time). Throws Error
// when the models disagree or nobody can be ranked or simulated, ConfigError for bad baseline
// options.
EvaluationReport evaluate(const EvaluationData& data, const std::vector<EvaluatedModel>& models,
                          const EvaluationOptions& options, const ProgressSink& progress = {});

}  // namespace movierec
