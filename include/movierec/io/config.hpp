// Configuration: YAML files in, validated structs out. Each struct keeps its defaults as in-class
// initialisers; its fields() function lists every key with its allowed range and a one-line
// help, bound to a live struct. The same list drives YAML loading, command-line flags, --help,
// and the copy of the configuration recorded in manifests.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace movierec {

// One configuration key bound to a field of a live struct.
struct ConfigField {
  std::string name;  // dotted path in the YAML, e.g. "filter.min_user_ratings"
  std::variant<int*, double*, bool*, std::string*> value;
  double min = 0;  // inclusive range, for numbers
  double max = 0;
  std::vector<std::string> choices;  // allowed values, for strings
  std::string help;

  // The value as text, as YAML would spell it ("20", "0.7", "true", "final_rating").
  std::string text() const;
  // The flag that sets this key: the last part of the name with dashes, "--min-user-ratings".
  std::string flag() const;
};

// Reads a YAML document (a mapping, sections nested as mappings) into `fields`. Keys absent from
// the document keep their values. Throws ConfigError naming source, line and key for YAML syntax
// errors, unknown keys (suggesting the nearest known key), repeated keys, wrong types and values
// out of range. An empty document changes nothing.
void apply_yaml(std::istream& in, const std::string& source, const std::vector<ConfigField>& fields);
void apply_yaml_file(const std::filesystem::path& path, const std::vector<ConfigField>& fields);

// Sets the key `name` (dotted, or just its last part) from text, as given on a command line.
// Throws ConfigError naming `source` (e.g. "command line") like apply_yaml.
void apply_value(const std::vector<ConfigField>& fields, std::string_view name,
                 std::string_view text, const std::string& source);

// The fields' current values as nested JSON objects, one per section.
nlohmann::json fields_to_json(const std::vector<ConfigField>& fields);

// The inverse of fields_to_json: reads nested objects of scalars (as a manifest records a config)
// into `fields`. Keys absent from `json` keep their values. Throws ConfigError naming `source`
// and the key for unknown keys, values that are not scalars, wrong types and values out of range.
void apply_json(const nlohmann::json& json, const std::string& source,
                const std::vector<ConfigField>& fields);

// A number as config messages and YAML spell it: "20", "0.7", "1e-10" (six significant digits).
std::string config_number_text(double value);

}  // namespace movierec
