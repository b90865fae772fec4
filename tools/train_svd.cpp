// train_svd: processed/ in, artifacts/ out (the users x movies matrix factorised by train.model).
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "movierec/frontends/progress.hpp"
#include "movierec/train/distributed.hpp"
#include "movierec/train/training.hpp"
#include "program.hpp"

namespace {

// The config keys this program reads: the train section.
std::vector<movierec::ConfigField> train_fields(movierec::PipelineConfig& config) {
  std::vector<movierec::ConfigField> fields;
  for (movierec::ConfigField& field : config.fields()) {
    if (field.name.rfind("train.", 0) == 0) fields.push_back(std::move(field));
  }
  return fields;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace movierec;
  CLI::App app{
      "Trains the offline model: the users x movies matrix built from processed/, factorised "
      "by --model (truncated SVD, weighted ALS, or biased ALS of stars), written as embeddings "
      "(and biases), id maps and a manifest into artifacts/. Under Open MPI's mpirun "
      "(als and biased_als), the processes share the rows and the first writes artifacts/.",
      "train_svd"};
  std::string processed_dir = "processed";
  std::string out_dir = "artifacts";
  std::string config_file = "config/pipeline.yaml";
  app.add_option("--processed", processed_dir, "folder written by preprocess")
      ->capture_default_str()->type_name("PATH");
  app.add_option("--out", out_dir, "folder to write (replaced whole at the end)")
      ->capture_default_str()->type_name("PATH");
  app.add_option("--config", config_file, "pipeline settings (YAML)")->capture_default_str()
      ->type_name("PATH");
  PipelineConfig defaults;
  load_shipped_defaults(defaults.fields(), config_file);
  std::map<std::string, std::string> flags;
  add_config_flags(app, train_fields(defaults), flags,
                   "Training settings (override the config file)");

  return run_program(app, argc, argv, [&] {
    PipelineConfig config = load_pipeline_config(config_file);
    apply_config_flags(config.fields(), flags);
    config.validate("command line");
    ProgressDisplay progress;
    const std::optional<nlohmann::json> manifest =
        started_by_mpirun()
            ? train_model_mpi(app.get_name(), processed_dir, out_dir, config, progress.sink())
            : std::optional(
                  train_model(ProcessedFolder(processed_dir), out_dir, config, progress.sink()));
    if (!manifest) return 0;  // a process of an MPI job other than the first
    progress.finish();
    print_training_summary(std::cout, *manifest);
    std::cout << "wrote " << out_dir << "/\n";
    return 0;
  });
}
