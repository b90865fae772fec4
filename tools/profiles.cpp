// profiles: lists, shows, exports and deletes the profiles that recommend and serve keep.
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "movierec/data/catalog.hpp"
#include "movierec/frontends/profile_ratings.hpp"
#include "movierec/frontends/profile_text.hpp"
#include "movierec/store/profile_store.hpp"
#include "program.hpp"

namespace {

constexpr const char* kDefaultStore = "data/profiles.sqlite";

// The config keys export reads: the stars per kind of answer.
std::vector<movierec::ConfigField> star_fields(movierec::PipelineConfig& config) {
  std::vector<movierec::ConfigField> fields = config.fields();
  std::erase_if(fields, [](const auto& f) { return !f.name.ends_with("_stars"); });
  return fields;
}

movierec::Profile must_load(movierec::ProfileStore& store, const std::string& name) {
  auto profile = store.load_profile(name);
  if (!profile) {
    throw movierec::Error("no profile named " + name + " in " + store.where() +
                          " (profiles list shows the names)");
  }
  return std::move(*profile);
}

// Titles for `show`, from processed/movie_metadata.csv when there is one.
std::unique_ptr<movierec::Catalog> titles(const std::filesystem::path& processed) {
  const auto file = processed / "movie_metadata.csv";
  if (!std::filesystem::is_regular_file(file)) return nullptr;
  return std::make_unique<movierec::Catalog>(movierec::Catalog::load(file));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace movierec;
  CLI::App app{
      "Lists, shows, exports and deletes the profiles that recommend and serve keep "
      "(each person's favourites and answers) in a SQLite file or PostgreSQL database.",
      "profiles"};
  std::string spec, config_file = "config/pipeline.yaml", processed = "processed", name;
  int user_id = 0;
  bool watchlist = false;
  app.add_option("--profiles", spec,
                 "the store: a SQLite file or a postgresql://USER@HOST/DB URL [default: "
                 "profiles.store of --config, else data/profiles.sqlite]");
  app.add_option("--config", config_file, "pipeline settings (YAML): the store, stars per answer")
      ->capture_default_str();
  app.require_subcommand(1, 1);
  CLI::App* list = app.add_subcommand("list", "every profile and its counts of answers");
  CLI::App* show = app.add_subcommand("show", "favourites, likes, dislikes, skips, watchlist");
  show->add_option("--processed", processed, "titles from its movie_metadata.csv, if it has one")
      ->capture_default_str();
  CLI::App* exported = app.add_subcommand(
      "export",
      "ml-latest ratings.csv rows (userId,movieId,rating,timestamp) on stdout: per "
      "movie its latest answer, in the stars the config gives its kind");
  exported->add_option("--user-id", user_id, "userId of the rows (0 is no MovieLens user)")
      ->check(CLI::Range(0, 2147483647))
      ->capture_default_str();
  exported->add_flag("--watchlist", watchlist, "the watchlist instead: movieId,timestamp rows");
  CLI::App* removed = app.add_subcommand("delete", "a profile and all its answers, for good");
  for (CLI::App* command : {show, exported, removed}) {
    command->add_option("NAME", name, "the profile")->required();
  }
  PipelineConfig defaults;
  std::map<std::string, std::string> flags;
  add_config_flags(*exported, star_fields(defaults), flags, "Stars (override the config file)");

  return run_program(app, argc, argv, [&] {
    PipelineConfig config = load_pipeline_config(config_file);
    apply_config_flags(config.fields(), flags);
    config.validate("command line");
    if (spec.empty()) spec = config.profiles_store.empty() ? kDefaultStore : config.profiles_store;
    if (*list && parse_store_spec(spec).kind == StoreSpec::Kind::kSqliteFile &&
        !std::filesystem::exists(spec)) {
      std::cout << "no profiles (" << spec << " does not exist yet)\n";
      return 0;
    }
    const auto store = open_profile_store(spec, {}, StoreOpen::kExisting);
    if (*list) {
      std::cout << profiles_table(store->list_profiles());
    } else if (*removed) {
      if (!store->delete_profile(name)) must_load(*store, name);  // says it is unknown
      std::cout << "deleted profile " << name << " from " << store->where() << "\n";
    } else if (const Profile profile = must_load(*store, name); *show) {
      std::cout << profile_text(profile, titles(processed).get());
    } else if (watchlist) {
      std::cout << "movieId,timestamp\n";
      for (const Answer& a : profile_watchlist(profile)) {
        std::cout << a.movie_id << ',' << a.answered_at << '\n';
      }
    } else {
      write_ratings_csv(std::cout, profile_ratings(profile, config, user_id));
    }
    return 0;
  });
}
