// import_factors: a Spark MLlib ALS model's factors (JSON lines) in, artifacts/ out, matched
// against processed/ so recommend, serve and evaluate load them like train_svd's.
#include <fmt/format.h>

#include <iostream>
#include <string>

#include "movierec/train/spark_import.hpp"
#include "program.hpp"

int main(int argc, char** argv) {
  using namespace movierec;
  CLI::App app{
      "Imports the factors of a Spark MLlib ALS model, written with "
      "model.userFactors.write.json(DIR/userFactors) and "
      "model.itemFactors.write.json(DIR/itemFactors), as artifacts/ for the users and movies "
      "of processed/'s train ratings (model spark_als).",
      "import_factors"};
  std::string spark_dir;
  std::string processed_dir = "processed";
  std::string out_dir = "artifacts";
  std::string config_file = "config/pipeline.yaml";
  app.add_option("--spark", spark_dir, "folder holding userFactors/ and itemFactors/")->required();
  app.add_option("--processed", processed_dir, "folder written by preprocess")
      ->capture_default_str();
  app.add_option("--out", out_dir, "folder to write (replaced whole at the end)")
      ->capture_default_str();
  app.add_option("--config", config_file, "pipeline settings recorded with the model (YAML)")
      ->capture_default_str();

  return run_program(app, argc, argv, [&] {
    const PipelineConfig config = load_pipeline_config(config_file);
    const nlohmann::json manifest =
        import_spark_factors(spark_dir, ProcessedFolder(processed_dir), out_dir, config);
    for (const char* side : {"users", "movies"}) {
      const nlohmann::json& count = manifest.at("spark").at(side);
      std::cout << fmt::format(
          "{}: {} imported, {} only in Spark (not in processed/'s train ratings), {} without "
          "factors\n",
          side, count.at("imported").get<long long>(), count.at("only_in_spark").get<long long>(),
          count.at("without_factors").get<long long>());
    }
    const nlohmann::json& rmse = manifest.at("validation_rmse");
    std::cout << fmt::format(
        "spark_als: k = {}, validation RMSE {} on {} ratings\n", manifest.at("k").get<int>(),
        rmse.is_null() ? std::string("none") : fmt::format("{:.6f}", rmse.get<double>()),
        manifest.at("validation_rows").get<long long>());
    std::cout << "wrote " << out_dir << "/\n";
    return 0;
  });
}
