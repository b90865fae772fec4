#include "movierec/train/training.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>
#include <numeric>
#include <ostream>
#include <tuple>
#include <utility>

#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/id_index.hpp"
#include "movierec/io/progress.hpp"
#include "movierec/train/scoring.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

constexpr const char* kTrainFile = "train_transformed.csv";
constexpr const char* kValFile = "val_transformed.csv";
constexpr std::size_t kSummarySingularValues = 5;  // how many the summary shows

// Sorts each row's entries by column, as Eigen expects of a compressed matrix, and refuses a
// column met twice in a row (a movie rated twice by one user).
void sort_rows(RatingMatrix& matrix, const std::string& source) {
  SparseMatrix& m = matrix.values;
  std::vector<std::pair<int, double>> entries;
  for (Eigen::Index row = 0; row < m.rows(); ++row) {
    int* inner = m.innerIndexPtr() + m.outerIndexPtr()[row];
    double* values = m.valuePtr() + m.outerIndexPtr()[row];
    const int size = m.outerIndexPtr()[row + 1] - m.outerIndexPtr()[row];
    if (!std::is_sorted(inner, inner + size)) {
      entries.clear();
      for (int p = 0; p < size; ++p) entries.emplace_back(inner[p], values[p]);
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (int p = 0; p < size; ++p) std::tie(inner[p], values[p]) = entries[p];
    }
    const int* repeated = std::adjacent_find(inner, inner + size);
    if (repeated != inner + size) {
      throw InputError(source, 0,
                       fmt::format("user {} rates movie {} more than once",
                                   matrix.users.id(static_cast<std::size_t>(row)),
                                   matrix.movies.id(static_cast<std::size_t>(*repeated))));
    }
  }
}

// Scales each movie vector to length 1; a zero vector (a movie nobody's taste reaches) stays 0.
void normalize_rows(RowMatrixXf& movies) {
  for (Eigen::Index row = 0; row < movies.rows(); ++row) {
    const float norm = movies.row(row).norm();
    if (norm > 0) movies.row(row) /= norm;
  }
}

void record_shape(Artifacts& artifacts, const RatingMatrix& matrix, int k, FactorModel model,
                  MovieScaling scaling) {
  artifacts.user_map = matrix.users;
  artifacts.movie_map = matrix.movies;
  artifacts.manifest["model"] = std::string(choice_name(model));
  artifacts.manifest["movie_scaling"] = std::string(choice_name(scaling));
  artifacts.manifest["k"] = k;
  artifacts.manifest["rows"] = {{"users", matrix.values.rows()},
                                {"movies", matrix.values.cols()},
                                {"nonzeros", matrix.values.nonZeros()}};
}

}  // namespace

nlohmann::json recorded_config(const PipelineConfig& config, const nlohmann::json& processed) {
  nlohmann::json recorded = config.to_json();
  recorded.erase("profiles");  // preprocess's, if it used any (below)
  const auto used = processed.find("config");
  if (used != processed.end() && used->is_object()) {
    for (const auto& [section, values] : used->items()) {
      if (section != "train") recorded[section] = values;
    }
  }
  return recorded;
}

double target_value(const TransformedRating& rating, Target target) {
  switch (target) {
    case Target::kFinalRating:
      return rating.final_rating;
    case Target::kRatingNorm:
      return rating.rating_norm;
    case Target::kRating:
      return rating.rating.rating;
    case Target::kLike:
      return rating.rating.rating >= kLikeStars ? 1.0 : 0.0;
  }
  return 0;
}

std::optional<double> as_final_rating(double prediction, const TransformedRating& rating,
                                      Target target) {
  const double weight = rating.pop_weight * rating.time_weight;
  switch (target) {
    case Target::kFinalRating:
      return prediction;
    case Target::kRatingNorm:
      return prediction * weight;
    case Target::kRating:
      return (prediction - (rating.rating.rating - rating.rating_norm)) * weight;
    case Target::kLike:
      return std::nullopt;
  }
  return std::nullopt;
}

RatingMatrix build_rating_matrix(const std::vector<TransformedRating>& ratings, Target target,
                                 const std::string& source) {
  if (ratings.empty()) throw Error(source + ": no ratings to train on");
  // Eigen indexes the stored values with int.
  if (ratings.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error(fmt::format("{}: {} ratings are more than one matrix can hold ({})", source,
                            ratings.size(), std::numeric_limits<int>::max()));
  }
  const IdIndex users(ratings, [](const TransformedRating& r) { return r.rating.user; });
  const IdIndex movies(ratings, [](const TransformedRating& r) { return r.rating.movie; });
  const auto rows = static_cast<Eigen::Index>(users.size());
  RatingMatrix matrix{SparseMatrix(rows, static_cast<Eigen::Index>(movies.size())),
                      IdMap(users.ids()), IdMap(movies.ids())};

  // Compressed rows filled in place; ratings come grouped by user, so the writes run in order.
  SparseMatrix& m = matrix.values;
  m.resizeNonZeros(static_cast<Eigen::Index>(ratings.size()));
  int* outer = m.outerIndexPtr();
  std::fill(outer, outer + rows + 1, 0);
  for (const TransformedRating& r : ratings) ++outer[users.find(r.rating.user) + 1];
  std::partial_sum(outer, outer + rows + 1, outer);
  std::vector<int> next(outer, outer + rows);
  for (const TransformedRating& r : ratings) {
    const int at = next[users.find(r.rating.user)]++;
    m.innerIndexPtr()[at] = static_cast<int>(movies.find(r.rating.movie));
    m.valuePtr()[at] = target_value(r, target);
  }
  sort_rows(matrix, source);
  return matrix;
}

Validation validate(const Artifacts& model, const std::vector<TransformedRating>& ratings,
                    Target target) {
  Validation result;
  double squared = 0;
  for (const TransformedRating& r : ratings) {
    const auto user = model.user_map.row(r.rating.user);
    const auto movie = model.movie_map.row(r.rating.movie);
    if (!user || !movie) {
      ++result.skipped;
      continue;
    }
    const double error = predict(model, *user, *movie) - target_value(r, target);
    squared += error * error;
    ++result.rows;
  }
  if (result.rows > 0) result.rmse = std::sqrt(squared / static_cast<double>(result.rows));
  return result;
}

Artifacts factorise(const RatingMatrix& matrix, int k, const SvdOptions& options,
                    MovieScaling scaling) {
  const SvdResult svd = truncated_svd(matrix.values, k, options);
  Artifacts artifacts;
  if (scaling == MovieScaling::kVSigma) {
    artifacts.user_embeddings = svd.u.cast<float>();
    artifacts.movie_embeddings = (svd.v * svd.singular_values.asDiagonal()).cast<float>();
  } else {
    artifacts.user_embeddings = (svd.u * svd.singular_values.asDiagonal()).cast<float>();
    artifacts.movie_embeddings = svd.v.cast<float>();
    if (scaling == MovieScaling::kNormalized) normalize_rows(artifacts.movie_embeddings);
  }
  record_shape(artifacts, matrix, k, FactorModel::kSvd, scaling);
  artifacts.manifest["singular_values"] =
      std::vector<double>(svd.singular_values.begin(), svd.singular_values.end());
  artifacts.manifest["svd_products"] = svd.products;
  return artifacts;
}

Artifacts factorise_als(const RatingMatrix& matrix, const AlsOptions& options, bool biased,
                        MovieScaling scaling, const AlsPartition* partition) {
  const FactorModel model = biased ? FactorModel::kBiasedAls : FactorModel::kAls;
  Artifacts artifacts;
  std::vector<double> objective;
  if (biased) {
    BiasedFactors factors = partition ? biased_als(matrix.values, options, *partition)
                                      : biased_als(matrix.values, options);
    artifacts.user_embeddings = factors.users.cast<float>();
    artifacts.movie_embeddings = factors.movies.cast<float>();
    artifacts.user_bias = factors.user_bias.cast<float>();
    artifacts.movie_bias = factors.movie_bias.cast<float>();
    artifacts.global_mean = factors.global_mean;
    objective = std::move(factors.objective);
  } else {
    AlsFactors factors = partition ? weighted_als(matrix.values, options, *partition)
                                   : weighted_als(matrix.values, options);
    artifacts.user_embeddings = factors.users.cast<float>();
    artifacts.movie_embeddings = factors.movies.cast<float>();
    objective = std::move(factors.objective);
  }
  if (scaling == MovieScaling::kNormalized) normalize_rows(artifacts.movie_embeddings);
  record_shape(artifacts, matrix, options.k, model, scaling);
  artifacts.manifest["als"] = {{"iterations", options.iterations}, {"objective", objective}};
  return artifacts;
}

AlsOptions als_options(const PipelineConfig& config) {
  AlsOptions options;
  options.k = config.k;
  options.iterations = config.als_iterations;
  options.missing_weight = config.als_missing_weight;
  options.regularization = config.als_regularization;
  options.bias_regularization = config.bias_regularization;
  options.seed = static_cast<std::uint64_t>(config.seed);
  options.cg_steps = config.als_cg_steps;
  return options;
}

Artifacts fit_model(const RatingMatrix& matrix, const PipelineConfig& config,
                    const ProgressSink& progress) {
  const FactorModel model = config.model;
  const MovieScaling scaling = config.movie_scaling;
  if (model == FactorModel::kSvd) {
    SvdOptions options;
    options.tolerance = config.svd_tolerance;
    options.max_iterations = config.svd_max_iterations;
    if (progress) {
      options.progress = [&](std::size_t products) {
        progress("SVD (matrix-vector products)", products, 0);
      };
    }
    return factorise(matrix, config.k, options, scaling);
  }
  AlsOptions options = als_options(config);
  if (progress) {
    options.progress = [&](int iteration, double) {
      progress("ALS iterations", static_cast<std::size_t>(iteration),
               static_cast<std::size_t>(config.als_iterations));
    };
  }
  return factorise_als(matrix, options, model == FactorModel::kBiasedAls, scaling);
}

nlohmann::json train_model(const ProcessedFolder& processed, const fs::path& out_dir,
                           const PipelineConfig& config, const ProgressSink& progress) {
  return train_model(processed, out_dir, config, progress, fit_model, true);
}

nlohmann::json train_model(const ProcessedFolder& processed, const fs::path& out_dir,
                           const PipelineConfig& config, const ProgressSink& progress,
                           const ModelFit& fit, bool write) {
  const auto start = std::chrono::steady_clock::now();
  const Target target = config.target;
  config.validate("train_svd");  // a config built in code meets the YAML's rules too
  // Both inputs are looked up before the long work, so a missing one fails at once.
  processed.require(kTrainFile);
  processed.require(kValFile);

  // The validation file is read on a second thread while the (larger) train file is read.
  std::future<std::vector<TransformedRating>> val_rows =
      std::async(std::launch::async, [&] { return processed.read_transformed(kValFile); });
  std::vector<TransformedRating> val;
  Artifacts artifacts;
  {
    RatingMatrix matrix = build_rating_matrix(processed.read_transformed(kTrainFile, progress),
                                              target, (processed.dir() / kTrainFile).string());
    val = val_rows.get();  // a bad validation file fails before the long part
    artifacts = fit(matrix, config, progress);
  }
  const Validation validation = validate(artifacts, val, target);

  nlohmann::json& manifest = artifacts.manifest;
  manifest["format_version"] = kArtifactsFormatVersion;
  manifest["program"] = "train_svd";
  manifest["created"] = utc_now();
  const std::string target_name(choice_name(target));
  manifest["target"] = target_name;
  manifest["predicts"] = target == Target::kRating ? "stars" : target_name;
  manifest["config"] = recorded_config(config, processed.manifest());
  manifest["inputs"] = {{kTrainFile, processed.checksum(kTrainFile)},
                        {kValFile, processed.checksum(kValFile)}};
  manifest["validation_rmse"] = validation.rmse ? nlohmann::json(*validation.rmse) : nullptr;
  manifest["validation_rows"] = validation.rows;
  manifest["validation_skipped"] = validation.skipped;
  manifest["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (write) save_artifacts(out_dir, artifacts);
  return manifest;
}

void print_training_summary(std::ostream& out, const nlohmann::json& manifest) {
  const nlohmann::json& rows = manifest.at("rows");
  out << fmt::format("matrix: {} users x {} movies, {} ratings (target {})\n",
                     rows.at("users").get<long long>(), rows.at("movies").get<long long>(),
                     rows.at("nonzeros").get<long long>(),
                     manifest.at("target").get<std::string>());
  const auto scaling = manifest.value("movie_scaling", std::string("v"));
  const std::string scaled = scaling == "v" ? "" : ", movie vectors " + scaling;
  if (manifest.contains("als")) {
    const auto objective = manifest.at("als").at("objective").get<std::vector<double>>();
    out << fmt::format("{}: k = {}, {} iterations, objective {:.6g} -> {:.6g}{}\n",
                       manifest.at("model").get<std::string>(), manifest.at("k").get<int>(),
                       objective.size(), objective.empty() ? 0.0 : objective.front(),
                       objective.empty() ? 0.0 : objective.back(), scaled);
  } else {
    const auto values = manifest.at("singular_values").get<std::vector<double>>();
    std::string shown;
    for (std::size_t i = 0; i < values.size() && i < kSummarySingularValues; ++i) {
      shown += fmt::format("{}{:.4g}", i > 0 ? ", " : "", values[i]);
    }
    if (values.size() > kSummarySingularValues) shown += ", ...";
    out << fmt::format("SVD: k = {}, singular values {} ({} matrix-vector products){}\n",
                       manifest.at("k").get<int>(), shown,
                       manifest.at("svd_products").get<long long>(), scaled);
  }
  const nlohmann::json& rmse = manifest.at("validation_rmse");
  out << fmt::format(
      "validation RMSE: {} on {} ratings ({} skipped: user or movie not in train)\n",
      rmse.is_null() ? std::string("none") : fmt::format("{:.6f}", rmse.get<double>()),
      manifest.at("validation_rows").get<long long>(),
      manifest.at("validation_skipped").get<long long>());
  out << fmt::format("time: {:.2f} s\n", manifest.at("seconds").get<double>());
}

}  // namespace movierec
