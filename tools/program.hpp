// What every program's main shares: one top-level catch that turns errors into a message on
// stderr and a non-zero exit, and command-line flags generated from a config's keys.
#pragma once

#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "movierec/io/config.hpp"
#include "movierec/io/error.hpp"

namespace movierec {

// Exit codes: 0 success, 1 an error in the data, files or config, 2 bad command-line usage.
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Parses the command line, runs `body`, and maps failures to a message and an exit code.
template <typename Body>
int run_program(CLI::App& app, int argc, char** argv, Body body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\nRun with --help for usage.\n", app.get_name().c_str(),
                 e.what());
    return kExitUsage;
  }
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", app.get_name().c_str(), e.what());
    return kExitError;
  }
}

// Adds one flag per config key (ConfigField::flag(), e.g. --min-user-ratings) whose help shows
// the key and its default. Values are kept as text in `values` and applied with
// apply_config_flags after the YAML file is read, so flags win and are range-checked alike.
inline void add_config_flags(CLI::App& app, std::vector<ConfigField> fields,
                             std::map<std::string, std::string>& values,
                             const std::string& group) {
  for (const ConfigField& field : fields) {
    std::string help = field.help + " [" + field.name + ", default " + field.text() + "]";
    app.add_option(field.flag(), values[field.name], help)->group(group);
  }
}

inline void apply_config_flags(const std::vector<ConfigField>& fields,
                               const std::map<std::string, std::string>& values) {
  for (const auto& [name, text] : values) {
    if (!text.empty()) apply_value(fields, name, text, "command line (" + name + ")");
  }
}

}  // namespace movierec
