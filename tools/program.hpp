// What every program's main shares: one top-level catch that turns errors into a message on
// stderr and a non-zero exit, and command-line flags generated from a config's keys.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <exception>
#include <map>
#include <string>
#include <system_error>
#include <type_traits>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include "movierec/io/config.hpp"
#include "movierec/io/error.hpp"

namespace movierec {

// Exit codes: 0 success, 1 an error in the data, files or config, 2 bad command-line usage.
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Whether `text` is a whole number of type Int from `min` to `max`: nothing around it, and no
// sign for an unsigned Int ("-1" is refused, never wrapped around).
template <typename Int>
bool is_whole_number_in(const std::string& text, Int min, Int max) {
  Int value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  return !text.empty() && error == std::errc() && stop == end && value >= min && value <= max;
}

// A flag's value that must be a whole number from `min` to `max`: "must be a whole number from
// 1 to 2000 (got "0")" otherwise.
template <typename Int>
CLI::Validator whole_number_check(std::type_identity_t<Int> min, Int max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        if (is_whole_number_in<Int>(text, min, max)) return "";
        return "must be a whole number from " + std::to_string(min) + " to " +
               std::to_string(max) + " (got \"" + text + "\")";
      },
      "", "whole number");
}

// The same for a config key's value typed as a flag: its type (whole number, number, one of its
// names) and range, checked while the command line is parsed.
inline CLI::Validator config_value_check(const ConfigField& field) {
  const double min = field.min;
  const double max = field.max;
  const auto range = "from " + config_number_text(min) + " to " + config_number_text(max);
  const std::string key = field.name;
  if (std::holds_alternative<int*>(field.value)) {
    return CLI::Validator(
        [min, max, range, key](std::string& text) -> std::string {
          if (!is_whole_number_in<long long>(text, static_cast<long long>(min),
                                             static_cast<long long>(max))) {
            return "must be a whole number " + range + " (got \"" + text + "\"; config key " +
                   key + ")";
          }
          return "";
        },
        "", "whole number");
  }
  if (std::holds_alternative<double*>(field.value)) {
    return CLI::Validator(
        [min, max, range, key](std::string& text) -> std::string {
          char* stop = nullptr;
          const double value = std::strtod(text.c_str(), &stop);
          if (text.empty() || stop != text.c_str() + text.size() || !std::isfinite(value) ||
              value < min || value > max) {
            return "must be a number " + range + " (got \"" + text + "\"; config key " + key +
                   ")";
          }
          return "";
        },
        "", "number");
  }
  std::vector<std::string> names = field.choices;
  if (const auto* choice = std::get_if<ChoiceField>(&field.value)) {
    names.assign(choice->names().begin(), choice->names().end());
  }
  if (std::holds_alternative<bool*>(field.value)) names = {"true", "false"};
  return CLI::Validator(
      [names, key](std::string& text) -> std::string {
        if (names.empty() || std::find(names.begin(), names.end(), text) != names.end()) return "";
        std::string list;
        for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
        return "must be one of " + list + " (got \"" + text + "\"; config key " + key + ")";
      },
      "", "choice");
}

// The placeholder of a config key's flag in --help: INT, FLOAT, NAME (one of its names) or TEXT.
inline std::string config_type_name(const ConfigField& field) {
  if (std::holds_alternative<int*>(field.value)) return "INT";
  if (std::holds_alternative<double*>(field.value)) return "FLOAT";
  if (std::holds_alternative<ChoiceField>(field.value) ||
      std::holds_alternative<bool*>(field.value) || !field.choices.empty()) {
    return "NAME";
  }
  return "TEXT";
}

// Applies the shipped config file at `path` to `fields` (a defaults struct), so --help shows the
// values that actually run; the built-in defaults stay when the file cannot be read.
inline void load_shipped_defaults(const std::vector<ConfigField>& fields, const std::string& path) {
  try {
    apply_yaml_file(path, fields);
  } catch (const std::exception&) {
    // --help must work anywhere: a missing or broken file is reported when the program runs.
  }
}

namespace program_detail {

// "--train.learning_rate" or "--learning_rate" as the flag "--learning-rate", when `app` has it.
inline std::string flag_for_key(const CLI::App& app, std::string typed) {
  if (typed.rfind("--", 0) != 0) return "";
  typed = typed.substr(0, typed.find('='));
  std::string key = typed.substr(typed.rfind('.') == std::string::npos ? 2 : typed.rfind('.') + 1);
  for (char& c : key) c = c == '_' ? '-' : c;
  const std::string flag = "--" + key;
  if (flag == typed) return "";
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) {
      if ("--" + name == flag) return flag;
    }
  }
  return "";
}

}  // namespace program_detail

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
    std::string message = e.what();
    // CLI11 writes "--k: must be ..."; one plain sentence reads "--k must be ...".
    if (const std::size_t colon = message.find(": must be ");
        message.rfind("--", 0) == 0 && colon != std::string::npos) {
      message.erase(colon, 1);
    }
    for (int i = 1; i < argc; ++i) {
      const std::string flag = program_detail::flag_for_key(app, argv[i]);
      if (!flag.empty()) {
        message += "\n" + std::string(argv[i]) + " is a config key; its flag is " + flag + ".";
        break;
      }
    }
    std::fprintf(stderr, "%s: %s\nRun with --help for usage.\n", app.get_name().c_str(),
                 message.c_str());
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
    std::string help = field.help + " [" + field.name + ", default " + field.text();
    if (std::holds_alternative<int*>(field.value) || std::holds_alternative<double*>(field.value)) {
      help += "; " + config_number_text(field.min) + " to " + config_number_text(field.max);
    }
    app.add_option(field.flag(), values[field.name], help + "]")
        ->group(group)
        ->type_name(config_type_name(field))
        ->check(config_value_check(field));
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
      app.add_option(field.flag(), **whole,
                     help.substr(0, help.size() - 1) + "; " + std::to_string(min) + " to " +
                         std::to_string(max) + "]")
          ->group(group)
          ->type_name("INT")
          ->check(whole_number_check<long long>(min, max));
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
