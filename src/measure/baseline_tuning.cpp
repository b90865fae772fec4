#include "movierec/measure/baseline_tuning.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>

#include "movierec/io/error.hpp"
#include "movierec/measure/factor_models.hpp"
#include "movierec/measure/item_models.hpp"

namespace movierec {
namespace {

constexpr const char* kSource = "evaluate";

void check_grid(const std::vector<double>& grid, const char* key, double low, double high) {
  if (grid.empty()) throw ConfigError(kSource, 0, key, "the grid is empty");
  for (const double value : grid) {
    if (!(value >= low && value <= high)) {
      throw ConfigError(kSource, 0, key, fmt::format("{} is outside {} .. {}", value, low, high));
    }
  }
}

// A search's scorer factory: the point's values (one per axis) -> the model there.
using Build = std::function<std::shared_ptr<const ProfileScorer>(const std::vector<double>&)>;

// One family's search: its axes and grids, where it starts, and how a point becomes a model.
struct Search {
  std::string name;
  std::string family;
  std::vector<std::string> axes;
  std::vector<std::vector<double>> grids;
  std::vector<std::size_t> start;  // empty: each grid's middle
  Build build;
};

class Tuner {
 public:
  Tuner(const BaselineOptions& options, const Model& model,
        const std::vector<SimulatedUser>& val_users, const SimulationOptions& simulation)
      : options_(options), model_(model), users_(val_users), simulation_(simulation) {}

  // Mean likes after the last step of the val sessions under `scorer`.
  double val_likes(std::shared_ptr<const ProfileScorer> scorer) const {
    const SimulatedSystem system =
        baseline_system("tuning", model_, std::move(scorer), options_.dislike_weight);
    const std::vector<SystemResult> results = simulate({system}, users_, simulation_);
    return results.front().likes.empty() ? 0.0 : results.front().likes.back();
  }

  TunedBaseline run(const Search& search) const {
    const auto began = std::chrono::steady_clock::now();
    TunedBaseline tuned{search.name, search.family, search.axes, {}, 0, {}, nullptr, 0};
    std::vector<std::size_t> sizes, start = search.start;
    for (const auto& grid : search.grids) sizes.push_back(grid.size());
    if (start.empty()) {
      for (const std::size_t size : sizes) start.push_back((size - 1) / 2);
    }
    std::optional<double> best;
    const auto values_at = [&](const std::vector<std::size_t>& point) {
      std::vector<double> values;
      for (std::size_t axis = 0; axis < point.size(); ++axis) {
        values.push_back(search.grids[axis][point[axis]]);
      }
      return values;
    };
    std::size_t points = 1;
    for (const std::size_t size : sizes) points *= size;
    const auto score = [&](const std::vector<std::size_t>& point) {
      const std::vector<double> values = values_at(point);
      std::shared_ptr<const ProfileScorer> scorer = search.build(values);
      const double likes = val_likes(scorer);
      tuned.tried.push_back({values, likes});
      if (!best || likes > *best) {
        best = likes;
        tuned.chosen = values;
        tuned.val_likes = likes;
        tuned.scorer = std::move(scorer);
      }
      return likes;
    };
    if (points <= options_.full_grid_points) {
      full_search(sizes, score);
    } else {
      coordinate_search(sizes, start, score);
    }
    tuned.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return tuned;
  }

 private:
  const BaselineOptions& options_;
  const Model& model_;
  const std::vector<SimulatedUser>& users_;
  SimulationOptions simulation_;
};

// The grid's values at most `limit` (the largest value when none is).
std::vector<double> capped(const std::vector<double>& grid, double limit) {
  std::vector<double> kept;
  for (const double v : grid) {
    if (v <= limit) kept.push_back(v);
  }
  if (kept.empty()) kept.push_back(limit);
  return kept;
}

}  // namespace

void BaselineOptions::validate() const {
  for (const std::string& name : names) {
    if (std::find(kBaselineNames.begin(), kBaselineNames.end(), name) == kBaselineNames.end()) {
      throw ConfigError(kSource, 0, "baselines", "unknown baseline '" + name + "'");
    }
  }
  if (!(dislike_weight >= 0 && std::isfinite(dislike_weight))) {
    throw ConfigError(kSource, 0, "dislike_weight", "must be at least 0");
  }
  check_grid(ease_lambdas, "ease_lambdas", 1e-9, 1e12);
  check_grid(svd_ks, "svd_ks", 1, 1e6);
  if (svd_fixed_k < 1) throw ConfigError(kSource, 0, "svd_fixed_k", "must be at least 1");
  check_grid(knn_neighbours, "knn_neighbours", 1, 1e9);
  check_grid(knn_shrinkages, "knn_shrinkages", 0, 1e12);
  check_grid(rp3_alphas, "rp3_alphas", 1e-6, 100);
  check_grid(rp3_betas, "rp3_betas", 0, 100);
  check_grid(ials_ks, "ials_ks", 1, 4096);
  check_grid(ials_unobserved, "ials_unobserved", 0, 1);
  check_grid(ials_regularizations, "ials_regularizations", 1e-12, 1e12);
  if (!(ials_exponent >= 0 && ials_exponent <= 1)) {
    throw ConfigError(kSource, 0, "ials_exponent", "must be from 0 to 1");
  }
  if (ials_iterations < 1) throw ConfigError(kSource, 0, "ials_iterations", "must be at least 1");
}

std::vector<std::string> parse_baseline_names(const std::string& text) {
  if (text == "all") return kBaselineNames;
  std::vector<std::string> names;
  if (text.empty() || text == "none") return names;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t comma = std::min(text.find(',', begin), text.size());
    const std::string name = text.substr(begin, comma - begin);
    if (std::find(kBaselineNames.begin(), kBaselineNames.end(), name) == kBaselineNames.end()) {
      std::string known;
      for (const std::string& k : kBaselineNames) known += (known.empty() ? "" : ", ") + k;
      throw ConfigError(kSource, 0, "baselines",
                        "unknown baseline '" + name + "' (known: " + known + ", all, none)");
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    begin = comma + 1;
  }
  return names;
}

std::vector<std::size_t> coordinate_search(
    const std::vector<std::size_t>& sizes, std::vector<std::size_t> start,
    const std::function<double(const std::vector<std::size_t>&)>& score) {
  if (sizes.empty() || start.size() != sizes.size()) throw Error("search: no axes, or no start");
  for (std::size_t axis = 0; axis < sizes.size(); ++axis) {
    if (sizes[axis] == 0 || start[axis] >= sizes[axis]) throw Error("search: start off the grid");
  }
  std::map<std::vector<std::size_t>, double> seen;
  std::vector<std::size_t> best_point;
  double best = 0;
  const auto evaluate = [&](const std::vector<std::size_t>& point) {
    const auto found = seen.find(point);
    if (found != seen.end()) return found->second;
    const double value = score(point);
    seen.emplace(point, value);
    if (best_point.empty() || value > best) {
      best = value;
      best_point = point;
    }
    return value;
  };
  std::vector<std::size_t> current = std::move(start);
  double current_value = evaluate(current);
  for (bool moved = true; moved;) {
    moved = false;
    for (std::size_t axis = 0; axis < sizes.size(); ++axis) {
      std::vector<std::size_t> point = current;
      for (std::size_t i = 0; i < sizes[axis]; ++i) {
        point[axis] = i;
        const double value = evaluate(point);
        if (value > current_value) {
          current_value = value;
          current = point;
          moved = true;
        }
      }
    }
  }
  return best_point;
}

std::vector<std::size_t> full_search(
    const std::vector<std::size_t>& sizes,
    const std::function<double(const std::vector<std::size_t>&)>& score) {
  if (sizes.empty() || std::find(sizes.begin(), sizes.end(), 0) != sizes.end()) {
    throw Error("search: an empty grid");
  }
  std::vector<std::size_t> point(sizes.size(), 0), best_point;
  double best = 0;
  for (;;) {
    const double value = score(point);
    if (best_point.empty() || value > best) {
      best = value;
      best_point = point;
    }
    // The next point, the last axis fastest.
    std::size_t axis = sizes.size();
    while (axis > 0 && ++point[axis - 1] == sizes[axis - 1]) point[--axis] = 0;
    if (axis == 0) return best_point;
  }
}

std::vector<TunedBaseline> tune_baselines(const BaselineOptions& options, const Model& model,
                                          const InteractionMatrix& matrix,
                                          const std::vector<SimulatedUser>& val_users,
                                          const SimulationOptions& simulation,
                                          std::vector<std::string>& skipped,
                                          const std::function<void(const std::string&)>& progress) {
  options.validate();
  const auto wanted = [&](const char* name) {
    return std::find(options.names.begin(), options.names.end(), name) != options.names.end();
  };
  const Tuner tuner(options, model, val_users, simulation);
  const auto movies = static_cast<std::size_t>(matrix.rated.cols());
  const bool dense_fits = movies <= kMaxItemItemMovies;
  std::vector<TunedBaseline> tuned;
  const auto announce = [&](const std::string& name) {
    if (progress) progress(name);
  };
  const auto too_large = [&](const char* name) {
    skipped.push_back(fmt::format(
        "{}: {} movies are more than the {} a dense movies x movies matrix is fitted for", name,
        movies, kMaxItemItemMovies));
  };
  std::optional<Eigen::MatrixXd> gram;
  const auto shared_gram = [&]() -> const Eigen::MatrixXd& {
    if (!gram) gram = gram_matrix(matrix.rated);
    return *gram;
  };

  if (wanted("ease") && !dense_fits) too_large("EASE");
  if (wanted("ease") && dense_fits) {
    announce("EASE");
    tuned.push_back(tuner.run(
        {"EASE", "ease", {"lambda"}, {options.ease_lambdas}, {}, [&](const std::vector<double>& v) {
           return std::make_shared<ItemItemScorer>(ease_weights_from_gram(shared_gram(), v[0]));
         }}));
  }
  if (wanted("puresvd")) {
    announce("PureSVD");
    const double limit =
        static_cast<double>(std::min(matrix.stars.rows(), matrix.stars.cols()) - 1);
    std::vector<double> ks = capped(options.svd_ks, limit);
    const double fixed = std::min(static_cast<double>(options.svd_fixed_k), limit);
    const auto largest = static_cast<int>(std::max(*std::max_element(ks.begin(), ks.end()), fixed));
    const auto began = std::chrono::steady_clock::now();
    const Eigen::MatrixXd v = pure_svd_vectors(matrix.stars, largest);
    const double svd_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    const Build build = [&](const std::vector<double>& values) {
      return std::make_shared<PureSvdScorer>(v, static_cast<int>(values[0]));
    };
    TunedBaseline at_fixed =
        tuner.run({fmt::format("PureSVD (k {})", fixed), "puresvd", {"k"}, {{fixed}}, {}, build});
    at_fixed.seconds += svd_seconds;
    tuned.push_back(std::move(at_fixed));
    tuned.push_back(tuner.run({"PureSVD", "puresvd", {"k"}, {ks}, {}, build}));
  }
  if (wanted("knn") && !dense_fits) too_large("item-kNN");
  if (wanted("knn") && dense_fits) {
    announce("item-kNN");
    const std::vector<double> neighbours =
        capped(options.knn_neighbours, static_cast<double>(movies - 1));
    tuned.push_back(tuner.run({"item-kNN",
                               "knn",
                               {"neighbours", "shrinkage"},
                               {neighbours, options.knn_shrinkages},
                               {},
                               [&](const std::vector<double>& v) {
                                 return std::make_shared<ItemItemScorer>(knn_weights_from_gram(
                                     shared_gram(), static_cast<std::size_t>(v[0]), v[1]));
                               }}));
  }
  if (wanted("rp3beta") && !dense_fits) too_large("RP3beta");
  if (wanted("rp3beta") && dense_fits) {
    announce("RP3beta");
    tuned.push_back(tuner.run({"RP3beta",
                               "rp3beta",
                               {"alpha", "beta"},
                               {options.rp3_alphas, options.rp3_betas},
                               {},
                               [&](const std::vector<double>& v) {
                                 return std::make_shared<ItemItemScorer>(
                                     rp3beta_weights(matrix.rated, v[0], v[1]));
                               }}));
  }
  if (wanted("ials")) {
    announce("iALS");
    const double limit = std::max(
        1.0,
        std::floor(static_cast<double>(std::min(matrix.rated.rows(), matrix.rated.cols())) / 4));
    tuned.push_back(tuner.run(
        {"iALS",
         "ials",
         {"k", "unobserved_weight", "regularization"},
         {capped(options.ials_ks, limit), options.ials_unobserved, options.ials_regularizations},
         {},
         [&](const std::vector<double>& v) {
           IalsSettings settings;
           settings.k = static_cast<int>(v[0]);
           settings.unobserved = v[1];
           settings.regularization = v[2];
           settings.exponent = options.ials_exponent;
           settings.iterations = options.ials_iterations;
           return std::make_shared<IalsScorer>(matrix.rated, settings);
         }}));
  }
  return tuned;
}

}  // namespace movierec
