#include "movierec/io/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/text.hpp"

namespace movierec {
std::string config_number_text(double value) {
  // Whole numbers in full ("2147483647", not "2.14748e+09"): ranges are read by people.
  constexpr double kWholeLimit = 1e15;
  if (std::isfinite(value) && std::fabs(value) < kWholeLimit && value == std::trunc(value)) {
    return std::to_string(static_cast<long long>(value));
  }
  std::ostringstream out;
  out << value;
  return out.str();
}

namespace {

std::string last_part(const std::string& name) { return name.substr(name.rfind('.') + 1); }

const ConfigField* find_field(const std::vector<ConfigField>& fields, std::string_view name) {
  for (const ConfigField& field : fields) {
    if (field.name == name) return &field;
  }
  for (const ConfigField& field : fields) {
    if (name.find('.') == std::string_view::npos && last_part(field.name) == name) return &field;
  }
  return nullptr;
}

[[noreturn]] void unknown_key(const std::vector<ConfigField>& fields, const std::string& name,
                              const std::string& source, std::size_t line) {
  std::vector<std::string> names;
  for (const ConfigField& field : fields) names.push_back(field.name);
  std::string hint = nearest_word(name, names);
  if (hint.empty()) {
    std::vector<std::string> last_parts;
    for (const ConfigField& field : fields) last_parts.push_back(last_part(field.name));
    const std::string part = nearest_word(last_part(name), last_parts);
    for (const ConfigField& field : fields) {
      if (!part.empty() && last_part(field.name) == part) hint = field.name;
    }
  }
  throw ConfigError(source, line, name,
                    hint.empty() ? "unknown key" : "unknown key; did you mean '" + hint + "'?");
}

// "a, b, c"
std::string name_list(std::span<const std::string_view> names) {
  std::string list;
  for (const std::string_view name : names) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  return list;
}

// Converts `text` into the field's type and range, or throws ConfigError.
void assign(const ConfigField& field, std::string_view text, const std::string& source,
            std::size_t line) {
  const std::string shown = "got '" + std::string(text) + "'";
  const std::string range = "from " + config_number_text(field.min) + " to " + config_number_text(field.max);
  const auto fail = [&](const std::string& problem) {
    throw ConfigError(source, line, field.name, problem);
  };
  if (auto* int_target = std::get_if<int*>(&field.value)) {
    const auto value = parse_int(text);
    if (!value || static_cast<double>(*value) < field.min ||
        static_cast<double>(*value) > field.max) {
      fail("must be a whole number " + range + ", " + shown);
    }
    **int_target = static_cast<int>(*value);
  } else if (auto* double_target = std::get_if<double*>(&field.value)) {
    const auto value = parse_double(text);
    if (!value || *value < field.min || *value > field.max) {
      fail("must be a number " + range + ", " + shown);
    }
    **double_target = *value;
  } else if (auto* bool_target = std::get_if<bool*>(&field.value)) {
    if (text == "true" || text == "yes" || text == "on") {
      **bool_target = true;
    } else if (text == "false" || text == "no" || text == "off") {
      **bool_target = false;
    } else {
      fail("must be true or false, " + shown);
    }
  } else if (auto* text_target = std::get_if<std::string*>(&field.value)) {
    if (!field.choices.empty()) {
      const std::vector<std::string_view> names(field.choices.begin(), field.choices.end());
      if (std::find(names.begin(), names.end(), text) == names.end()) {
        fail("must be one of " + name_list(names) + ", " + shown);
      }
    }
    **text_target = std::string(text);
  } else if (const auto* choice = std::get_if<ChoiceField>(&field.value)) {
    const std::span<const std::string_view> names = choice->names();
    const auto at = std::find(names.begin(), names.end(), text);
    if (at == names.end()) fail("must be one of " + name_list(names) + ", " + shown);
    choice->set(static_cast<std::size_t>(at - names.begin()));
  }
}

void flatten(const YAML::Node& node, const std::string& prefix, const std::string& source,
             const std::vector<ConfigField>& fields, std::map<std::string, std::size_t>& seen) {
  for (const auto& entry : node) {
    const std::size_t line = static_cast<std::size_t>(entry.first.Mark().line + 1);
    const std::string key = prefix + entry.first.as<std::string>();
    if (!seen.emplace(key, line).second) {
      throw ConfigError(source, line, key,
                        "appears twice (first on line " + std::to_string(seen[key]) + ")");
    }
    const YAML::Node& value = entry.second;
    const ConfigField* field = find_field(fields, key);
    if (value.IsMap()) {
      if (field != nullptr) throw ConfigError(source, line, key, "must be a single value");
      flatten(value, key + ".", source, fields, seen);
    } else if (field == nullptr) {
      unknown_key(fields, key, source, line);
    } else if (value.IsSequence()) {
      throw ConfigError(source, line, key, "must be a single value, not a list");
    } else if (value.IsNull() || !value.IsScalar()) {
      throw ConfigError(source, line, key, "has no value");
    } else if (field->name != key) {
      unknown_key(fields, key, source, line);  // a bare last part is only for flags
    } else {
      assign(*field, value.Scalar(), source, line);
    }
  }
}

// The JSON scalar as a config value's text: strings as they are, numbers in the shortest form
// that reads back to the same double, booleans as true/false.
std::string json_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

void apply_json_object(const nlohmann::json& object, const std::string& prefix,
                       const std::string& source, const std::vector<ConfigField>& fields) {
  for (const auto& [name, value] : object.items()) {
    const std::string key = prefix + name;
    if (value.is_object()) {
      apply_json_object(value, key + ".", source, fields);
      continue;
    }
    const ConfigField* field = find_field(fields, key);
    if (field == nullptr || field->name != key) unknown_key(fields, key, source, 0);
    if (!value.is_primitive() || value.is_null()) {
      throw ConfigError(source, 0, key,
                        std::string("must be a single value, got ") +
                            (value.is_null() ? "null" : value.type_name()));
    }
    assign(*field, json_text(value), source, 0);
  }
}

}  // namespace

std::string ConfigField::text() const {
  return std::visit(
      [](const auto& target) -> std::string {
        using T = std::remove_cvref_t<decltype(target)>;
        if constexpr (std::is_same_v<T, ChoiceField>) {
          return std::string(target.name());
        } else if constexpr (std::is_same_v<T, bool*>) {
          return *target ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string*>) {
          return *target;
        } else {
          return config_number_text(static_cast<double>(*target));
        }
      },
      value);
}

std::string ConfigField::flag() const {
  std::string flag = "--" + last_part(name);
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

namespace {

// yaml-cpp's syntax error `message` at `mark` of `text` in words, with the column, and yaml-cpp's
// own words after them for searching.
std::string yaml_syntax_problem(const std::string& text, const YAML::Mark& mark,
                                const std::string& message) {
  std::string line;
  if (mark.line >= 0) {
    std::istringstream lines(text);
    int at = 0;
    while (at <= mark.line && std::getline(lines, line)) ++at;
  }
  std::string words;
  if (line.find('\t') != std::string::npos) {
    words = "this line holds a tab; YAML indents with spaces only";
  } else if (message == YAML::ErrorMsg::END_OF_SEQ_FLOW) {
    words = "a list opened with '[' is not closed with ']'";
  } else if (message == YAML::ErrorMsg::END_OF_MAP_FLOW) {
    words = "a mapping opened with '{' is not closed with '}'";
  } else if (message == YAML::ErrorMsg::EOF_IN_SCALAR) {
    words = "a quoted value is not closed with its quote";
  } else if (message == YAML::ErrorMsg::MAP_VALUE || message == YAML::ErrorMsg::MAP_KEY ||
             message == YAML::ErrorMsg::BLOCK_ENTRY) {
    words = "a key or list item is indented unlike the keys beside it, or a value holds ': ' "
            "(quote it)";
  } else {
    words = "this is not valid YAML";
  }
  return words + " (column " + std::to_string(mark.column + 1) + "; the YAML parser says \"" +
         message + "\")";
}

}  // namespace

void apply_yaml(std::istream& in, const std::string& source,
                const std::vector<ConfigField>& fields) {
  YAML::Node root;
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(source, static_cast<std::size_t>(e.mark.line + 1),
                     yaml_syntax_problem(text, e.mark, e.msg));
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) {
    throw InputError(source, static_cast<std::size_t>(root.Mark().line + 1),
                     "expected a mapping of keys to values");
  }
  std::map<std::string, std::size_t> seen;
  try {
    flatten(root, "", source, fields, seen);
  } catch (const YAML::Exception& e) {
    throw InputError(source, static_cast<std::size_t>(e.mark.line + 1), "YAML: " + e.msg);
  }
}

void apply_yaml_file(const std::filesystem::path& path, const std::vector<ConfigField>& fields) {
  std::ifstream in = open_input(path);
  apply_yaml(in, path.string(), fields);
}

void apply_value(const std::vector<ConfigField>& fields, std::string_view name,
                 std::string_view text, const std::string& source) {
  const ConfigField* field = find_field(fields, name);
  if (field == nullptr) unknown_key(fields, std::string(name), source, 0);
  assign(*field, trim(text), source, 0);
}

nlohmann::json fields_to_json(const std::vector<ConfigField>& fields) {
  nlohmann::json out = nlohmann::json::object();
  for (const ConfigField& field : fields) {
    nlohmann::json* node = &out;
    std::string rest = field.name;
    for (std::size_t dot; (dot = rest.find('.')) != std::string::npos; rest.erase(0, dot + 1)) {
      node = &(*node)[rest.substr(0, dot)];
    }
    std::visit(
        [&](const auto& target) {
          if constexpr (std::is_same_v<std::remove_cvref_t<decltype(target)>, ChoiceField>) {
            (*node)[rest] = std::string(target.name());
          } else {
            (*node)[rest] = *target;
          }
        },
        field.value);
  }
  return out;
}

void apply_json(const nlohmann::json& json, const std::string& source,
                const std::vector<ConfigField>& fields) {
  if (!json.is_object()) {
    throw ConfigError(source, 0, "(top level)",
                      std::string("expected an object of config sections, got ") +
                          json.type_name());
  }
  apply_json_object(json, "", source, fields);
}

}  // namespace movierec
