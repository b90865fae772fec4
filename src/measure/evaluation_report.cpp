#include "movierec/measure/evaluation_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <vector>

#include "movierec/measure/chart.hpp"
#include "movierec/train/training.hpp"

namespace movierec {
namespace {

// The session measures: likes (and dislikes) among the first 10 and 20 recommendations.
constexpr std::size_t kShortRun = 10;
constexpr std::size_t kLongRun = 20;

// Baselines are drawn in black and grey, so the colours are the models'.
constexpr const char* kPopularColour = "#000000";
constexpr const char* kRandomColour = "#8c8c8c";
constexpr const char* kLearningOffDash = "8 5";
constexpr const char* kPopularDash = "2 4";
constexpr const char* kRandomDash = "12 4 2 4";
constexpr const char* kBaselineDash = "3 2";

const char* kind_name(SystemKind kind) {
  switch (kind) {
    case SystemKind::kSession:
      return "session";
    case SystemKind::kMostPopular:
      return "most_popular";
    case SystemKind::kRandom:
      return "random";
    case SystemKind::kBaseline:
      return "baseline";
  }
  return "unknown";
}

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

// The mean count after `steps` recommendations, or none when the run was shorter.
std::optional<double> at_step(const std::vector<double>& curve, std::size_t steps) {
  if (steps == 0 || steps > curve.size()) return std::nullopt;
  return curve[steps - 1];
}

nlohmann::json fit_json(const FitScore& score) {
  return {{"rows", score.rows},
          {"skipped", score.skipped},
          {"rmse", optional_json(score.rmse)},
          {"mae", optional_json(score.mae)}};
}

nlohmann::json model_json(const ModelReport& model) {
  const RatingFit& fit = model.fit;
  const RankingScore& ranking = model.ranking;
  return {{"name", model.name},
          {"config", model.config},
          {"rating_fit",
           {{"target", fit.target},
            {"predicts_stars", fit.stars},
            {"final_rating", {{"val", fit_json(fit.seed_val)}, {"test", fit_json(fit.seed_test)}}},
            {"own_target", {{"val", fit_json(fit.target_val)}, {"test", fit_json(fit.target_test)}}},
            {"stars", {{"val", fit_json(fit.stars_val)}, {"test", fit_json(fit.stars_test)}}}}},
          {"ranking",
           {{"k", ranking.k},
            {"users", ranking.users},
            {"eligible", ranking.eligible},
            {"not_embedded", ranking.not_embedded},
            {"no_embedded_likes", ranking.no_embedded_likes},
            {"recall", ranking.recall},
            {"ndcg", ranking.ndcg},
            {"coverage", ranking.coverage}}}};
}

// The configuration a system ran with: its model's, the policy as run for a session; only the
// artifacts (catalog and popularity) for a baseline.
nlohmann::json system_config(const EvaluationReport& report, const SystemConfig& system) {
  const auto model = std::find_if(report.models.begin(), report.models.end(),
                                  [&](const ModelReport& m) { return m.name == system.model; });
  if (model == report.models.end()) return nullptr;
  if (system.kind == SystemKind::kBaseline) {
    const TunedBaseline& tuned = system.tuned;
    nlohmann::json chosen = nlohmann::json::object();
    for (std::size_t a = 0; a < tuned.axes.size() && a < tuned.chosen.size(); ++a) {
      chosen[tuned.axes[a]] = tuned.chosen[a];
    }
    nlohmann::json tried = nlohmann::json::array();
    for (const GridPoint& point : tuned.tried) {
      nlohmann::json values = nlohmann::json::object();
      for (std::size_t a = 0; a < tuned.axes.size() && a < point.values.size(); ++a) {
        values[tuned.axes[a]] = point.values[a];
      }
      tried.push_back({{"values", values}, {"val_likes", point.val_likes}});
    }
    return {{"artifacts", model->config.at("artifacts")},
            {"family", tuned.family},
            {"chosen", chosen},
            {"val_likes", tuned.val_likes},
            {"tried", tried}};
  }
  if (system.kind != SystemKind::kSession) return {{"artifacts", model->config.at("artifacts")}};
  nlohmann::json config = model->config;
  config["policy"]["online_learning"] = system.online_learning;
  return config;
}

nlohmann::json interval_json(const std::vector<PairedInterval>& intervals, std::size_t i) {
  if (i >= intervals.size()) return nullptr;
  const PairedInterval& d = intervals[i];
  return {{"difference", d.difference},
          {"low", d.low},
          {"high", d.high},
          {"relative", optional_json(d.relative)},
          {"relative_low", optional_json(d.relative_low)},
          {"relative_high", optional_json(d.relative_high)}};
}

nlohmann::json system_json(const EvaluationReport& report, std::size_t i) {
  const SystemResult& result = report.systems[i];
  const SystemConfig& config = report.system_configs[i];
  const bool session = config.kind == SystemKind::kSession;
  const std::size_t steps = result.likes.size();
  return {{"name", result.name},
          {"against_first", interval_json(report.intervals, i)},
          {"kind", kind_name(config.kind)},
          {"model", config.model},
          {"online_learning", session ? nlohmann::json(config.online_learning) : nullptr},
          {"config", system_config(report, config)},
          {"users", result.users},
          {"likes_at_10", optional_json(at_step(result.likes, kShortRun))},
          {"likes_at_20", optional_json(at_step(result.likes, kLongRun))},
          {"dislikes_at_20", optional_json(at_step(result.dislikes, kLongRun))},
          {"likes", optional_json(at_step(result.likes, steps))},
          {"dislikes", optional_json(at_step(result.dislikes, steps))},
          {"skips", result.skips},
          {"shown", result.shown},
          {"exhausted", result.exhausted},
          {"distinct_movies", result.distinct},
          {"coverage", result.coverage},
          {"likes_per_step", result.likes},
          {"user_likes", result.user_likes},
          {"dislikes_per_step", result.dislikes}};
}

// A table with a header row: the first `text_columns` columns left-aligned, numbers right.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 std::size_t text_columns) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line = " ";
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += c < text_columns ? fmt::format(" {:<{}}", row[c], widths[c])
                               : fmt::format("  {:>{}}", row[c], widths[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

std::string number(const std::optional<double>& value, int decimals) {
  return value ? fmt::format("{:.{}f}", *value, decimals) : "n/a";
}

std::string percent(double share) { return fmt::format("{:.1f}%", 100 * share); }

// "0.0461 / 0.0470": val and test.
std::string pair_of(const std::optional<double>& val, const std::optional<double>& test) {
  return val || test ? number(val, 4) + " / " + number(test, 4) : "n/a";
}

void print_models(std::ostream& out, const EvaluationReport& report) {
  out << "Rating fit on held-out ratings (val / test), users and movies seen in train:\n";
  std::vector<std::vector<std::string>> rows = {{"model", "target", "RMSE final_rating (seed)*",
                                                 "RMSE own target", "RMSE stars", "MAE stars",
                                                 "rows scored (skipped)"}};
  for (const ModelReport& model : report.models) {
    const RatingFit& fit = model.fit;
    rows.push_back({model.name, fit.target, pair_of(fit.seed_val.rmse, fit.seed_test.rmse),
                    pair_of(fit.target_val.rmse, fit.target_test.rmse),
                    pair_of(fit.stars_val.rmse, fit.stars_test.rmse),
                    pair_of(fit.stars_val.mae, fit.stars_test.mae),
                    fmt::format("{} ({}) / {} ({})", fit.seed_val.rows, fit.seed_val.skipped,
                                fit.seed_test.rows, fit.seed_test.skipped)});
  }
  print_table(out, rows, 2);
  out << "  * each prediction in final_rating units with its row's own transform: stars "
         "(pred - user mean) x pop_weight x time_weight, rating_norm pred x pop_weight x "
         "time_weight, final_rating as is, like n/a\n";
  const std::size_t k = report.options.top_k;
  out << fmt::format(
      "\nRanking: top {} of the movies a user did not rate in train, against the user's "
      "held-out likes (>= {:g} stars):\n",
      k, kLikeStars);
  rows = {{"model", "users", fmt::format("Recall@{}", k), fmt::format("NDCG@{}", k), "coverage"}};
  for (const ModelReport& model : report.models) {
    const RankingScore& ranking = model.ranking;
    rows.push_back({model.name, std::to_string(ranking.users), number(ranking.recall, 4),
                    number(ranking.ndcg, 4), percent(ranking.coverage)});
  }
  print_table(out, rows, 1);
}

// "+0.123 [+0.050, +0.190]", or "" for the reference itself.
std::string signed_interval(double value, double low, double high, int decimals) {
  return fmt::format("{:+.{}f} [{:+.{}f}, {:+.{}f}]", value, decimals, low, decimals, high,
                     decimals);
}

// Each system's likes and dislikes, and its interval against the first.
void print_system_table(std::ostream& out, const std::vector<SystemResult>& systems,
                        const std::vector<PairedInterval>& intervals, std::size_t steps) {
  const std::string first = systems.empty() ? "" : systems.front().name;
  std::vector<std::vector<std::string>> rows = {
      {"system", fmt::format("likes@{}", kShortRun), fmt::format("likes@{}", kLongRun),
       fmt::format("dislikes@{}", kLongRun), "coverage",
       fmt::format("likes@{} - {} [95%]", steps, first), "relative [95%]"}};
  for (std::size_t i = 0; i < systems.size(); ++i) {
    const SystemResult& result = systems[i];
    std::string difference, relative;
    if (i > 0 && i < intervals.size()) {
      const PairedInterval& d = intervals[i];
      difference = signed_interval(d.difference, d.low, d.high, 3);
      if (d.relative) {
        relative = fmt::format("{:+.1f}% [{:+.1f}%, {:+.1f}%]", 100 * *d.relative,
                               100 * *d.relative_low, 100 * *d.relative_high);
      }
    }
    rows.push_back({result.name, number(at_step(result.likes, kShortRun), 3),
                    number(at_step(result.likes, kLongRun), 3),
                    number(at_step(result.dislikes, kLongRun), 3), percent(result.coverage),
                    difference, relative});
  }
  print_table(out, rows, 1);
}

void print_systems(std::ostream& out, const EvaluationReport& report) {
  const std::size_t steps = report.options.steps;
  out << fmt::format(
      "\nSimulated sessions: {} of {} users, {} recommendations each, seed {}, answers from {} "
      "(like >= {:g} stars, dislike <= {:g}):\n",
      report.simulated_users.size(), report.eligible_users, steps, report.options.seed,
      answers_name(report.options.answers), kLikeStars, kDislikeStars);
  print_system_table(out, report.systems, report.intervals, steps);
  out << fmt::format(
      "  [95%]: paired bootstrap over the users ({} resamples, seed {}): an interval that excludes "
      "0 is a difference the sample can tell\n",
      report.bootstrap.resamples, report.bootstrap.seed);
}

void print_release_favourites(std::ostream& out, const EvaluationReport& report) {
  if (!report.release_favourites) return;
  const ReleaseFavourites& release = *report.release_favourites;
  const std::size_t users = release.systems.front().users;
  out << fmt::format(
      "\nFavourites from the whole release: {} of {} users whose four best-rated train movies "
      "include one outside the trained catalog ({} of their {} favourites), same protocol:\n",
      users, release.eligible, release.outside_favourites, users * Session::kFavourites);
  print_system_table(out, release.systems, release.intervals, report.options.steps);
}

nlohmann::json release_json(const ReleaseFavourites& release) {
  nlohmann::json systems = nlohmann::json::array();
  for (std::size_t i = 0; i < release.systems.size(); ++i) {
    const SystemResult& result = release.systems[i];
    systems.push_back({{"name", result.name},
                       {"against_first", interval_json(release.intervals, i)},
                       {"users", result.users},
                       {"likes_at_10", optional_json(at_step(result.likes, kShortRun))},
                       {"likes_at_20", optional_json(at_step(result.likes, kLongRun))},
                       {"dislikes_at_20", optional_json(at_step(result.dislikes, kLongRun))},
                       {"coverage", result.coverage}});
  }
  return {{"eligible", release.eligible},
          {"outside_favourites", release.outside_favourites},
          {"systems", std::move(systems)}};
}

void print_baselines(std::ostream& out, const EvaluationReport& report) {
  std::vector<std::vector<std::string>> rows = {
      {"baseline", "chosen on val answers", "val likes", "points tried"}};
  for (const SystemConfig& config : report.system_configs) {
    if (config.kind != SystemKind::kBaseline) continue;
    const TunedBaseline& tuned = config.tuned;
    std::string chosen;
    for (std::size_t a = 0; a < tuned.axes.size() && a < tuned.chosen.size(); ++a) {
      chosen += fmt::format("{}{} {:g}", a > 0 ? ", " : "", tuned.axes[a], tuned.chosen[a]);
    }
    rows.push_back(
        {tuned.name, chosen, number(tuned.val_likes, 3), std::to_string(tuned.tried.size())});
  }
  if (rows.size() > 1) {
    out << fmt::format(
        "\nBaselines: trained on train, values chosen by likes@{} in sessions answered from val "
        "alone:\n",
        report.options.steps);
    print_table(out, rows, 2);
  }
  for (const std::string& line : report.skipped_baselines) out << "  not run: " << line << '\n';
}

}  // namespace

nlohmann::json to_json(const EvaluationReport& report) {
  const EvaluationOptions& options = report.options;
  nlohmann::json json = {
      {"format_version", kEvaluationFormatVersion},
      {"program", "evaluate"},
      {"options",
       {{"steps", options.steps},
        {"users", options.users == 0 ? nlohmann::json() : nlohmann::json(options.users)},
        {"seed", options.seed},
        {"top_k", options.top_k},
        {"answers", answers_name(options.answers)},
        {"baselines", options.baselines.names},
        {"resamples", options.resamples}}},
      {"protocol",
       {{"like_stars", kLikeStars},
        {"dislike_stars", kDislikeStars},
        {"favourites", Session::kFavourites}}},
      {"data", report.data},
      {"users",
       {{"eligible", report.eligible_users},
        {"simulated", report.simulated_users.size()},
        {"ids", report.simulated_users}}}};
  nlohmann::json& models = json["models"] = nlohmann::json::array();
  for (const ModelReport& model : report.models) models.push_back(model_json(model));
  nlohmann::json& systems = json["systems"] = nlohmann::json::array();
  for (std::size_t i = 0; i < report.systems.size(); ++i) {
    systems.push_back(system_json(report, i));
  }
  json["bootstrap"] = {{"resamples", report.bootstrap.resamples},
                       {"level", report.bootstrap.level},
                       {"seed", report.bootstrap.seed},
                       {"reference", report.systems.empty() ? "" : report.systems.front().name}};
  json["skipped_baselines"] = report.skipped_baselines;
  json["release_favourites"] =
      report.release_favourites ? release_json(*report.release_favourites) : nlohmann::json();
  return json;
}

void print_report(std::ostream& out, const EvaluationReport& report) {
  const nlohmann::json& rows = report.data.at("rows");
  out << fmt::format("Evaluated on {}: {} train, {} val, {} test ratings; {} embedded movies.\n\n",
                     report.data.at("dir").get<std::string>(), rows.at("train").get<std::size_t>(),
                     rows.at("val").get<std::size_t>(), rows.at("test").get<std::size_t>(),
                     report.data.at("embedded_movies").get<std::size_t>());
  print_models(out, report);
  print_systems(out, report);
  print_release_favourites(out, report);
  print_baselines(out, report);
}

void print_timings(std::ostream& out, const EvaluationReport& report) {
  for (const SystemConfig& config : report.system_configs) {
    if (config.kind != SystemKind::kBaseline) continue;
    out << fmt::format("time: {} {:.2f} s (training and search, {} points)\n", config.tuned.name,
                       config.tuned.seconds, config.tuned.tried.size());
  }
}

std::string plot_svg(const EvaluationReport& report) {
  LineChart chart;
  chart.title = fmt::format("Liked movies found in simulated sessions ({} users)",
                            report.simulated_users.size());
  chart.x_label = "recommendations shown";
  chart.y_label = "mean cumulative likes per user";
  std::vector<std::string> model_names;
  std::size_t baselines = 0;
  for (std::size_t i = 0; i < report.systems.size(); ++i) {
    const SystemResult& result = report.systems[i];
    const SystemConfig& config = report.system_configs[i];
    ChartSeries series{result.name, {0.0}, "", ""};
    series.y.insert(series.y.end(), result.likes.begin(), result.likes.end());
    if (config.kind == SystemKind::kMostPopular) {
      series.colour = kPopularColour;
      series.dash = kPopularDash;
    } else if (config.kind == SystemKind::kRandom) {
      series.colour = kRandomColour;
      series.dash = kRandomDash;
    } else if (config.kind == SystemKind::kBaseline) {
      // Baselines take the palette from its far end, so the models' colours come first.
      series.colour = kChartColours[kChartColours.size() - 1 - baselines++ % kChartColours.size()];
      series.dash = kBaselineDash;
    } else {
      auto at = std::find(model_names.begin(), model_names.end(), config.model);
      if (at == model_names.end()) at = model_names.insert(at, config.model);
      const auto index = static_cast<std::size_t>(at - model_names.begin());
      series.colour = kChartColours[index % kChartColours.size()];
      if (!config.online_learning) series.dash = kLearningOffDash;
    }
    chart.series.push_back(std::move(series));
  }
  return render_svg(chart);
}

}  // namespace movierec
