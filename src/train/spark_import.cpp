#include "movierec/train/spark_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/id_index.hpp"
#include "movierec/train/training.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

// The part-* files of a Spark output folder, by name.
std::vector<fs::path> part_files(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw Error(dir.string() + ": not a folder of Spark part-* files");
  std::vector<fs::path> parts;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("part-", 0) == 0 && !name.ends_with(".crc") && entry.is_regular_file()) {
      parts.push_back(entry.path());
    }
  }
  if (parts.empty()) throw Error(dir.string() + ": holds no part-* file");
  std::sort(parts.begin(), parts.end());
  return parts;
}

// Where an id or the features' length was first seen.
struct SparkPlace {
  std::string file;
  std::size_t line = 0;
};

// Parses one line into ids and `features`; `k` is set by the first line.
void read_factor_line(const LineReader& reader, const std::string& text, SparkFactors& out,
                      std::vector<float>& features, SparkPlace& k_from,
                      std::unordered_map<std::int32_t, SparkPlace>& seen) {
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    reader.fail(fmt::format("not a JSON object ({})", e.what()));
  }
  if (!object.is_object()) reader.fail("expected a JSON object {\"id\": .., \"features\": [..]}");
  const auto id = object.find("id");
  if (id == object.end() || !id->is_number_integer() || id->get<std::int64_t>() < 0 ||
      id->get<std::int64_t>() > std::numeric_limits<std::int32_t>::max()) {
    reader.fail("\"id\" must be a whole number from 0 to 2147483647" +
                (id == object.end() ? std::string(" (missing)") : " (got " + id->dump() + ")"));
  }
  const auto key = static_cast<std::int32_t>(id->get<std::int64_t>());
  const auto [at, fresh] = seen.emplace(key, SparkPlace{reader.source(), reader.line()});
  if (!fresh) {
    reader.fail(
        fmt::format("id {} appears twice (first at {}:{})", key, at->second.file, at->second.line));
  }
  const auto values = object.find("features");
  if (values == object.end() || !values->is_array() || values->empty()) {
    reader.fail("\"features\" must be a non-empty list of numbers");
  }
  if (out.ids.empty()) {
    k_from = {reader.source(), reader.line()};
  } else if (values->size() * out.ids.size() != features.size()) {
    reader.fail(fmt::format("{} features, but {}:{} has {}", values->size(), k_from.file,
                            k_from.line, features.size() / out.ids.size()));
  }
  for (std::size_t i = 0; i < values->size(); ++i) {
    const nlohmann::json& value = (*values)[i];
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      reader.fail(fmt::format("feature {} is not a finite number (got {})", i + 1, value.dump()));
    }
    features.push_back(value.get<float>());
  }
  out.ids.push_back(key);
}

// The ids of `ids` found in `wanted` (ascending), and how many of each side are left over.
struct SparkMatch {
  std::vector<std::int32_t> ids;
  std::size_t only_in_spark = 0;
  std::size_t without_factors = 0;
};

SparkMatch match_ids(const std::vector<std::int32_t>& spark, const IdIndex& wanted) {
  SparkMatch match;
  for (const std::int32_t id : spark) {
    if (wanted.find(id) != IdIndex::kNone) {
      match.ids.push_back(id);
    } else {
      ++match.only_in_spark;
    }
  }
  std::sort(match.ids.begin(), match.ids.end());
  match.without_factors = wanted.size() - match.ids.size();
  return match;
}

// The rows of `side` for `ids`, in that order.
RowMatrixXf rows_for(const SparkFactors& side, const std::vector<std::int32_t>& ids) {
  std::unordered_map<std::int32_t, Eigen::Index> row_of;
  for (std::size_t i = 0; i < side.ids.size(); ++i) {
    row_of.emplace(side.ids[i], static_cast<Eigen::Index>(i));
  }
  RowMatrixXf rows(static_cast<Eigen::Index>(ids.size()), side.factors.cols());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    rows.row(static_cast<Eigen::Index>(i)) = side.factors.row(row_of.at(ids[i]));
  }
  return rows;
}

nlohmann::json counts(const SparkMatch& match) {
  return {{"imported", match.ids.size()},
          {"only_in_spark", match.only_in_spark},
          {"without_factors", match.without_factors}};
}

}  // namespace

SparkFactors read_spark_factors(const fs::path& dir) {
  SparkFactors result;
  std::vector<float> features;
  SparkPlace k_from;
  std::unordered_map<std::int32_t, SparkPlace> seen;
  for (const fs::path& file : part_files(dir)) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError(file.string(), 0, "cannot be opened");
    LineReader reader(in, file.string());
    std::string text;
    while (reader.next(text)) {
      if (text.find_first_not_of(" \t") == std::string::npos) continue;
      read_factor_line(reader, text, result, features, k_from, seen);
    }
    if (in.bad()) throw InputError(file.string(), 0, "could not be read to the end");
  }
  if (result.ids.empty()) throw Error(dir.string() + ": its part-* files hold no factors");
  const auto rows = static_cast<Eigen::Index>(result.ids.size());
  result.factors = Eigen::Map<const RowMatrixXf>(features.data(), rows,
                                                 static_cast<Eigen::Index>(features.size()) / rows);
  return result;
}

nlohmann::json import_spark_factors(const fs::path& spark_dir, const ProcessedFolder& processed,
                                    const fs::path& out_dir, const PipelineConfig& config) {
  // Spark's ALS fits stars: its factors are matched and validated against the stars files.
  const TrainingInputs inputs = training_inputs(Target::kRating);
  processed.require(inputs.train);
  processed.require(inputs.val);
  const SparkFactors users = read_spark_factors(spark_dir / "userFactors");
  const SparkFactors movies = read_spark_factors(spark_dir / "itemFactors");
  if (users.factors.cols() != movies.factors.cols()) {
    throw Error(fmt::format("{}: users have {} features but items {}", spark_dir.string(),
                            users.factors.cols(), movies.factors.cols()));
  }
  const auto k = static_cast<int>(users.factors.cols());

  const std::vector<Rating> train = processed.read_ratings(inputs.train);
  const SparkMatch user_match =
      match_ids(users.ids, IdIndex(train, [](const Rating& r) { return r.user; }));
  const SparkMatch movie_match =
      match_ids(movies.ids, IdIndex(train, [](const Rating& r) { return r.movie; }));
  if (user_match.ids.empty() || movie_match.ids.empty()) {
    throw Error(fmt::format(
        "{}: no {} id matches one of {}'s train ratings (are these factors of this release?)",
        spark_dir.string(), user_match.ids.empty() ? "user" : "item", processed.dir().string()));
  }

  Artifacts artifacts;
  artifacts.user_embeddings = rows_for(users, user_match.ids);
  artifacts.movie_embeddings = rows_for(movies, movie_match.ids);
  artifacts.user_map = IdMap(user_match.ids);
  artifacts.movie_map = IdMap(movie_match.ids);

  PipelineConfig recorded = config;
  recorded.k = k;
  recorded.model = FactorModel::kAls;
  recorded.target = Target::kRating;
  const Validation validation =
      validate(artifacts, read_target_rows(processed, inputs.val, Target::kRating));

  nlohmann::json& manifest = artifacts.manifest;
  manifest["format_version"] = kArtifactsFormatVersion;
  manifest["program"] = "import_factors";
  manifest["created"] = utc_now();
  manifest["model"] = "spark_als";
  manifest["movie_scaling"] = "v";
  manifest["k"] = k;
  manifest["target"] = "rating";
  manifest["predicts"] = "stars";
  manifest["config"] = recorded_config(recorded, processed.manifest());
  manifest["inputs"] = {{inputs.train, processed.checksum(inputs.train)},
                        {inputs.val, processed.checksum(inputs.val)}};
  manifest["rows"] = {{"users", user_match.ids.size()}, {"movies", movie_match.ids.size()}};
  manifest["spark"] = {{"folder", fs::absolute(spark_dir).lexically_normal().string()},
                       {"users", counts(user_match)},
                       {"movies", counts(movie_match)}};
  manifest["validation_rmse"] = validation.rmse ? nlohmann::json(*validation.rmse) : nullptr;
  manifest["validation_rows"] = validation.rows;
  manifest["validation_skipped"] = validation.skipped;
  // Spark's (explicit) ALS fits the observed ratings only: so does the fold-in of the rest.
  PipelineConfig observed = recorded;
  observed.als_missing_weight = 0;
  add_release_movies(artifacts, processed, observed);
  save_artifacts(out_dir, artifacts);
  return manifest;
}

}  // namespace movierec
