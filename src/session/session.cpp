#include "movierec/session/session.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "movierec/train/scoring.hpp"

namespace movierec {
namespace {

// std::uniform_real_distribution's output is implementation-defined, so sessions would differ
// between standard libraries; the top 53 bits of one draw give a uniform in [0, 1) exactly.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// The seed's exploration (7.7): with probability `rate`, lower the score by `damping` x |score|.
// Draws one number per candidate when rate > 0, none otherwise.
double random_dampening(double score, double rate, double damping, std::mt19937_64& rng) {
  if (rate <= 0) return 0;
  return uniform01(rng) < rate ? -damping * std::abs(score) : 0;
}

// k standard normals by Box-Muller (the rule next() documents): portable, unlike
// std::normal_distribution, so a seed gives the same session with every standard library.
Eigen::VectorXd standard_normals(Eigen::Index k, std::mt19937_64& rng) {
  Eigen::VectorXd z(k);
  for (Eigen::Index i = 0; i < k; i += 2) {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform01(rng)));
    const double angle = 2.0 * std::numbers::pi * uniform01(rng);
    z[i] = radius * std::cos(angle);
    if (i + 1 < k) z[i + 1] = radius * std::sin(angle);
  }
  return z;
}

// The seed's update (7.10): like u <- (1-a)u + a m; dislike u <- (1-a)u - a w m.
void moving_average(Eigen::VectorXd& user, const Eigen::VectorXd& movie, Feedback answer,
                    double rate, double negative_weight) {
  if (answer == Feedback::kLike) {
    user = (1 - rate) * user + rate * movie;
  } else if (answer == Feedback::kDislike) {
    user = (1 - rate) * user - (rate * negative_weight) * movie;
  }
}

// Each genre once, however the model lists them.
std::vector<int> distinct(std::vector<int> genres) {
  std::sort(genres.begin(), genres.end());
  genres.erase(std::unique(genres.begin(), genres.end()), genres.end());
  return genres;
}

double cosine(const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
  const double norms = static_cast<double>(a.norm()) * static_cast<double>(b.norm());
  return norms > 0 ? a.cast<double>().dot(b.cast<double>()) / norms : 0.0;
}

}  // namespace

nlohmann::json to_json(const ScoreParts& parts) {
  return {{"model_score", parts.model_score},
          {"genre_affinity", parts.genre_affinity},
          {"model", parts.model},
          {"genre_distance", parts.genre_distance},
          {"popularity", parts.popularity},
          {"diversity", parts.diversity},
          {"exploration", parts.exploration},
          {"total", parts.total}};
}

SessionError::SessionError(Problem problem, const std::string& message)
    : Error(message), problem_(problem) {}

Session::Session(const Model& model, Policy policy, std::uint64_t seed)
    : model_(&model),
      policy_(std::move(policy)),
      rng_(seed),
      rows_(static_cast<std::size_t>(model.artifacts.movie_embeddings.rows())) {
  policy_.validate("policy");
  // The policy's choices are checked by validate(); these map them to the rules below.
  if (policy_.user_update == kUpdateLeastSquares) update_rule_ = UpdateRule::kLeastSquares;
  if (policy_.exploration == kExplorationNone) exploration_rule_ = ExplorationRule::kNone;
  if (policy_.exploration == kExplorationUcb) exploration_rule_ = ExplorationRule::kUcb;
  if (policy_.exploration == kExplorationThompson) exploration_rule_ = ExplorationRule::kThompson;
  check_model();
  seen_.assign(rows_, 0);
}

void Session::check_model() const {
  const Model& model = *model_;
  const auto disagree = [](const std::string& what) {
    throw ModelError("the model's per-movie data disagree: " + what,
                     "build/bin/preprocess, then build/bin/train_svd");
  };
  if (model.artifacts.movie_embeddings.cols() == 0) disagree("the embeddings have no columns");
  if (rows_ > std::numeric_limits<std::uint32_t>::max()) disagree("more movies than 2^32");
  if (model.popularity.size() != rows_ || model.movie_genres.size() != rows_ ||
      model.catalog_index.size() != rows_) {
    disagree(std::to_string(rows_) + " embedding rows, " + std::to_string(model.popularity.size()) +
             " popularities, " + std::to_string(model.movie_genres.size()) + " genre lists, " +
             std::to_string(model.catalog_index.size()) + " catalog entries");
  }
  for (std::size_t row = 0; row < rows_; ++row) {
    if (model.popularity[row] < 0) disagree("negative popularity at row " + std::to_string(row));
    for (const int genre : model.movie_genres[row]) {
      if (genre < 0 || static_cast<std::size_t>(genre) >= model.genre_names.size()) {
        disagree("genre index " + std::to_string(genre) + " at row " + std::to_string(row));
      }
    }
  }
}

std::string Session::describe(std::size_t row) const {
  if (row < rows_ && model_->catalog_index[row] < model_->catalog.size()) {
    return "'" + model_->info(row).title + "'";
  }
  return "movie row " + std::to_string(row);
}

void Session::add_favourite(std::size_t row) {
  if (favourites_.size() >= kFavourites) {
    throw SessionError(SessionError::Problem::kTooManyFavourites,
                       "the " + std::to_string(kFavourites) + " favourites are already chosen");
  }
  if (row >= rows_) {
    throw SessionError(SessionError::Problem::kUnknownMovie,
                       "movie row " + std::to_string(row) + " is not in the model (it has " +
                           std::to_string(rows_) + " movies)");
  }
  if (seen(row)) {
    throw SessionError(SessionError::Problem::kDuplicateFavourite,
                       describe(row) + " is already a favourite");
  }
  favourites_.push_back(row);
  mark_seen(row);
  if (favourites_.size() == kFavourites) start();
}

void Session::start() {
  const auto& embeddings = model_->artifacts.movie_embeddings;
  user_ = Eigen::VectorXd::Zero(embeddings.cols());
  genre_profile_.assign(model_->genre_names.size(), 0.0);
  double genre_count = 0;
  for (const std::size_t row : favourites_) {
    user_ += embeddings.row(row).transpose().cast<double>();
    for (const int genre : distinct(model_->movie_genres[row])) {
      genre_profile_[genre] += 1;
      genre_count += 1;
    }
  }
  user_ /= static_cast<double>(favourites_.size());
  if (genre_count > 0) {
    for (double& weight : genre_profile_) weight /= genre_count;
  }
  cache_movie_terms();
  start_fit();
  user_float_.resize(user_.size());
  scores_.resize(static_cast<Eigen::Index>(rows_));
  state_ = candidates_.empty() ? SessionState::kExhausted : SessionState::kRecommending;
}

// s_0, s_m, A and b from the favourites. The user vector stays their mean (issue 3), so under
// least_squares the favourites (as likes) enter the fit from the first answer on.
void Session::start_fit() {
  const auto& embeddings = model_->artifacts.movie_embeddings;
  score_unit_ = user_.squaredNorm();
  double squared_norms = 0;
  for (Eigen::Index row = 0; row < embeddings.rows(); ++row) {
    squared_norms += static_cast<double>(embeddings.row(row).squaredNorm());
  }
  norm_scale_ = squared_norms / static_cast<double>(rows_);
  if (!(norm_scale_ > 0)) norm_scale_ = 1;  // every score is 0 anyway; keep A invertible
  const double prior_weight = policy_.ls_regularization * norm_scale_;
  fit_.reset(user_, prior_weight);
  if (exploration_rule_ == ExplorationRule::kUcb) {
    variance_.resize(rows_);
    for (std::size_t row = 0; row < rows_; ++row) {
      const auto at = static_cast<Eigen::Index>(row);
      variance_[row] = static_cast<double>(embeddings.row(at).squaredNorm()) / prior_weight;
    }
  }
  if (policy_.favourites_as_likes) {
    for (const std::size_t row : favourites_) add_to_fit(row, policy_.like_target * score_unit_);
  }
}

void Session::cache_movie_terms() {
  max_popularity_ = 0;
  for (const std::int64_t popularity : model_->popularity) {
    max_popularity_ = std::max(max_popularity_, static_cast<double>(popularity));
  }
  affinity_.assign(rows_, 0.0);
  fixed_score_.assign(rows_, 0.0);
  candidates_.clear();
  for (std::size_t row = 0; row < rows_; ++row) {
    for (const int genre : distinct(model_->movie_genres[row])) {
      affinity_[row] += genre_profile_[genre];
    }
    const ScoreParts parts = fixed_parts(row);
    fixed_score_[row] = parts.genre_distance + parts.popularity + parts.diversity;
    const bool passes = affinity_[row] >= policy_.min_genre_affinity &&
                        1.0 - affinity_[row] <= policy_.max_genre_distance;
    if (passes && !seen(row)) candidates_.push_back(static_cast<std::uint32_t>(row));
  }
}

// The parts that do not depend on the user vector; model, exploration and total stay 0.
ScoreParts Session::fixed_parts(std::size_t row) const {
  ScoreParts parts;
  parts.genre_affinity = affinity_[row];
  parts.genre_distance = -(1.0 - parts.genre_affinity) * policy_.genre_distance_penalty;
  if (max_popularity_ > 0) {
    parts.popularity = -static_cast<double>(model_->popularity[row]) / max_popularity_ *
                       policy_.popularity_penalty;
  }
  if (parts.genre_affinity > 0 && parts.genre_affinity <= policy_.diversity_max_affinity) {
    parts.diversity = policy_.diversity_boost;
  }
  return parts;
}

void Session::mark_seen(std::size_t row) {
  if (seen_[row] != 0) return;
  seen_[row] = 1;
  ++seen_count_;
  const auto at = std::lower_bound(candidates_.begin(), candidates_.end(), row);
  if (at != candidates_.end() && *at == row) candidates_.erase(at);
}

std::optional<Recommendation> Session::next() {
  if (state_ == SessionState::kCollectingFavourites) {
    throw SessionError(SessionError::Problem::kNotStarted,
                       "choose " + std::to_string(kFavourites) + " favourites first (" +
                           std::to_string(favourites_.size()) + " so far)");
  }
  if (!current_ && state_ == SessionState::kRecommending) pick();
  return current_;
}

// One matrix-vector product over every movie, then one pass over the candidates, kept as a
// sorted list of rows so the pass has no unpredictable branch on filtered or seen movies. Ties
// go to the lower row because only a strictly higher score replaces the best.
void Session::pick() {
  user_float_ = user_.cast<float>();
  score_movies(model_->artifacts, user_float_, scores_);
  prepare_exploration();
  const double weight = policy_.score_weight_model;
  bool found = false;
  std::size_t best_row = 0;
  double best_score = 0;
  double best_exploration = 0;
  for (const std::uint32_t row : candidates_) {
    double score =
        static_cast<double>(scores_[static_cast<Eigen::Index>(row)]) * weight + fixed_score_[row];
    const double exploration = explore(row, score);
    score += exploration;
    if (!found || score > best_score) {
      found = true;
      best_row = row;
      best_score = score;
      best_exploration = exploration;
    }
  }
  if (!found) {
    state_ = SessionState::kExhausted;
    return;
  }
  Recommendation recommendation{best_row, fixed_parts(best_row)};
  ScoreParts& parts = recommendation.parts;
  parts.model_score = static_cast<double>(scores_[static_cast<Eigen::Index>(best_row)]);
  parts.model = parts.model_score * weight;
  parts.exploration = best_exploration;
  parts.total = parts.model + fixed_score_[best_row] + parts.exploration;
  current_ = recommendation;
}

void Session::prepare_exploration() {
  if (exploration_rule_ != ExplorationRule::kThompson) return;
  const Eigen::VectorXd z = standard_normals(user_.size(), rng_);
  const double scale = policy_.thompson_sigma * score_unit_;
  sample_float_ = (user_ + scale * fit_.correlate(z)).cast<float>();
  score_movies(model_->artifacts, sample_float_, sample_scores_);
}

double Session::explore(std::uint32_t row, double score) {
  const auto at = static_cast<Eigen::Index>(row);
  switch (exploration_rule_) {
    case ExplorationRule::kNone:
      return 0;
    case ExplorationRule::kRandomDampening:
      return random_dampening(score, policy_.exploration_rate, policy_.exploration_damping, rng_);
    case ExplorationRule::kUcb:
      return policy_.score_weight_model * policy_.ucb_alpha * score_unit_ *
             std::sqrt(variance_[row]);
    case ExplorationRule::kThompson:
      return policy_.score_weight_model *
             (static_cast<double>(sample_scores_[at]) - static_cast<double>(scores_[at]));
  }
  return 0;
}

Eigen::VectorXd Session::embedding(std::size_t row) const {
  return model_->artifacts.movie_embeddings.row(static_cast<Eigen::Index>(row))
      .transpose()
      .cast<double>();
}

void Session::add_to_fit(std::size_t row, double target) {
  const Eigen::VectorXd movie = embedding(row);
  if (exploration_rule_ == ExplorationRule::kUcb) {
    // Sherman-Morrison: (A + m m^T)^-1 = A^-1 - (A^-1 m)(A^-1 m)^T / (1 + m^T A^-1 m), so each
    // movie's variance drops by (movie . A^-1 m)^2 / (1 + m^T A^-1 m): one product over the
    // catalog per answer instead of a k x k solve per movie per pick.
    const Eigen::VectorXd solved = fit_.solve(movie);
    const double denominator = 1.0 + movie.dot(solved);
    const Eigen::VectorXf projections = model_->artifacts.movie_embeddings * solved.cast<float>();
    for (std::size_t i = 0; i < rows_; ++i) {
      const auto p = static_cast<double>(projections[static_cast<Eigen::Index>(i)]);
      variance_[i] = std::max(0.0, variance_[i] - p * p / denominator);
    }
  }
  fit_.add(movie, target);
}

void Session::update_user(std::size_t row, Feedback answer) {
  if (answer == Feedback::kSkip) return;
  const bool like = answer == Feedback::kLike;
  add_to_fit(row, (like ? policy_.like_target : policy_.dislike_target) * score_unit_);
  switch (update_rule_) {
    case UpdateRule::kMovingAverage:
      moving_average(user_, embedding(row), answer, policy_.learning_rate, policy_.negative_weight);
      break;
    case UpdateRule::kLeastSquares:
      user_ = fit_.solution();
      break;
  }
}

void Session::feedback(Feedback answer) {
  if (!current_) {
    throw SessionError(SessionError::Problem::kNoRecommendation,
                       "there is no recommendation to answer yet");
  }
  const std::size_t row = current_->row;
  current_.reset();
  history_.push_back({row, answer});  // before the update, so a rule may refit on all answers
  switch (answer) {
    case Feedback::kLike:
      ++counts_.likes;
      liked_.push_back(row);
      break;
    case Feedback::kDislike:
      ++counts_.dislikes;
      disliked_.push_back(row);
      break;
    case Feedback::kSkip:
      ++counts_.skips;
      break;
  }
  if (policy_.online_learning) update_user(row, answer);
  mark_seen(row);
  if (candidates_.empty()) state_ = SessionState::kExhausted;
}

Explanation Session::explain() const {
  if (!current_) {
    throw SessionError(SessionError::Problem::kNoRecommendation,
                       "there is no recommendation to explain yet");
  }
  const auto& embeddings = model_->artifacts.movie_embeddings;
  const Eigen::VectorXf movie = embeddings.row(static_cast<Eigen::Index>(current_->row));
  Explanation explanation{current_->row, current_->parts, {}};
  auto& nearest = explanation.nearest;
  for (const std::size_t row : favourites_) {
    nearest.push_back({row, cosine(movie, embeddings.row(static_cast<Eigen::Index>(row))), true});
  }
  for (const std::size_t row : liked_) {
    nearest.push_back({row, cosine(movie, embeddings.row(static_cast<Eigen::Index>(row))), false});
  }
  std::sort(nearest.begin(), nearest.end(), [](const Neighbour& a, const Neighbour& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.row < b.row;
  });
  if (nearest.size() > kExplainNeighbours) nearest.resize(kExplainNeighbours);
  return explanation;
}

}  // namespace movierec
