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
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "movierec/data/processed_files.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/id_index.hpp"
#include "movierec/io/memory.hpp"
#include "movierec/io/parallel.hpp"
#include "movierec/io/progress.hpp"
#include "movierec/train/lead_ins.hpp"
#include "movierec/train/outside_movies.hpp"
#include "movierec/train/scoring.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

constexpr std::size_t kSummarySingularValues = 5;  // how many the summary shows
constexpr std::size_t kSortPieces = 64;            // pieces of rows sorted on the cores in turn

// Sorts each row's entries by column, as Eigen expects of a compressed matrix, and refuses a
// column met twice in a row (a movie rated twice by one user): the first such row, on every
// core, in pieces of rows.
void sort_rows(RatingMatrix& matrix, const std::string& source) {
  SparseMatrix& m = matrix.values;
  const auto rows = static_cast<std::size_t>(m.rows());
  const std::size_t count = std::min<std::size_t>(rows, kSortPieces);
  // Per piece, the first repeated (row, column) found, if any.
  std::vector<std::optional<std::pair<Eigen::Index, int>>> repeated(count);
  parallel_for(count, [&](std::size_t piece) {
    std::vector<std::pair<int, double>> entries;
    const auto first = static_cast<Eigen::Index>(rows * piece / count);
    const auto end = static_cast<Eigen::Index>(rows * (piece + 1) / count);
    for (Eigen::Index row = first; row < end; ++row) {
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
      const int* twice = std::adjacent_find(inner, inner + size);
      if (twice != inner + size) {
        repeated[piece] = {row, *twice};
        return;
      }
    }
  });
  for (const auto& found : repeated) {
    if (found) {
      throw InputError(source, 0,
                       fmt::format("user {} rates movie {} more than once",
                                   matrix.users.id(static_cast<std::size_t>(found->first)),
                                   matrix.movies.id(static_cast<std::size_t>(found->second))));
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

// `ratings` as TargetRatings appended to `rows`.
template <typename Row>
void add_target_rows(std::vector<TargetRating>& rows, std::span<const Row> ratings, Target target) {
  for (const Row& r : ratings) {
    if constexpr (std::is_same_v<Row, Rating>) {
      rows.push_back({r.user, r.movie, target_value(TransformedRating{.rating = r}, target)});
    } else {
      rows.push_back({r.rating.user, r.rating.movie, target_value(r, target)});
    }
  }
}

}  // namespace

void add_release_movies(Artifacts& artifacts, const ProcessedFolder& processed,
                        const PipelineConfig& config) {
  using namespace processed_files;
  if (processed.checksum(kMovieMetadata).empty()) return;
  // The train-period ratings of the movies the filter dropped (absent from older processed/).
  const bool rare = !processed.checksum(kRareTrainTransformed).empty();
  artifacts.manifest["outside_movies"] = add_outside_movies(
      artifacts, processed.read_catalog(),
      rare ? processed.read_transformed(kRareTrainTransformed) : std::vector<TransformedRating>{},
      config);
  if (rare) {
    artifacts.manifest["inputs"][kRareTrainTransformed] = processed.checksum(kRareTrainTransformed);
  }
}

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

bool stars_target(Target target) { return target == Target::kRating || target == Target::kLike; }

TrainingInputs training_inputs(Target target) {
  using namespace processed_files;
  if (stars_target(target)) return {kTrain, kVal};
  return {kTrainTransformed, kValTransformed};
}

void read_target_blocks(const ProcessedFolder& processed, const std::string& file, Target target,
                        const std::function<void(std::span<const TargetRating>)>& consume,
                        const ProgressSink& progress) {
  std::vector<TargetRating> rows;
  const auto hand_on = [&](auto block) {
    rows.clear();
    add_target_rows(rows, block, target);
    consume(rows);
  };
  if (stars_target(target)) {
    processed.read_rating_blocks(
        file, [&](std::span<const Rating> block) { hand_on(block); }, progress);
  } else {
    processed.read_transformed_blocks(
        file, [&](std::span<const TransformedRating> block) { hand_on(block); }, progress);
  }
}

std::vector<TargetRating> read_target_rows(const ProcessedFolder& processed,
                                           const std::string& file, Target target) {
  std::vector<TargetRating> rows;
  rows.reserve(processed.expected_rows(file));
  read_target_blocks(processed, file, target, [&](std::span<const TargetRating> block) {
    rows.insert(rows.end(), block.begin(), block.end());
  });
  return rows;
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

RatingMatrixBuilder::RatingMatrixBuilder(std::string source, std::size_t expected)
    : source_(std::move(source)) {
  // Eigen indexes the stored values with int.
  auto& data = storage_.data();
  data.reserve(static_cast<Eigen::Index>(
      std::min<std::size_t>(expected, static_cast<std::size_t>(std::numeric_limits<int>::max()))));
  const auto room = static_cast<std::size_t>(data.allocatedSize());
  prefer_huge_pages(data.indexPtr(), room * sizeof(int));
  prefer_huge_pages(data.valuePtr(), room * sizeof(double));
}

void RatingMatrixBuilder::add(std::span<const TargetRating> ratings) {
  if (ratings.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) - size_) {
    throw Error(fmt::format("{}: more than {} ratings are more than one matrix can hold", source_,
                            std::numeric_limits<int>::max()));
  }
  auto& data = storage_.data();
  data.resize(static_cast<Eigen::Index>(size_ + ratings.size()), 1.0);  // doubles when full
  int* movies = data.indexPtr();
  double* values = data.valuePtr();
  for (const TargetRating& r : ratings) {
    if (run_users_.empty() || run_users_.back() != r.user) {
      run_users_.push_back(r.user);
      run_starts_.push_back(size_);
    }
    movies[size_] = r.movie;
    values[size_] = r.value;
    ++size_;
  }
}

RatingMatrix RatingMatrixBuilder::finish() {
  if (size_ == 0) throw Error(source_ + ": no ratings to train on");
  auto& data = storage_.data();
  run_starts_.push_back(size_);
  const std::size_t runs = run_users_.size();
  std::vector<std::size_t> order(runs);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (!std::is_sorted(run_users_.begin(), run_users_.end())) {
    // A user's ratings in several places: the runs gathered by user, in the order they came.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return run_users_[a] < run_users_[b]; });
    Eigen::internal::CompressedStorage<double, int> sorted;
    sorted.resize(static_cast<Eigen::Index>(size_));
    std::size_t at = 0;
    std::vector<std::size_t> starts(runs + 1);
    for (std::size_t i = 0; i < runs; ++i) {
      const std::size_t run = order[i], begin = run_starts_[run], end = run_starts_[run + 1];
      starts[i] = at;
      std::copy(data.indexPtr() + begin, data.indexPtr() + end, sorted.indexPtr() + at);
      std::copy(data.valuePtr() + begin, data.valuePtr() + end, sorted.valuePtr() + at);
      at += end - begin;
    }
    starts[runs] = size_;
    data.swap(sorted);
    std::vector<std::int32_t> users(runs);
    for (std::size_t i = 0; i < runs; ++i) users[i] = run_users_[order[i]];
    run_users_ = std::move(users);
    run_starts_ = std::move(starts);
  }
  // Rows: the distinct users, ascending (runs of one user are neighbours now).
  std::vector<std::int32_t> user_ids;
  std::vector<int> outer;
  for (std::size_t i = 0; i < runs; ++i) {
    if (i == 0 || run_users_[i] != run_users_[i - 1]) {
      user_ids.push_back(run_users_[i]);
      outer.push_back(static_cast<int>(run_starts_[i]));
    }
  }
  outer.push_back(static_cast<int>(size_));
  const std::span<int> movies(data.indexPtr(), size_);
  const IdIndex movie_index(movies, [](int id) { return id; });
  for (int& movie : movies) movie = static_cast<int>(movie_index.find(movie));

  const auto rows = static_cast<Eigen::Index>(user_ids.size());
  RatingMatrix matrix{SparseMatrix(rows, static_cast<Eigen::Index>(movie_index.size())),
                      IdMap(std::move(user_ids)), IdMap(movie_index.ids())};
  matrix.values.data().swap(data);
  std::copy(outer.begin(), outer.end(), matrix.values.outerIndexPtr());
  storage_ = SparseMatrix();
  size_ = 0;
  run_users_.clear();
  run_starts_.clear();
  sort_rows(matrix, source_);
  return matrix;
}

RatingMatrix build_rating_matrix(const std::vector<TransformedRating>& ratings, Target target,
                                 const std::string& source) {
  std::vector<TargetRating> rows;
  rows.reserve(ratings.size());
  add_target_rows(rows, std::span(ratings), target);
  RatingMatrixBuilder builder(source, rows.size());
  builder.add(rows);
  return builder.finish();
}

RatingMatrix read_rating_matrix(const ProcessedFolder& processed, const std::string& file,
                                Target target, const ProgressSink& progress) {
  RatingMatrixBuilder builder((processed.dir() / file).string(), processed.expected_rows(file));
  read_target_blocks(
      processed, file, target, [&](std::span<const TargetRating> block) { builder.add(block); },
      progress);
  return builder.finish();
}

Validation validate(const Artifacts& model, const std::vector<TargetRating>& rows) {
  Validation result;
  double squared = 0;
  for (const TargetRating& r : rows) {
    const auto user = model.user_map.row(r.user);
    const auto movie = model.movie_map.row(r.movie);
    if (!user || !movie) {
      ++result.skipped;
      continue;
    }
    const double error = predict(model, *user, *movie) - r.value;
    squared += error * error;
    ++result.rows;
  }
  if (result.rows > 0) result.rmse = std::sqrt(squared / static_cast<double>(result.rows));
  return result;
}

Validation validate(const Artifacts& model, const std::vector<TransformedRating>& ratings,
                    Target target) {
  std::vector<TargetRating> rows;
  rows.reserve(ratings.size());
  add_target_rows(rows, std::span(ratings), target);
  return validate(model, rows);
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
  return train_model(processed, out_dir, config, progress, read_rating_matrix, fit_model, true);
}

nlohmann::json train_model(const ProcessedFolder& processed, const fs::path& out_dir,
                           const PipelineConfig& config, const ProgressSink& progress,
                           const MatrixRead& read, const ModelFit& fit, bool write) {
  const auto start = std::chrono::steady_clock::now();
  const Target target = config.target;
  config.validate("train_svd");  // a config built in code meets the YAML's rules too
  const TrainingInputs inputs = training_inputs(target);
  // Both inputs are looked up before the long work, so a missing one fails at once.
  processed.require(inputs.train);
  processed.require(inputs.val);

  // The validation file is read on a second thread while the (larger) train file is read; both
  // are streamed into compact forms (the matrix, TargetRating), never held as whole rows.
  std::future<std::vector<TargetRating>> val_rows = std::async(
      std::launch::async, [&] { return read_target_rows(processed, inputs.val, target); });
  std::vector<TargetRating> val;
  Artifacts artifacts;
  {
    RatingMatrix matrix = read(processed, inputs.train, target, progress);
    val = val_rows.get();  // a bad validation file fails before the long part
    artifacts = fit(matrix, config, progress);
  }
  const Validation validation = validate(artifacts, val);
  std::vector<TargetRating>().swap(val);

  nlohmann::json& manifest = artifacts.manifest;
  manifest["format_version"] = kArtifactsFormatVersion;
  manifest["program"] = "train_svd";
  manifest["created"] = utc_now();
  const std::string target_name(choice_name(target));
  manifest["target"] = target_name;
  manifest["predicts"] = target == Target::kRating ? "stars" : target_name;
  manifest["config"] = recorded_config(config, processed.manifest());
  manifest["inputs"] = {{inputs.train, processed.checksum(inputs.train)},
                        {inputs.val, processed.checksum(inputs.val)}};
  add_release_movies(artifacts, processed, config);
  if (config.lead_in_window > 0 && write) {
    manifest["lead_ins"] = add_lead_ins(artifacts, processed, processed_files::kTrain,
                                        {config.lead_in_window, config.lead_in_count,
                                         config.lead_in_shrinkage, config.lead_in_stars});
    manifest["inputs"][processed_files::kTrain] = processed.checksum(processed_files::kTrain);
  }
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
  if (const auto outside = manifest.find("outside_movies"); outside != manifest.end()) {
    const nlohmann::json& check = outside->at("content_check");
    out << fmt::format(
        "outside the catalog: {} movies, {} folded in from their ratings, {} placed by content "
        "(content check: cosine {:.3f} to trained vectors, the mean vector's {:.3f})\n",
        outside->at("movies").get<long long>(), outside->at("folded").get<long long>(),
        outside->at("from_content").get<long long>(), check.at("cosine").get<double>(),
        check.at("mean_vector_cosine").get<double>());
  }
  if (const auto leads = manifest.find("lead_ins"); leads != manifest.end()) {
    const nlohmann::json& signal = leads->at("order_signal");
    const std::string order = signal.is_null()
                                  ? "too few ratings to tell"
                                  : fmt::format("order signal {:.2f}", signal.get<double>());
    if (leads->at("written").get<bool>()) {
      out << fmt::format("lead-ins: up to {} per movie, from the {} ratings before it ({})\n",
                         leads->at("count").get<int>(), leads->at("window").get<int>(), order);
    } else {
      out << fmt::format(
          "lead-ins: none written: the order of each user's ratings says nothing of the movies "
          "({}, below {}; a random order gives about 1)\n",
          order, kMinOrderSignal);
    }
  }
  out << fmt::format("time: {:.2f} s\n", manifest.at("seconds").get<double>());
}

}  // namespace movierec
