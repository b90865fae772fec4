#include "movierec/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "movierec/csv.hpp"
#include "movierec/error.hpp"
#include "movierec/files.hpp"
#include "movierec/text.hpp"

namespace movierec {
namespace {

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

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

// Converts `text` into the field's type and range, or throws ConfigError.
void assign(const ConfigField& field, std::string_view text, const std::string& source,
            std::size_t line) {
  const std::string shown = "got '" + std::string(text) + "'";
  const std::string range = "from " + number_text(field.min) + " to " + number_text(field.max);
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
      bool allowed = false;
      std::string list;
      for (const std::string& choice : field.choices) {
        allowed = allowed || choice == text;
        list += (list.empty() ? "" : ", ") + choice;
      }
      if (!allowed) fail("must be one of " + list + ", " + shown);
    }
    **text_target = std::string(text);
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
      [](auto* target) -> std::string {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, bool>) {
          return *target ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return *target;
        } else {
          return number_text(static_cast<double>(*target));
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

void apply_yaml(std::istream& in, const std::string& source,
                const std::vector<ConfigField>& fields) {
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw InputError(source, static_cast<std::size_t>(e.mark.line + 1), "YAML: " + e.msg);
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
    std::visit([&](auto* target) { (*node)[rest] = *target; }, field.value);
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

// ---------------------------------------------------------------------------------------------
// PipelineConfig

std::vector<ConfigField> PipelineConfig::fields() {
  constexpr double kMaxCount = 1e9;
  return {
      {"filter.min_user_ratings", &min_user_ratings, 1, kMaxCount, {},
       "users with fewer ratings are dropped (before movies are counted)"},
      {"filter.min_movie_ratings", &min_movie_ratings, 1, kMaxCount, {},
       "movies with fewer ratings (from the users kept) are dropped"},
      {"split.train_ratio", &train_ratio, 0.01, 0.99, {},
       "share of each user's ratings, oldest first, that goes to train"},
      {"split.val_ratio", &val_ratio, 0.0, 0.98, {},
       "share of each user's ratings after train that goes to validation; the rest is test"},
      {"split.min_ratings", &min_split_ratings, 1, kMaxCount, {},
       "users with fewer ratings are left out of the split"},
      {"transform.popularity_exponent", &popularity_exponent, 0.0, 4.0, {},
       "pop_weight = (ratings of the movie in train) ^ -popularity_exponent"},
      {"transform.half_life_days", &half_life_days, 1e-3, 1e7, {},
       "time_weight halves for every this many days before the newest train rating"},
      {"metadata.top_tags", &top_tags, 0, 100, {},
       "most used tags kept per movie in movie_metadata.csv"},
      {"train.k", &k, 1, 2000, {}, "latent dimensions of the embeddings"},
      {"train.target", &target, 0, 0, {"final_rating", "rating_norm", "rating", "like"},
       "value the user x movie matrix holds: the seed's final_rating, rating_norm (stars minus "
       "the user's mean), rating (stars), like (1 for a rating >= 4, else 0)"},
      {"train.model", &model, 0, 0, {"svd", "als", "biased_als"},
       "how the embeddings are trained: svd (truncated SVD of the matrix), als (weighted "
       "alternating least squares, unobserved entries as 0 with weight als_missing_weight), "
       "biased_als (mean + user bias + movie bias + user . movie fitted to observed stars; needs "
       "target rating)"},
      {"train.movie_scaling", &movie_scaling, 0, 0, {"v", "v_sigma", "normalized"},
       "movie vectors: v (as trained: V for svd, Q for ALS), v_sigma (V times the singular "
       "values, users U; svd only), normalized (each movie vector scaled to length 1, users as "
       "trained)"},
      {"train.svd_tolerance", &svd_tolerance, 1e-14, 1e-2, {},
       "relative convergence tolerance of the Lanczos iterations"},
      {"train.svd_max_iterations", &svd_max_iterations, 1, 1000000, {},
       "Lanczos restarts before train_svd gives up"},
      {"train.als_iterations", &als_iterations, 1, 10000, {},
       "ALS iterations (each solves every user, then every movie)"},
      {"train.als_missing_weight", &als_missing_weight, 0.0, 1.0, {},
       "als: weight of each unobserved entry, counted as 0 (1 = fit the zero-filled matrix, 0 = "
       "observed entries only)"},
      {"train.als_regularization", &als_regularization, 0.0, 1e6, {},
       "ALS: penalty on the squared length of every user and movie vector (above 0)"},
      {"train.bias_regularization", &bias_regularization, 0.0, 1e6, {},
       "biased_als: penalty on every squared user and movie bias"},
      {"train.als_cg_steps", &als_cg_steps, 0, 1000, {},
       "ALS: 0 solves each user's and movie's system exactly (cost grows with k squared); n > 0 "
       "takes n conjugate-gradient steps instead (cheaper for large k, approximate)"},
      {"train.seed", &seed, 0, 2147483647, {}, "seed of the ALS starting movie vectors"},
  };
}

nlohmann::json PipelineConfig::to_json() const {
  PipelineConfig copy = *this;
  return fields_to_json(copy.fields());
}

void PipelineConfig::validate(const std::string& source) const {
  if (train_ratio + val_ratio > 1.0 + 1e-9) {
    throw ConfigError(source, 0, "split.val_ratio",
                      "split.train_ratio + split.val_ratio must be at most 1, got " +
                          number_text(train_ratio + val_ratio));
  }
  if (model == "biased_als" && target != "rating") {
    throw ConfigError(source, 0, "train.target",
                      "is " + target +
                          ", but train.model biased_als fits stars (mean + biases + user . "
                          "movie): set train.target to rating, or choose another train.model");
  }
  if (movie_scaling == "v_sigma" && model != "svd") {
    throw ConfigError(source, 0, "train.movie_scaling",
                      "v_sigma scales by singular values, which only train.model svd has; "
                      "choose v or normalized for " +
                          model);
  }
  if (model != "svd" && !(als_regularization > 0)) {
    throw ConfigError(source, 0, "train.als_regularization",
                      "must be above 0 for train.model " + model +
                          " (each user's and movie's least-squares system needs it)");
  }
}

PipelineConfig load_pipeline_config(const std::filesystem::path& path) {
  PipelineConfig config;
  apply_yaml_file(path, config.fields());
  config.validate(path.string());
  return config;
}

}  // namespace movierec
