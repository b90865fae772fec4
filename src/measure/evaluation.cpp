#include "movierec/measure/evaluation.hpp"

#include <algorithm>
#include <limits>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include "movierec/data/processed.hpp"
#include "movierec/data/processed_files.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/parallel.hpp"
#include "movierec/measure/item_models.hpp"
#include "movierec/measure/metrics.hpp"
#include "movierec/session/known_users.hpp"
#include "movierec/train/scoring.hpp"
#include "movierec/train/training.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

constexpr const char* kLearningOff = " (learning off)";

// One held-out file scored: the model's prediction and each measure's actual value, per row
// whose user and movie have embeddings; `as_final` is the prediction in final_rating units
// (as_final_rating), empty for a target without them.
struct Scored {
  std::vector<double> predicted, as_final, final_rating, target, stars;
  std::size_t skipped = 0;
};

Scored score_file(const Artifacts& artifacts, const std::vector<TransformedRating>& rows,
                  Target target) {
  Scored scored;
  for (const TransformedRating& row : rows) {
    const auto user = artifacts.user_map.row(row.rating.user);
    const auto movie = artifacts.movie_map.row(row.rating.movie);
    if (!user || !movie) {
      ++scored.skipped;
      continue;
    }
    const double predicted = predict(artifacts, *user, *movie);
    scored.predicted.push_back(predicted);
    if (const auto converted = as_final_rating(predicted, row, target)) {
      scored.as_final.push_back(*converted);
    }
    scored.final_rating.push_back(row.final_rating);
    scored.target.push_back(target_value(row, target));
    scored.stars.push_back(row.rating.rating);
  }
  return scored;
}

FitScore fit(const Scored& scored, const std::vector<double>& predicted,
             const std::vector<double>& actual, bool applies) {
  FitScore score{scored.predicted.size(), scored.skipped, std::nullopt, std::nullopt};
  if (applies && !actual.empty() && predicted.size() == actual.size()) {
    score.rmse = rmse(predicted, actual);
    score.mae = mae(predicted, actual);
  }
  return score;
}

// Per user with held-out likes: the embedded movies liked, sorted and distinct.
std::unordered_map<std::int32_t, std::vector<std::size_t>> held_out_likes(
    const IdMap& movies, const std::vector<Rating>& held_out) {
  std::unordered_map<std::int32_t, std::vector<std::size_t>> likes;
  for (const Rating& rating : held_out) {
    if (rating.rating < kLikeStars) continue;
    std::vector<std::size_t>& rows = likes[rating.user];
    if (const auto row = movies.row(rating.movie)) rows.push_back(*row);
  }
  for (auto& [user, rows] : likes) {
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  }
  return likes;
}

// The users with held-out likes that can be ranked, or a sample of them; counts the others.
std::vector<std::int32_t> users_to_rank(
    const Artifacts& artifacts,
    const std::unordered_map<std::int32_t, std::vector<std::size_t>>& likes,
    const EvaluationOptions& options, RankingScore& result) {
  std::vector<std::int32_t> eligible;
  for (const auto& [user, rows] : likes) {
    if (!artifacts.user_map.row(user)) {
      ++result.not_embedded;
    } else if (rows.empty()) {
      ++result.no_embedded_likes;
    } else {
      eligible.push_back(user);
    }
  }
  result.eligible = eligible.size();
  std::vector<std::int32_t> users = sample_ids(eligible, options.users, options.seed);
  if (users.empty()) throw Error("no user has held-out likes of embedded movies to rank");
  result.users = users.size();
  return users;
}

// Per user of `users`, the embedded movies the user rated in train.
std::vector<std::vector<std::size_t>> train_rows(const Artifacts& artifacts,
                                                 const std::vector<Rating>& train,
                                                 const std::vector<std::int32_t>& users) {
  std::unordered_map<std::int32_t, std::size_t> position;
  for (std::size_t i = 0; i < users.size(); ++i) position.emplace(users[i], i);
  std::vector<std::vector<std::size_t>> rated(users.size());
  for (const Rating& rating : train) {
    const auto at = position.find(rating.user);
    const auto row = artifacts.movie_map.row(rating.movie);
    if (at != position.end() && row) rated[at->second].push_back(*row);
  }
  return rated;
}

nlohmann::json model_config(const EvaluatedModel& evaluated) {
  const nlohmann::json& manifest = evaluated.model.artifacts().manifest;
  const auto recorded = [&](const char* key) {
    return manifest.is_object() ? manifest.value(key, nlohmann::json()) : nlohmann::json();
  };
  return {{"artifacts", evaluated.artifacts_dir.string()},
          {"policy_file", evaluated.policy_file.string()},
          {"target", std::string(choice_name(evaluated.model.pipeline().target))},
          {"k", recorded("k")},
          {"predicts_stars", predicts_stars(manifest)},
          {"pipeline", recorded("config")},
          {"policy", evaluated.policy.to_json()}};
}

void check_models(const std::vector<EvaluatedModel>& models, const fs::path& processed_dir) {
  if (models.empty()) throw Error("nothing to evaluate: no model given");
  const auto& ids = models.front().model.artifacts().movie_map.ids();
  for (const EvaluatedModel& other : models) {
    if (other.model.artifacts().movie_map.ids() != ids) {
      throw Error("'" + other.name + "' (" + other.artifacts_dir.string() +
                  ") embeds other movies than '" + models.front().name + "' (" +
                  models.front().artifacts_dir.string() + "); train both on " +
                  processed_dir.string());
    }
  }
}

bool wanted(const EvaluationOptions& options, const char* name) {
  const auto& names = options.baselines.names;
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<SimulatedSystem> systems_of(const std::vector<EvaluatedModel>& models,
                                        const EvaluationOptions& options,
                                        std::vector<SystemConfig>& configs) {
  std::vector<SimulatedSystem> systems;
  for (const EvaluatedModel& evaluated : models) {
    for (const bool learning : {true, false}) {
      systems.push_back(session_system(evaluated.name + (learning ? "" : kLearningOff),
                                       evaluated.model, evaluated.policy, learning));
      configs.push_back({evaluated.name, SystemKind::kSession, learning, {}});
    }
  }
  const EvaluatedModel& catalog = models.front();
  if (wanted(options, "popular")) {
    systems.push_back(most_popular_system("most popular", catalog.model));
    configs.push_back({catalog.name, SystemKind::kMostPopular, false, {}});
  }
  if (wanted(options, "random")) {
    systems.push_back(random_system("random", catalog.model));
    configs.push_back({catalog.name, SystemKind::kRandom, false, {}});
  }
  return systems;
}

void check_names(const std::vector<SimulatedSystem>& systems) {
  std::set<std::string> names;
  for (const SimulatedSystem& system : systems) {
    if (!names.insert(system.name).second) {
      throw Error("two systems are named '" + system.name + "': give --compare another NAME");
    }
  }
}

// The held-out ratings that answer the report's sessions.
std::vector<Rating> answer_ratings(const EvaluationData& data, Answers answers) {
  if (answers == Answers::kValTest) return data.held_out;
  std::vector<Rating> ratings;
  for (const TransformedRating& row : answers == Answers::kVal ? data.val : data.test) {
    ratings.push_back(row.rating);
  }
  return ratings;
}

std::vector<SimulatedUser> sampled(std::vector<SimulatedUser> users,
                                   const std::vector<std::int32_t>& ids) {
  std::erase_if(users, [&](const SimulatedUser& user) {
    return !std::binary_search(ids.begin(), ids.end(), user.id);
  });
  return users;
}

// The model baselines, trained on train and tuned on val answers of the same users, appended to
// `systems`.
void add_model_baselines(const EvaluationData& data, const EvaluatedModel& catalog,
                         const std::vector<std::int32_t>& ids, const EvaluationOptions& options,
                         EvaluationReport& report, std::vector<SimulatedSystem>& systems,
                         const ProgressSink& progress) {
  BaselineOptions wanted_models = options.baselines;
  std::erase_if(wanted_models.names,
                [](const std::string& name) { return name == "popular" || name == "random"; });
  if (wanted_models.names.empty()) return;
  const IdMap& movies = catalog.model.artifacts().movie_map;
  std::vector<Rating> val;
  for (const TransformedRating& row : data.val) val.push_back(row.rating);
  const std::vector<SimulatedUser> val_users =
      sampled(simulated_users(movies, data.train, val), ids);
  const InteractionMatrix matrix = interaction_matrix(movies, data.train);
  std::vector<TunedBaseline> tuned =
      tune_baselines(wanted_models, catalog.model, matrix, val_users,
                     {options.steps, options.seed, options.threads}, report.skipped_baselines,
                     [&](const std::string& name) {
                       if (progress) progress("tuning " + name + " on val answers", 0, 0);
                     });
  for (TunedBaseline& baseline : tuned) {
    systems.push_back(baseline_system(baseline.name, catalog.model, baseline.scorer,
                                      options.baselines.dislike_weight));
    baseline.scorer.reset();
    report.system_configs.push_back(
        {catalog.name, SystemKind::kBaseline, false, std::move(baseline)});
  }
}

}  // namespace

EvaluationData read_evaluation_data(const ProcessedFolder& processed) {
  EvaluationData data;
  data.dir = processed.dir();
  data.manifest = processed.manifest();
  using namespace processed_files;
  data.train = processed.read_ratings(kTrain);
  data.val = processed.read_transformed(kValTransformed);
  data.test = processed.read_transformed(kTestTransformed);
  if (!processed.checksum(kRareTrainTransformed).empty()) {
    data.rare_train = processed.read_ratings(kRareTrainTransformed);  // its rating columns
  }
  data.held_out.reserve(data.val.size() + data.test.size());
  for (const auto* file : {&data.val, &data.test}) {
    for (const TransformedRating& row : *file) data.held_out.push_back(row.rating);
  }
  return data;
}

// The model with its outside movies, when it has any.
std::optional<Model> release_model(const fs::path& artifacts_dir,
                                   const ProcessedFolder& processed) {
  Model model = Model::load(ArtifactsFolder(artifacts_dir, processed.dir()), processed,
                            OutsideMovies::kInclude);
  if (model.movie_count() == model.trained_movie_count()) return std::nullopt;
  return model;
}

EvaluatedModel load_evaluated_model(std::string name, const fs::path& artifacts_dir,
                                    const ProcessedFolder& processed, const fs::path& policy_file) {
  Policy policy = load_policy(policy_file);
  return {std::move(name),
          artifacts_dir,
          policy_file,
          Model::load(ArtifactsFolder(artifacts_dir, processed.dir()), processed,
                      OutsideMovies::kLeaveOut),
          std::move(policy),
          std::nullopt};
}

CompareSpec parse_compare(const std::string& text, const fs::path& default_policy) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos) {
    throw Error("'" + text + "' is not NAME=ARTIFACTS_DIR[,POLICY_FILE]");
  }
  CompareSpec spec{text.substr(0, equals), {}, default_policy};
  const std::string rest = text.substr(equals + 1);
  const std::size_t comma = rest.find(',');
  spec.artifacts_dir = rest.substr(0, comma);
  if (spec.name.empty() || spec.name.find(',') != std::string::npos) {
    throw Error("'" + text + "': NAME must be non-empty and without commas");
  }
  if (spec.artifacts_dir.empty()) throw Error("'" + text + "': ARTIFACTS_DIR is empty");
  if (comma != std::string::npos) {
    spec.policy_file = rest.substr(comma + 1);
    if (spec.policy_file.empty()) throw Error("'" + text + "': POLICY_FILE after ',' is empty");
  }
  return spec;
}

std::string compare_problem(const std::string& text) {
  try {
    parse_compare(text, "");
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

std::vector<EvaluatedModel> load_evaluated_models(const ProcessedFolder& processed,
                                                  const fs::path& artifacts_dir,
                                                  const fs::path& policy_file, Policy policy,
                                                  const std::vector<std::string>& compare) {
  policy.validate(policy_file.string());
  std::vector<EvaluatedModel> models;
  models.push_back({"configured", artifacts_dir, policy_file,
                    Model::load(ArtifactsFolder(artifacts_dir, processed.dir()), processed,
                                OutsideMovies::kLeaveOut),
                    std::move(policy), release_model(artifacts_dir, processed)});
  for (const std::string& text : compare) {
    const CompareSpec spec = parse_compare(text, policy_file);
    models.push_back(
        load_evaluated_model(spec.name, spec.artifacts_dir, processed, spec.policy_file));
  }
  return models;
}

RatingFit rating_fit(const Model& model, const EvaluationData& data) {
  const Artifacts& artifacts = model.artifacts();
  RatingFit result;
  const Target target = model.pipeline().target;
  result.target = std::string(choice_name(target));
  result.stars = predicts_stars(artifacts.manifest);
  const Scored val = score_file(artifacts, data.val, target);
  const Scored test = score_file(artifacts, data.test, target);
  const bool converts = target != Target::kLike;
  result.seed_val = fit(val, val.as_final, val.final_rating, converts);
  result.seed_test = fit(test, test.as_final, test.final_rating, converts);
  result.target_val = fit(val, val.predicted, val.target, true);
  result.target_test = fit(test, test.predicted, test.target, true);
  result.stars_val = fit(val, val.predicted, val.stars, result.stars);
  result.stars_test = fit(test, test.predicted, test.stars, result.stars);
  return result;
}

RankingScore rank_held_out(const Model& model, const EvaluationData& data,
                           const EvaluationOptions& options, const ProgressSink& progress) {
  const Artifacts& artifacts = model.artifacts();
  RankingScore result;
  result.k = options.top_k;
  const auto likes = held_out_likes(artifacts.movie_map, data.held_out);
  const std::vector<std::int32_t> users = users_to_rank(artifacts, likes, options, result);
  const std::vector<std::vector<std::size_t>> rated = train_rows(artifacts, data.train, users);

  std::vector<std::vector<std::size_t>> lists(users.size());
  std::vector<double> recall(users.size()), ndcg(users.size());
  std::mutex progress_mutex;
  std::size_t done = 0;
  parallel_for(
      users.size(),
      [&](std::size_t i) {
        // The ranking recommend --user and serve's /api/users/{id}/recommendations give (the
        // model here is the trained catalog alone, so every row is recommendable).
        for (const RankedMovie& movie :
             rank_known_user(model, *artifacts.user_map.row(users[i]), rated[i], options.top_k,
                             Policy().min_evidence)) {
          lists[i].push_back(movie.row);
        }
        const std::vector<std::size_t>& relevant = likes.at(users[i]);
        recall[i] = recall_at_k(lists[i], relevant, options.top_k);
        ndcg[i] = ndcg_at_k(lists[i], relevant, options.top_k);
        const std::lock_guard<std::mutex> lock(progress_mutex);
        ++done;
        if (progress) progress("ranking held-out likes", done, users.size());
      },
      options.threads);
  // Summed in user order, so the means do not depend on the threads.
  for (std::size_t i = 0; i < users.size(); ++i) {
    result.recall += recall[i];
    result.ndcg += ndcg[i];
  }
  result.recall /= static_cast<double>(users.size());
  result.ndcg /= static_cast<double>(users.size());
  result.coverage = coverage(lists, model.movie_count());
  return result;
}

const char* answers_name(Answers answers) {
  switch (answers) {
    case Answers::kValTest:
      return "val+test";
    case Answers::kVal:
      return "val";
    case Answers::kTest:
      return "test";
  }
  return "";
}

Answers parse_answers(const std::string& name) {
  for (const Answers answers : {Answers::kValTest, Answers::kVal, Answers::kTest}) {
    if (name == answers_name(answers)) return answers;
  }
  throw ConfigError("evaluate", 0, "answers",
                    "unknown answers '" + name + "' (val+test, val or test)");
}

// release_favourites: the users, the sessions and their intervals (see evaluation.hpp).
std::optional<ReleaseFavourites> release_favourites(const EvaluatedModel& configured,
                                                    const EvaluationData& data,
                                                    const EvaluationOptions& options) {
  if (!configured.release || data.rare_train.empty()) return std::nullopt;
  const Model& release = *configured.release;
  const IdMap& movies = release.artifacts().movie_map;
  const std::vector<Rating> held_out = answer_ratings(data, options.answers);
  std::vector<Rating> every_train = data.train;
  every_train.insert(every_train.end(), data.rare_train.begin(), data.rare_train.end());
  std::vector<SimulatedUser> anywhere = simulated_users(movies, every_train, held_out);
  std::erase_if(anywhere, [&](const SimulatedUser& user) {
    return std::none_of(user.favourites.begin(), user.favourites.end(),
                        [&](std::size_t row) { return row >= release.trained_movie_count(); });
  });
  std::vector<SimulatedUser> catalog = simulated_users(movies, data.train, held_out);
  std::vector<std::int32_t> ids;  // in both lists, ascending (both are by increasing id)
  for (std::size_t a = 0, c = 0; a < anywhere.size() && c < catalog.size();) {
    if (anywhere[a].id < catalog[c].id) {
      ++a;
    } else if (catalog[c].id < anywhere[a].id) {
      ++c;
    } else {
      ids.push_back(anywhere[a].id);
      ++a;
      ++c;
    }
  }
  ReleaseFavourites result;
  result.eligible = ids.size();
  ids = sample_ids(std::move(ids), options.users, options.seed);
  if (ids.empty()) return std::nullopt;
  anywhere = sampled(std::move(anywhere), ids);
  catalog = sampled(std::move(catalog), ids);
  for (const SimulatedUser& user : anywhere) {
    for (const std::size_t row : user.favourites) {
      result.outside_favourites += row >= release.trained_movie_count();
    }
  }
  const SimulationOptions simulation{options.steps, options.seed, options.threads};
  std::vector<SystemResult> from_anywhere =
      simulate({session_system("configured", release, configured.policy, true),
                most_popular_system("most popular", release)},
               anywhere, simulation);
  std::vector<SystemResult> from_catalog =
      simulate({session_system("configured, catalog favourites", release, configured.policy, true)},
               catalog, simulation);
  result.systems = {from_anywhere[0], from_catalog[0], from_anywhere[1]};
  std::vector<std::vector<double>> likes;
  for (const SystemResult& system : result.systems) {
    likes.emplace_back(system.user_likes.begin(), system.user_likes.end());
  }
  result.intervals = paired_bootstrap(likes, 0, {options.resamples, 0.95, options.seed});
  return result;
}

EvaluationReport evaluate(const EvaluationData& data, const std::vector<EvaluatedModel>& models,
                          const EvaluationOptions& options, const ProgressSink& progress) {
  check_models(models, data.dir);
  options.baselines.validate();
  if (options.resamples == 0) throw ConfigError("evaluate", 0, "resamples", "must be at least 1");
  EvaluationReport report;
  report.options = options;
  report.data = {
      {"dir", data.dir.string()},
      {"rows",
       {{"train", data.train.size()}, {"val", data.val.size()}, {"test", data.test.size()}}},
      {"embedded_movies", models.front().model.movie_count()}};
  std::vector<SimulatedSystem> systems = systems_of(models, options, report.system_configs);
  check_names(systems);
  for (const EvaluatedModel& evaluated : models) {
    report.models.push_back({evaluated.name, model_config(evaluated),
                             rating_fit(evaluated.model, data),
                             rank_held_out(evaluated.model, data, options, progress)});
  }

  const IdMap& movies = models.front().model.artifacts().movie_map;
  std::vector<SimulatedUser> users =
      simulated_users(movies, data.train, answer_ratings(data, options.answers));
  report.eligible_users = users.size();
  std::vector<std::int32_t> ids;
  for (const SimulatedUser& user : users) ids.push_back(user.id);
  report.simulated_users = sample_ids(ids, options.users, options.seed);
  users = sampled(std::move(users), report.simulated_users);
  if (users.empty()) {
    throw Error("no user has " + std::to_string(Session::kFavourites) +
                " embedded train movies to start a simulated session");
  }
  add_model_baselines(data, models.front(), report.simulated_users, options, report, systems,
                      progress);
  check_names(systems);
  report.systems = simulate(systems, users, {options.steps, options.seed, options.threads},
                            [&](std::size_t done) {
                              if (progress)
                                progress("simulated sessions (users)", done, users.size());
                            });
  std::vector<std::vector<double>> likes;
  for (const SystemResult& result : report.systems) {
    likes.emplace_back(result.user_likes.begin(), result.user_likes.end());
  }
  report.bootstrap = {options.resamples, 0.95, options.seed};
  report.intervals = paired_bootstrap(likes, 0, report.bootstrap);
  report.release_favourites = release_favourites(models.front(), data, options);
  return report;
}

}  // namespace movierec
