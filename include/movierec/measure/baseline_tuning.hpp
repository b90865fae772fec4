// The strong simple baselines evaluate runs beside the shipped configuration (issue 14), and how
// their hyper-parameters are chosen.
//
// Leakage. Every baseline learns from train.csv only. Its hyper-parameters are chosen by one
// number: the mean likes after `steps` recommendations in simulated sessions whose answers come
// from the val ratings only (the same users, favourites and steps as the report's sessions,
// built with simulated_users(movies, train, val)). Test ratings never touch the choice. The
// report's sessions answer from val and test together (the README's protocol), so val ratings
// both choose a baseline's values and count in its score: that favours the baselines (they are
// tuned on part of the answers), never the shipped configuration. `evaluate --answers test`
// reports on test answers alone, which nothing was chosen on.
//
// The search. Each family's values lie on a small grid (BaselineOptions; every value is in the
// report). A grid of at most full_grid_points points is searched in full. A larger one (iALS's)
// by coordinate ascent from its middle: each axis in turn is set to its best value with the
// others fixed, until a whole pass moves nothing. Either way the result is the best point
// evaluated (the earliest on ties).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "movierec/measure/baseline.hpp"
#include "movierec/measure/simulate.hpp"
#include "movierec/session/model.hpp"

namespace movierec {

// The names --baselines takes, in the report's order.
inline const std::vector<std::string> kBaselineNames = {"popular", "random",  "ease", "puresvd",
                                                        "knn",     "rp3beta", "ials"};

// What the baselines are and which values their search tries. Each grid's start is its middle
// value unless said otherwise.
struct BaselineOptions {
  std::vector<std::string> names = kBaselineNames;  // which run (kBaselineNames)
  double dislike_weight = 1;  // a disliked movie's weight in the profile, subtracted (>= 0)
  // EASE: λ (the closed form's ridge; larger favours popular movies).
  std::vector<double> ease_lambdas = {10,    30,    100,    300,    1000,   3000,
                                      10000, 30000, 100000, 300000, 1000000};
  // PureSVD: k; the system at svd_fixed_k is always reported beside the k chosen on val.
  std::vector<double> svd_ks = {5, 10, 20, 50, 100, 200};
  int svd_fixed_k = 20;
  // item-kNN: neighbours K (a value at or above the catalog keeps every movie) and shrinkage h.
  std::vector<double> knn_neighbours = {5, 10, 20, 50, 100, 200, 1000000};
  std::vector<double> knn_shrinkages = {0, 10, 100, 1000, 10000};
  // RP3beta: α and β.
  std::vector<double> rp3_alphas = {0.25, 0.5, 0.75, 1, 1.5};
  std::vector<double> rp3_betas = {0, 0.2, 0.4, 0.6, 0.8, 1};
  // iALS: k, unobserved weight w0 and λ, with frequency exponent ν and iterations fixed. Values
  // of k above a quarter of the catalog are left out (a "low-rank" model that is not, and the
  // k³ solves dominate the run time).
  std::vector<double> ials_ks = {16, 32, 64, 128};
  std::vector<double> ials_unobserved = {0.01, 0.03, 0.1, 0.3, 1};
  std::vector<double> ials_regularizations = {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1};
  double ials_exponent = 1;
  int ials_iterations = 12;
  // Grids with at most this many points are searched exhaustively (coordinate ascent can stop
  // on a ridge: item-kNN's K and shrinkage trade off).
  std::size_t full_grid_points = 40;

  // Throws ConfigError naming the option (source "evaluate") for an unknown name, an empty or
  // non-positive grid, or values out of their ranges.
  void validate() const;
};

// "ease,knn" -> {"ease", "knn"}; "all" -> kBaselineNames; "none" or "" -> nothing. Throws
// ConfigError for an unknown name (listing the known ones).
std::vector<std::string> parse_baseline_names(const std::string& text);

// One point of a search: its values (in the family's axis order) and val likes.
struct GridPoint {
  std::vector<double> values;
  double val_likes = 0;
};

struct TunedBaseline {
  std::string name;               // as the report shows it: "EASE", "PureSVD (k 20)", ...
  std::string family;             // ease | puresvd | knn | rp3beta | ials
  std::vector<std::string> axes;  // the tuned values' names: "lambda", "k", ...
  std::vector<double> chosen;     // their chosen values
  double val_likes = 0;           // mean likes in the val sessions at the chosen values
  std::vector<GridPoint> tried;   // every point evaluated, in order
  std::shared_ptr<const ProfileScorer> scorer;  // the model at the chosen values
  double seconds = 0;                           // training and search (wall clock)
};

// Coordinate ascent over a grid of `sizes` values per axis from `start`, as described above;
// `score` maps a point (one index per axis) to the value to maximise and is called at most once
// per point. Returns the best point found.
std::vector<std::size_t> coordinate_search(
    const std::vector<std::size_t>& sizes, std::vector<std::size_t> start,
    const std::function<double(const std::vector<std::size_t>&)>& score);
// Every point of the grid, the last axis fastest; returns the best (the earliest on ties).
std::vector<std::size_t> full_search(
    const std::vector<std::size_t>& sizes,
    const std::function<double(const std::vector<std::size_t>&)>& score);
// Trains and tunes each model baseline named in options.names (popular and random are not
// models: the caller adds them) on `matrix`, scoring grid points by simulating `val_users` (whose
// answers must come from val only) on `model`'s catalog with `simulation`. Families that need a
// dense movies x movies matrix are skipped (with a line in `skipped`) above kMaxItemItemMovies.
// `progress`, if set, is told each family's name as it starts.
std::vector<TunedBaseline> tune_baselines(
    const BaselineOptions& options, const Model& model, const InteractionMatrix& matrix,
    const std::vector<SimulatedUser>& val_users, const SimulationOptions& simulation,
    std::vector<std::string>& skipped,
    const std::function<void(const std::string&)>& progress = {});

}  // namespace movierec
