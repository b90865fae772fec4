// make_synthetic: writes a synthetic MovieLens release (ml-latest layout) of any size, with
// taste factors, genres, popularity skew and time windows, for benchmarks and tests.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "movierec/data/synthetic.hpp"
#include "movierec/frontends/progress.hpp"
#include "program.hpp"

int main(int argc, char** argv) {
  using namespace movierec;
  CLI::App app{
      "Writes a synthetic MovieLens release in the ml-latest layout (ratings.csv, "
      "movies.csv, links.csv, tags.csv with --tags, synthetic.json).",
      "make_synthetic"};
  std::filesystem::path out;
  std::filesystem::path config_file;
  bool tags = false;
  app.add_option("--out", out, "release folder to write (replaced atomically)")->required()
      ->type_name("PATH");
  app.add_option("--config", config_file, "YAML file of the keys below (flags win)")
      ->type_name("PATH");
  app.add_flag("--tags", tags, "also write tags.csv");
  SyntheticConfig config;
  std::vector<ConfigField> fields = config.fields();
  std::erase_if(fields, [](const ConfigField& f) { return f.name == "size.tags"; });
  std::map<std::string, std::string> values;
  add_config_flags(app, fields, values, "Data set");

  return run_program(app, argc, argv, [&] {
    if (!config_file.empty()) apply_yaml_file(config_file, config.fields());
    apply_config_flags(fields, values);
    if (tags) config.tags = true;
    const auto started = std::chrono::steady_clock::now();
    Progress progress("ratings", static_cast<std::size_t>(config.ratings));
    const SyntheticSummary summary =
        write_synthetic_release(config, out, [&](std::size_t rows) { progress.update(rows); });
    progress.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf(
        "wrote %s: %zu ratings by %zu users of %zu movies (%zu rated), %zu tags, in %.1f s\n",
        out.c_str(), summary.ratings, summary.users, summary.movies, summary.movies_rated,
        summary.tags, seconds);
    return 0;
  });
}
