#include "movierec/data/pipeline_config.hpp"

#include <utility>

#include "movierec/io/error.hpp"

namespace movierec {

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
      {"metadata.min_tag_users", &min_tag_users, 1, kMaxCount, {},
       "tags used by fewer people, on any movie, are dropped (one person's private notes)"},
      {"train.k", &k, 1, 2000, {}, "latent dimensions of the embeddings"},
      {"train.target", &target, 0, 0, {},
       "value the user x movie matrix holds: the seed's final_rating, rating_norm (stars minus "
       "the user's mean), rating (stars), like (1 for a rating >= 4, else 0)"},
      {"train.model", &model, 0, 0, {},
       "how the embeddings are trained: svd (truncated SVD of the matrix), als (weighted "
       "alternating least squares, unobserved entries as 0 with weight als_missing_weight), "
       "biased_als (mean + user bias + movie bias + user . movie fitted to observed stars; needs "
       "target rating)"},
      {"train.movie_scaling", &movie_scaling, 0, 0, {},
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
      {"train.fold_in_regularization", &fold_in_regularization, 1e-6, 1e6, {},
       "movies outside the trained catalog: how strongly a vector folded in from a few ratings "
       "is pulled towards the one its content gives (in the units of an ALS movie step)"},
      {"train.content_regularization", &content_regularization, 1e-6, 1e6, {},
       "movies outside the trained catalog: ridge penalty of the map from genres, decade, tags "
       "and overview words to the trained vectors"},
      {"train.lead_in_window", &lead_in_window, 0, 255, {},
       "lead-ins: a movie leads into those its raters rated within this many ratings after it "
       "(what a session's lead_in_weight uses); 0 writes none"},
      {"train.lead_in_count", &lead_in_count, 1, 10000, {}, "lead-ins kept per trained movie"},
      {"train.lead_in_shrinkage", &lead_in_shrinkage, 0, 1e6, {},
       "lead-ins: added to the denominator of the cosine, so that rare pairs weigh less"},
      {"train.lead_in_stars", &lead_in_stars, 0, 5, {},
       "lead-ins: a movie leads only into ratings of at least this many stars (0: any)"},
      {"profiles.store", &profiles_store, 0, 0, {},
       "profile store whose profiles preprocess adds as users: a SQLite file or a "
       "postgresql:// URL; empty for none"},
      {"profiles.favourite_stars", &favourite_stars, 0, 5, {},
       "stars of a profile's favourite (0.5 to 5; 0 leaves favourites out)"},
      {"profiles.like_stars", &like_stars, 0, 5, {},
       "stars of a like (y) (0.5 to 5; 0 leaves likes out)"},
      {"profiles.dislike_stars", &dislike_stars, 0, 5, {},
       "stars of a dislike (n) (0.5 to 5; 0 leaves dislikes out)"},
      {"profiles.skip_stars", &skip_stars, 0, 5, {},
       "stars of a skip (s) (0.5 to 5; 0 leaves skips out)"},
      {"profiles.watch_stars", &watch_stars, 0, 5, {},
       "stars of a movie on the watchlist (w) (0.5 to 5; 0 leaves it out)"},
  };
}

nlohmann::json PipelineConfig::to_json() const {
  PipelineConfig copy = *this;
  nlohmann::json json = fields_to_json(copy.fields());
  if (profiles_store.empty()) json.erase("profiles");
  return json;
}

void PipelineConfig::validate(const std::string& source) const {
  if (train_ratio + val_ratio > 1.0 + 1e-9) {
    throw ConfigError(source, 0, "split.val_ratio",
                      "split.train_ratio + split.val_ratio must be at most 1, got " +
                          config_number_text(train_ratio + val_ratio));
  }
  const std::string model_name(choice_name(model));
  if (model == FactorModel::kBiasedAls && target != Target::kRating) {
    throw ConfigError(source, 0, "train.target",
                      "is " + std::string(choice_name(target)) +
                          ", but train.model biased_als fits stars (mean + biases + user . "
                          "movie): set train.target to rating, or choose another train.model");
  }
  if (movie_scaling == MovieScaling::kVSigma && model != FactorModel::kSvd) {
    throw ConfigError(source, 0, "train.movie_scaling",
                      "v_sigma scales by singular values, which only train.model svd has; "
                      "choose v or normalized for " +
                          model_name);
  }
  const std::pair<const char*, double> stars[] = {
      {"profiles.favourite_stars", favourite_stars}, {"profiles.like_stars", like_stars},
      {"profiles.dislike_stars", dislike_stars},     {"profiles.skip_stars", skip_stars},
      {"profiles.watch_stars", watch_stars}};
  for (const auto& [key, value] : stars) {
    if (value != 0 && !(value >= 0.5 && value <= 5)) {
      throw ConfigError(source, 0, key,
                        "must be 0 (left out) or stars from 0.5 to 5, got " +
                            config_number_text(value));
    }
  }
  if (model != FactorModel::kSvd && !(als_regularization > 0)) {
    throw ConfigError(source, 0, "train.als_regularization",
                      "must be above 0 for train.model " + model_name +
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
