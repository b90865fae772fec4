// The offline pipeline's settings (config/pipeline.yaml): preprocess's filter, split, transform
// and metadata keys and train_svd's train keys, in one struct with their defaults and ranges.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "movierec/io/config.hpp"

namespace movierec {

// What the user x movie matrix holds for each rating (train.target; training.hpp):
//   final_rating  the seed's signal, rating_norm * pop_weight * time_weight
//   rating_norm   stars minus the user's train mean
//   rating        stars
//   like          1 when stars >= kLikeStars, else 0
enum class Target { kFinalRating, kRatingNorm, kRating, kLike };
// How the embeddings are trained (train.model; training.hpp).
enum class FactorModel { kSvd, kAls, kBiasedAls };
// What the movie vectors are (train.movie_scaling; training.hpp).
enum class MovieScaling { kV, kVSigma, kNormalized };

// The names of each choice, in value order (config.hpp's NamedChoice).
inline constexpr std::string_view kTargetNames[] = {"final_rating", "rating_norm", "rating",
                                                    "like"};
inline constexpr std::string_view kFactorModelNames[] = {"svd", "als", "biased_als"};
inline constexpr std::string_view kMovieScalingNames[] = {"v", "v_sigma", "normalized"};
constexpr std::span<const std::string_view> choice_names(Target) { return kTargetNames; }
constexpr std::span<const std::string_view> choice_names(FactorModel) { return kFactorModelNames; }
constexpr std::span<const std::string_view> choice_names(MovieScaling) {
  return kMovieScalingNames;
}

// Offline pipeline settings: preprocess (filter, split, transform, metadata) and train_svd.
struct PipelineConfig {
  // filter (seed 2): users first, then movies.
  int min_user_ratings = 20;   // users with fewer ratings are dropped
  int min_movie_ratings = 50;  // then movies with fewer ratings are dropped
  // split (seed 3): per user, chronological.
  double train_ratio = 0.70;  // share of each user's ratings, oldest first, that trains
  double val_ratio = 0.15;    // the next share validates; the rest tests
  int min_split_ratings = 3;  // users with fewer ratings are left out of the split
  // transform (seed 4).
  double popularity_exponent = 0.5;  // pop_weight = train_count ^ -popularity_exponent
  double half_life_days = 365.0;     // time_weight halves every this many days before the newest
  // metadata.
  int top_tags = 5;  // most used tags kept per movie in movie_metadata.csv
  int min_tag_users = 2;  // a tag is kept when at least this many people used it (anywhere)
  // train (seed 5).
  int k = 50;                                     // latent dimensions
  Target target = Target::kFinalRating;           // what the user x movie matrix holds
  FactorModel model = FactorModel::kSvd;          // svd | als | biased_als
  MovieScaling movie_scaling = MovieScaling::kV;  // v | v_sigma | normalized
  double svd_tolerance = 1e-10;          // Lanczos convergence tolerance (relative)
  int svd_max_iterations = 1000;         // Lanczos restarts before giving up
  // ALS models (als.hpp); the defaults are the best the lead's prototype found for target
  // rating, k = 20.
  int als_iterations = 12;           // user half-step + movie half-step, each
  double als_missing_weight = 0.1;   // w0: weight of each unobserved entry as a 0 (als)
  double als_regularization = 1.0;   // λ on every user and movie factor
  double bias_regularization = 1.0;  // λ_b on every user and movie bias (biased_als)
  int als_cg_steps = 0;              // 0: exact per-row solves; else conjugate-gradient steps
  int seed = 1;                      // of the ALS starting factors
  // Movies outside the trained catalog (train/outside_movies.hpp).
  double fold_in_regularization = 30.0;  // λ pulling a folded vector towards its content vector
  double content_regularization = 3.0;   // α of the ridge from content features to vectors
  // Lead-ins of the trained movies (train/lead_ins.hpp): what people went on to like.
  int lead_in_window = 0;          // ratings after a movie that it leads into; 0: no lead-ins
  int lead_in_count = 50;          // lead-ins kept per movie
  double lead_in_shrinkage = 10.0;  // added to the cosine's denominator
  double lead_in_stars = 0.0;       // stars of the later rating for a pair to count; 0: any
  // profiles (preprocess --profiles): each profile of the store becomes a user of the release,
  // its answers ratings in these stars (0 leaves that kind of answer out).
  std::string profiles_store;    // a --profiles spec (file or postgresql:// URL); empty: none
  double favourite_stars = 5.0;  // a favourite
  double like_stars = 4.5;       // y
  double dislike_stars = 1.5;    // n
  double skip_stars = 0.0;       // s: not seen, says nothing of taste
  double watch_stars = 0.0;      // w: wants to watch, not yet seen

  // Every key above, bound to this struct.
  std::vector<ConfigField> fields();
  // Every key by section; without the profiles section when profiles_store is empty, so that a
  // run without profiles records the same config as before profiles existed.
  nlohmann::json to_json() const;
  // Checks what single keys cannot: train_ratio + val_ratio <= 1; biased_als needs target
  // rating (it predicts stars); v_sigma needs model svd (only an SVD has a Σ; the one place this
  // rule is checked); an ALS model needs als_regularization above 0 (its per-row systems must be
  // positive definite); each profiles.*_stars is 0 or a MovieLens rating, 0.5 to 5. Throws
  // ConfigError naming the key to change.
  void validate(const std::string& source) const;
};

// Loads `path` over the defaults and validates. Throws InputError if it cannot be read.
PipelineConfig load_pipeline_config(const std::filesystem::path& path);

}  // namespace movierec
