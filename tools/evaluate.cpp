// evaluate: measures trained configurations on the time split preprocess made (rating fit,
// ranking of held-out likes, simulated sessions next to the most-popular and random baselines)
// and reports a table, the whole report as JSON (--json) and a chart (--plot).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "movierec/frontends/progress.hpp"
#include "movierec/io/files.hpp"
#include "movierec/measure/evaluation.hpp"
#include "movierec/measure/evaluation_report.hpp"
#include "program.hpp"

int main(int argc, char** argv) {
  using namespace movierec;
  CLI::App app{
      "Measures a trained configuration on the held-out part of processed/: rating fit, ranking "
      "of held-out likes, and simulated sessions (the recommend session with online learning on "
      "and off, most popular first, random). --compare adds more configurations."};
  app.name("evaluate");
  std::string processed = "processed";
  std::string artifacts = "artifacts";
  std::string policy_file = "config/recommender_policy.yaml";
  std::string json_file, plot_file;
  std::vector<std::string> compare;
  std::string baselines = "all", answers = "val+test";
  EvaluationOptions options;
  app.add_option("--processed", processed, "folder preprocess wrote")->capture_default_str()
      ->type_name("PATH");
  app.add_option("--artifacts", artifacts, "folder train_svd wrote: the configured model")
      ->capture_default_str()->type_name("PATH");
  app.add_option("--policy", policy_file, "session policy of the configured system (YAML)")
      ->capture_default_str()->type_name("PATH");
  app.add_option("--users", options.users, "a seeded sample of this many users (0: all)")
      ->check(whole_number_check<unsigned long long>(0, std::numeric_limits<std::int32_t>::max()))
      ->type_name("INT")
      ->capture_default_str();
  app.add_option("--steps", options.steps, "recommendations per simulated user")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--seed", options.seed, "seed of the sample and of every session")
      ->check(whole_number_check(0, std::numeric_limits<std::uint64_t>::max()))
      ->type_name("INT")
      ->capture_default_str();
  app.add_option("--threads", options.threads, "threads (the results do not depend on it)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--baselines", baselines,
                 "baselines to run beside the configured system, comma-separated: popular, "
                 "random, ease, puresvd, knn, rp3beta, ials; all; none")
      ->capture_default_str();
  app.add_option("--ials-iterations", options.baselines.ials_iterations,
                 "ALS iterations of each iALS baseline fitted in its search (its search is most "
                 "of evaluate's time; fewer for a quicker look)")
      ->check(CLI::Range(1, 1000))
      ->type_name("INT")
      ->capture_default_str();
  app.add_option("--answers", answers,
                 "held-out ratings that answer the sessions: val+test, val (what the baselines "
                 "are tuned on) or test (nothing is chosen on it)")
      ->capture_default_str();
  app.add_option("--resamples", options.resamples, "paired bootstrap resamples")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--json", json_file, "write the whole report as JSON to this file")
      ->type_name("PATH");
  app.add_option("--plot", plot_file, "write an SVG chart of likes per step to this file")
      ->type_name("PATH");
  app.add_option("--compare", compare,
                 "another configuration, NAME=ARTIFACTS_DIR[,POLICY_FILE] (repeatable; the "
                 "policy defaults to --policy), trained on the same processed/")
      ->check(CLI::Validator([](std::string& text) { return compare_problem(text); },
                             "NAME=DIR[,POLICY]"));
  Policy defaults;
  load_shipped_defaults(defaults.fields(), policy_file);
  std::vector<ConfigField> policy_fields = defaults.fields();
  // Every session runs with learning on and off, so that key is not a flag here.
  std::erase_if(policy_fields, [](const ConfigField& f) { return f.name == "online_learning"; });
  std::map<std::string, std::string> policy_flags;
  add_config_flags(app, policy_fields, policy_flags,
                   "Policy of the configured system (override the policy file)");

  return run_program(app, argc, argv, [&] {
    const auto start = std::chrono::steady_clock::now();
    options.baselines.names = parse_baseline_names(baselines);
    options.answers = parse_answers(answers);
    Policy policy = load_policy(policy_file);
    apply_config_flags(policy.fields(), policy_flags);
    const ProcessedFolder processed_folder(processed);
    const std::vector<EvaluatedModel> models =
        load_evaluated_models(processed_folder, artifacts, policy_file, policy, compare);
    const EvaluationData data = read_evaluation_data(processed_folder);
    ProgressDisplay progress;
    const EvaluationReport report = evaluate(data, models, options, progress.sink());
    progress.finish();
    print_report(std::cout, report);
    if (!json_file.empty()) {
      write_file_atomically(json_file,
                            [&](std::ostream& out) { out << to_json(report).dump(2) << '\n'; });
      std::cout << "wrote " << json_file << '\n';
    }
    if (!plot_file.empty()) {
      write_file_atomically(plot_file, [&](std::ostream& out) { out << plot_svg(report); });
      std::cout << "wrote " << plot_file << '\n';
    }
    print_timings(std::cout, report);
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    std::printf("time: %.2f s\n", seconds.count());
    return 0;
  });
}
