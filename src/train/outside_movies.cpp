#include "movierec/train/outside_movies.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string>
#include <unordered_map>

#include "movierec/io/parallel.hpp"
#include "movierec/train/training.hpp"

namespace movierec {
namespace {

// Features seen on fewer trained movies say nothing a regression can learn; the cap keeps the
// regression's system (features squared) small on any release.
constexpr std::size_t kMinFeatureMovies = 3;
constexpr std::size_t kMaxFeatures = 2000;
constexpr std::size_t kContentCheckEvery = 5;  // every fifth trained movie checks the content map

using ContentRows = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// The feature vocabulary, learned from the trained movies.
struct ContentVocabulary {
  std::unordered_map<std::string, int> index;

  // Features of at least kMinFeatureMovies of `movies`, the most frequent kMaxFeatures.
  explicit ContentVocabulary(const std::vector<std::vector<std::string>>& movies) {
    std::map<std::string, std::size_t> counts;
    for (const auto& features : movies) {
      for (const std::string& feature : features) ++counts[feature];
    }
    std::vector<std::pair<std::size_t, std::string>> frequent;
    for (auto& [feature, count] : counts) {
      if (count >= kMinFeatureMovies) frequent.emplace_back(count, feature);
    }
    std::sort(frequent.begin(), frequent.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (frequent.size() > kMaxFeatures) frequent.resize(kMaxFeatures);
    for (const auto& [count, feature] : frequent) {
      index.emplace(feature, static_cast<int>(index.size()));
    }
  }

  // One row per movie; each kind of feature (the text before ':') weighs 1 in all, spread evenly
  // over the movie's features of that kind, so a long overview does not drown the genres.
  ContentRows rows(const std::vector<std::vector<std::string>>& movies) const {
    std::vector<Eigen::Triplet<double>> entries;
    for (std::size_t m = 0; m < movies.size(); ++m) {
      std::map<std::string, std::vector<int>> kinds;
      for (const std::string& feature : movies[m]) {
        const auto at = index.find(feature);
        if (at != index.end()) kinds[feature.substr(0, feature.find(':'))].push_back(at->second);
      }
      for (const auto& [kind, columns] : kinds) {
        const double weight = 1.0 / std::sqrt(static_cast<double>(columns.size()));
        for (const int column : columns) {
          entries.emplace_back(static_cast<int>(m), column, weight);
        }
      }
    }
    ContentRows matrix(static_cast<Eigen::Index>(movies.size()),
                       static_cast<Eigen::Index>(index.size()));
    matrix.setFromTriplets(entries.begin(), entries.end());
    return matrix;
  }
};

// Ridge regression from content rows to vectors: mean + x W, W = (XᵀX + α I)⁻¹ Xᵀ (V − mean).
struct ContentMap {
  Eigen::RowVectorXd mean;
  Eigen::MatrixXd weights;  // features x k

  ContentMap(const ContentRows& x, const Eigen::MatrixXd& vectors, double alpha)
      : mean(vectors.colwise().mean()) {
    const Eigen::MatrixXd centred = vectors.rowwise() - mean;
    Eigen::MatrixXd gram = Eigen::MatrixXd(x.transpose() * x);
    gram.diagonal().array() += alpha;
    weights = gram.ldlt().solve(Eigen::MatrixXd(x.transpose() * centred));
  }

  Eigen::MatrixXd predict(const ContentRows& x) const {
    return (Eigen::MatrixXd(x * weights)).rowwise() + mean;
  }
};

double row_cosine(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b) {
  const double norms = a.norm() * b.norm();
  return norms > 0 ? a.dot(b) / norms : 0.0;
}

// Content vectors of the outside movies (features `outside`) from the map fitted on the trained
// movies (features `trained`, vectors `vectors`); records the map's check in `summary`.
Eigen::MatrixXd content_vectors(const std::vector<std::vector<std::string>>& trained,
                                const Eigen::MatrixXd& vectors,
                                const std::vector<std::vector<std::string>>& outside, double alpha,
                                nlohmann::json& summary) {
  const ContentVocabulary vocabulary(trained);
  // The check first: every fifth trained movie, predicted by a map fitted without them.
  std::vector<std::vector<std::string>> fit_features, check_features;
  std::vector<Eigen::Index> fit_rows, check_rows;
  for (std::size_t row = 0; row < trained.size(); ++row) {
    const bool check = row % kContentCheckEvery == kContentCheckEvery - 1;
    (check ? check_features : fit_features).push_back(trained[row]);
    (check ? check_rows : fit_rows).push_back(static_cast<Eigen::Index>(row));
  }
  double check_cosine = 0, mean_cosine = 0;
  if (!check_rows.empty() && !fit_rows.empty()) {
    const ContentMap map(vocabulary.rows(fit_features), vectors(fit_rows, Eigen::all), alpha);
    const Eigen::MatrixXd predicted = map.predict(vocabulary.rows(check_features));
    for (std::size_t i = 0; i < check_rows.size(); ++i) {
      const Eigen::RowVectorXd truth = vectors.row(check_rows[i]);
      check_cosine += row_cosine(predicted.row(static_cast<Eigen::Index>(i)), truth);
      mean_cosine += row_cosine(map.mean, truth);
    }
  }
  const double checked = static_cast<double>(check_rows.size());
  summary["content_features"] = vocabulary.index.size();
  summary["content_check"] = {{"movies", check_rows.size()},
                              {"cosine", checked > 0 ? check_cosine / checked : 0.0},
                              {"mean_vector_cosine", checked > 0 ? mean_cosine / checked : 0.0}};
  return ContentMap(vocabulary.rows(trained), vectors, alpha).predict(vocabulary.rows(outside));
}

// The weight of an unrated entry in the model's own movie step (outside_movies.hpp).
double missing_weight(const PipelineConfig& config) {
  switch (config.model) {
    case FactorModel::kSvd:
      return 1.0;  // every unrated entry is a 0 of the factorised matrix
    case FactorModel::kBiasedAls:
      return 0.0;  // observed entries only
    case FactorModel::kAls:
      return config.als_missing_weight;
  }
  return config.als_missing_weight;
}

}  // namespace

std::vector<std::string> content_features(const MovieInfo& movie) {
  std::vector<std::string> features;
  for (const std::string& genre : movie.genres) features.push_back("genre:" + genre);
  if (movie.year > 0) features.push_back(fmt::format("decade:{}", movie.year / 10 * 10));
  const auto lower = [](std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
  };
  for (const std::string& tag : movie.tags) features.push_back("tag:" + lower(tag));
  std::string word;
  const auto flush = [&] {
    if (word.size() >= 3) features.push_back("word:" + lower(word));
    word.clear();
  };
  for (const char c : movie.overview) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += c;
    } else {
      flush();
    }
  }
  flush();
  std::sort(features.begin(), features.end());
  features.erase(std::unique(features.begin(), features.end()), features.end());
  return features;
}

nlohmann::json add_outside_movies(Artifacts& artifacts, const Catalog& catalog,
                                  const std::vector<TransformedRating>& rare,
                                  const PipelineConfig& config) {
  const IdMap& trained = artifacts.movie_map;
  std::vector<std::vector<std::string>> trained_features(trained.size());
  std::vector<std::int32_t> outside_ids;
  std::vector<std::vector<std::string>> outside_features;
  for (std::size_t row = 0; row < trained.size(); ++row) {
    if (const MovieInfo* info = catalog.find(trained.id(row))) {
      trained_features[row] = content_features(*info);
    }
  }
  for (const MovieInfo& movie : catalog.movies()) {  // sorted by id
    if (trained.row(movie.id)) continue;
    outside_ids.push_back(movie.id);
    outside_features.push_back(content_features(movie));
  }
  nlohmann::json summary = {{"movies", outside_ids.size()}};
  const Eigen::MatrixXd content =
      content_vectors(trained_features, artifacts.movie_embeddings.cast<double>(),
                      outside_features, config.content_regularization, summary);

  // Each outside movie's ratings by users the model knows, as (user row, target).
  const IdMap outside_map(outside_ids);
  std::vector<std::vector<std::pair<std::size_t, double>>> raters(outside_ids.size());
  for (const TransformedRating& r : rare) {
    const auto movie = outside_map.row(r.rating.movie);
    const auto user = artifacts.user_map.row(r.rating.user);
    if (!movie || !user) continue;
    double target = target_value(r, config.target);
    if (artifacts.has_biases()) {
      target -= artifacts.global_mean + artifacts.user_bias[static_cast<Eigen::Index>(*user)];
    }
    raters[*movie].emplace_back(*user, target);
  }

  // The fold-in: the model's movie step, pulled towards the content vector.
  const double w0 = missing_weight(config);
  const double lambda = config.fold_in_regularization;
  const Eigen::MatrixXd users = artifacts.user_embeddings.cast<double>();
  const Eigen::MatrixXd base = w0 * (users.transpose() * users);
  RowMatrixXf outside = content.cast<float>();
  Eigen::VectorXf evidence = Eigen::VectorXf::Zero(static_cast<Eigen::Index>(outside_ids.size()));
  parallel_for(raters.size(), [&](std::size_t m) {
    const auto& list = raters[m];
    if (list.empty()) return;
    const auto row = static_cast<Eigen::Index>(m);
    Eigen::MatrixXd a = base;
    a.diagonal().array() += lambda;
    Eigen::VectorXd b = lambda * content.row(row).transpose();
    for (const auto& [user, target] : list) {
      const auto u = users.row(static_cast<Eigen::Index>(user));
      a.noalias() += (1.0 - w0) * u.transpose() * u;
      b.noalias() += target * u.transpose();
    }
    outside.row(row) = a.ldlt().solve(b).transpose().cast<float>();
    evidence[row] = static_cast<float>(list.size());
  });
  if (!outside.allFinite()) throw Error("the outside movies' vectors are not finite");
  const auto folded = static_cast<std::size_t>((evidence.array() > 0).count());
  summary["folded"] = folded;
  summary["from_content"] = outside_ids.size() - folded;

  artifacts.outside_embeddings = std::move(outside);
  artifacts.outside_map = outside_map;
  artifacts.outside_ratings = std::move(evidence);
  return summary;
}

}  // namespace movierec
