// preprocess: a MovieLens release in, processed/ out (filter, per-user time split, transform).
#include "movierec/data/preprocess.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "movierec/frontends/progress.hpp"
#include "program.hpp"

namespace {
constexpr const char* kDefaultTmdb = "data/tmdb-5000/tmdb_5000_movies.csv";
}

int main(int argc, char** argv) {
  using namespace movierec;
  CLI::App app{
      "Filters, splits and transforms a MovieLens release (any layout) into the processed/ "
      "folder that train_svd, recommend and evaluate read.",
      "preprocess"};
  std::string data_dir = "data/ml-latest-small";
  std::string out_dir = "processed";
  std::string config_file = "config/pipeline.yaml";
  std::string tmdb_file;
  app.add_option("--data", data_dir, "MovieLens release folder")->capture_default_str();
  app.add_option("--out", out_dir, "folder to write (replaced whole at the end)")
      ->capture_default_str();
  app.add_option("--config", config_file, "pipeline settings (YAML)")->capture_default_str();
  app.add_option("--tmdb", tmdb_file,
                 std::string("TMDB movies CSV for overviews, release dates and runtimes "
                             "[default: ") +
                     kDefaultTmdb + " when that file exists]");
  PipelineConfig defaults;
  std::map<std::string, std::string> flags;
  add_config_flags(app, preprocess_fields(defaults), flags,
                   "Pipeline settings (override the config file)");

  return run_program(app, argc, argv, [&] {
    PreprocessOptions options;
    options.config = load_pipeline_config(config_file);
    apply_config_flags(options.config.fields(), flags);
    options.config.validate("command line");
    options.data_dir = data_dir;
    options.out_dir = out_dir;
    if (!tmdb_file.empty()) {
      options.tmdb_file = tmdb_file;  // named on purpose: a missing file is an error
    } else if (std::filesystem::is_regular_file(kDefaultTmdb)) {
      options.tmdb_file = kDefaultTmdb;
    }
    ProgressDisplay progress;
    const PreprocessReport report = run_preprocess(options, progress.sink());
    progress.finish();
    std::fputs(summarize(report).c_str(), stdout);
    return 0;
  });
}
