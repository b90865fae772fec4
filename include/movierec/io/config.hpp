// Configuration: YAML files in, validated structs out. Each struct keeps its defaults as in-class
// initialisers; its fields() function lists every key with its allowed range and a one-line
// help, bound to a live struct. The same list drives YAML loading, command-line flags, --help,
// and the copy of the configuration recorded in manifests.
#pragma once

#include <concepts>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace movierec {

// A choice among named values: an enum whose values are 0..n-1, spelled by one name table. Each
// such enum declares beside it `std::span<const std::string_view> choice_names(Enum)` (found by
// argument-dependent lookup) returning its names in value order: the one place they are spelled
// for YAML, flags, --help, manifests and messages.
template <typename Enum>
concept NamedChoice = std::is_enum_v<Enum> && requires(Enum value) {
  { choice_names(value) } -> std::convertible_to<std::span<const std::string_view>>;
};

// The name of `value`; "" for a value outside its table (only a cast can make one).
template <NamedChoice Enum>
std::string_view choice_name(Enum value) {
  const std::span<const std::string_view> names = choice_names(value);
  const auto index = static_cast<std::size_t>(value);
  return index < names.size() ? names[index] : std::string_view();
}

// The value `name` spells, or none.
template <NamedChoice Enum>
std::optional<Enum> parse_choice(std::string_view name) {
  const std::span<const std::string_view> names = choice_names(Enum{});
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

// A config key's binding to a field of a NamedChoice enum: the key takes the enum's names.
class ChoiceField {
 public:
  template <NamedChoice Enum>
  ChoiceField(Enum* target)  // NOLINT(google-explicit-constructor): binds as the pointers do
      : target_(target),
        names_(choice_names(Enum{})),
        get_([](const void* field) {
          return static_cast<std::size_t>(*static_cast<const Enum*>(field));
        }),
        set_([](void* field, std::size_t index) {
          *static_cast<Enum*>(field) = static_cast<Enum>(index);
        }) {}

  std::span<const std::string_view> names() const { return names_; }
  // The field's value as an index into names(); at least names().size() when it is none of
  // them (a value made by a cast).
  std::size_t index() const { return get_(target_); }
  void set(std::size_t index) const { set_(target_, index); }
  // The field's name; "" when index() is none of them.
  std::string_view name() const { return index() < names_.size() ? names_[index()] : ""; }

 private:
  void* target_;
  std::span<const std::string_view> names_;
  std::size_t (*get_)(const void*);
  void (*set_)(void*, std::size_t);
};

// One configuration key bound to a field of a live struct.
struct ConfigField {
  std::string name;  // dotted path in the YAML, e.g. "filter.min_user_ratings"
  std::variant<int*, double*, bool*, std::string*, ChoiceField> value;
  double min = 0;  // inclusive range, for numbers
  double max = 0;
  std::vector<std::string> choices;  // allowed values, for strings (a ChoiceField has its names)
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

// A number as config messages and YAML spell it: "20", "0.7", "1e-10" (six significant digits),
// whole numbers in full: "2147483647".
std::string config_number_text(double value);

}  // namespace movierec
