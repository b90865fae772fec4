// What every program's main shares: one top-level catch that turns errors into a message on
// stderr and a non-zero exit, and command-line flags generated from a config's keys.
#pragma once

#include <charconv>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <system_error>
#include <variant>
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

// Adds one flag per key of `fields` bound to the live struct (--threads for "threads"), each
// with its default and range in --help; a number that is not a whole number (or a number) in
// the key's range is a usage error (exit 2), e.g. "--threads: must be a whole number from 1 to
// 256 (got 0)". Booleans are plain flags.
inline void add_checked_flags(CLI::App& app, const std::vector<ConfigField>& fields,
                              const std::string& group) {
  for (const ConfigField& field : fields) {
    const std::string help = field.help + " [default " + field.text() + "]";
    if (auto* const* whole = std::get_if<int*>(&field.value)) {
      const auto min = static_cast<long long>(field.min);
      const auto max = static_cast<long long>(field.max);
      const CLI::Validator range(
          [min, max](std::string& text) -> std::string {
            long long value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (text.empty() || error != std::errc() || stop != end || value < min || value > max) {
              return "must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + " (got \"" + text + "\")";
            }
            return "";
          },
          "", "range");
      app.add_option(field.flag(), **whole,
                     help.substr(0, help.size() - 1) + "; " + std::to_string(min) + " to " +
                         std::to_string(max) + "]")
          ->group(group)
          ->type_name("INT")
          ->check(range);
    } else if (auto* const* number = std::get_if<double*>(&field.value)) {
      app.add_option(field.flag(), **number, help)
          ->group(group)
          ->type_name("FLOAT")
          ->check(CLI::Range(field.min, field.max));
    } else if (auto* const* flag = std::get_if<bool*>(&field.value)) {
      app.add_flag(field.flag(), **flag, field.help)->group(group);
    } else if (auto* const* text = std::get_if<std::string*>(&field.value)) {
      app.add_option(field.flag(), **text, help)->group(group)->type_name("TEXT");
    }
  }
}

inline void apply_config_flags(const std::vector<ConfigField>& fields,
                               const std::map<std::string, std::string>& values) {
  for (const auto& [name, text] : values) {
    if (!text.empty()) apply_value(fields, name, text, "command line (" + name + ")");
  }
}

}  // namespace movierec
