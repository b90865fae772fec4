// preprocess: a MovieLens release in, processed/ out (filter, per-user time split, transform).
#include "movierec/data/preprocess.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "movierec/frontends/profile_ratings.hpp"
#include "movierec/frontends/progress.hpp"
#include "movierec/store/profile_store.hpp"
#include "program.hpp"

namespace {
constexpr const char* kDefaultTmdb = "data/tmdb-5000/tmdb_5000_movies.csv";

// The profiles of the store `spec` names as ratings; the config then records the store without
// any password.
void read_profiles(const std::string& spec, movierec::PreprocessOptions& options) {
  const auto store = movierec::open_profile_store(spec, {}, movierec::StoreOpen::kExisting);
  options.profiles = movierec::read_profile_ratings(*store, options.config);
  options.config.profiles_store = store->where();
}
}  // namespace

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
  std::string profiles;
  app.add_option("--data", data_dir, "MovieLens release folder")->capture_default_str()
      ->type_name("PATH");
  app.add_option("--out", out_dir, "folder to write (replaced whole at the end)")
      ->capture_default_str()->type_name("PATH");
  app.add_option("--config", config_file, "pipeline settings (YAML)")->capture_default_str()
      ->type_name("PATH");
  app.add_option("--tmdb", tmdb_file,
                 std::string("TMDB movies CSV for overviews, release dates and runtimes "
                             "[default: ") +
                     kDefaultTmdb + " when that file exists]")->type_name("PATH");
  app.add_option("--profiles", profiles,
                 "profile store whose profiles become users: a SQLite file or a postgresql:// "
                 "URL [default: profiles.store of --config; empty: none]");
  PipelineConfig defaults;
  load_shipped_defaults(defaults.fields(), config_file);
  std::vector<ConfigField> fields = preprocess_fields(defaults);
  std::erase_if(fields, [](const ConfigField& f) { return f.name == "profiles.store"; });
  std::map<std::string, std::string> flags;
  add_config_flags(app, fields, flags, "Pipeline settings (override the config file)");

  return run_program(app, argc, argv, [&] {
    PreprocessOptions options;
    options.config = load_pipeline_config(config_file);
    apply_config_flags(options.config.fields(), flags);
    options.config.validate("command line");
    if (!profiles.empty()) options.config.profiles_store = profiles;
    if (!options.config.profiles_store.empty()) {
      read_profiles(options.config.profiles_store, options);
    }
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
