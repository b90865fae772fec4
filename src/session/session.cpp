#include "movierec/session/session.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

#include "movierec/io/random.hpp"
#include "movierec/train/scoring.hpp"

namespace movierec {
namespace {

// The seed's exploration (7.7): with probability `rate`, lower the score by `damping` x |score|.
// Draws one number per candidate when rate > 0, none otherwise.
double random_dampening(double score, double rate, double damping, std::mt19937_64& rng) {
  if (rate <= 0) return 0;
  return uniform01(rng) < rate ? -damping * std::abs(score) : 0;
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

double cosine(const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
  const double norms = static_cast<double>(a.norm()) * static_cast<double>(b.norm());
  return norms > 0 ? a.cast<double>().dot(b.cast<double>()) / norms : 0.0;
}

}  // namespace

void FeedbackCounts::add(Feedback answer) {
  switch (answer) {
    case Feedback::kLike:
      ++likes;
      break;
    case Feedback::kDislike:
      ++dislikes;
      break;
    case Feedback::kSkip:
      ++skips;
      break;
    case Feedback::kWatch:
      ++watches;
      break;
  }
}

SessionError::SessionError(Problem problem, const std::string& message)
    : Error(message), problem_(problem) {}

Session::Session(const Model& model, Policy policy, std::uint64_t seed)
    : model_(&model), policy_(std::move(policy)), rng_(seed), rows_(model.movie_count()) {
  policy_.validate("policy");
}

std::string Session::describe(std::size_t row) const {
  if (row < rows_) return "'" + model_->info(row).title + "'";
  return "movie row " + std::to_string(row);
}

void Session::add_favourite(std::size_t row) {
  if (favourites_.size() >= kFavourites || state_ != SessionState::kCollectingFavourites) {
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
  const auto& embeddings = model_->artifacts().movie_embeddings;
  start_vector_ = Eigen::VectorXd::Zero(embeddings.cols());
  for (const std::size_t row : favourites_) {
    start_vector_ += embeddings.row(static_cast<Eigen::Index>(row)).transpose().cast<double>();
  }
  start_vector_ /= static_cast<double>(favourites_.size());
  taste_ = favourites_;
  begin();
}

void Session::start_known(KnownStart start) {
  if (!favourites_.empty() || state_ != SessionState::kCollectingFavourites ||
      start.favourites.size() > kFavourites) {
    throw SessionError(SessionError::Problem::kTooManyFavourites,
                       "a known user's session starts once, with at most " +
                           std::to_string(kFavourites) + " favourites");
  }
  const auto k = model_->artifacts().movie_embeddings.cols();
  if (start.vector.size() != k || !start.vector.allFinite()) {
    throw Error("a known user's start vector needs " + std::to_string(k) +
                " finite values (it has " + std::to_string(start.vector.size()) + ")");
  }
  for (const auto* rows : {&start.seen, &start.liked, &start.favourites}) {
    for (const std::size_t row : *rows) {
      if (row >= rows_) {
        throw SessionError(SessionError::Problem::kUnknownMovie,
                           "movie row " + std::to_string(row) + " is not in the model (it has " +
                               std::to_string(rows_) + " movies)");
      }
    }
  }
  known_start_ = true;
  start_vector_ = std::move(start.vector);
  favourites_ = std::move(start.favourites);
  known_seen_ = std::move(start.seen);
  std::sort(known_seen_.begin(), known_seen_.end());
  known_seen_.erase(std::unique(known_seen_.begin(), known_seen_.end()), known_seen_.end());
  for (const std::size_t row : known_seen_) mark_seen(row);
  for (const std::size_t row : favourites_) mark_seen(row);
  taste_ = std::move(start.liked);
  begin();
}

void Session::begin() {
  user_ = start_vector_;
  genre_profile_.assign(model_->genre_names().size(), 0.0);
  double genre_count = 0;
  for (const std::size_t row : taste_) {
    for (const int genre : model_->genres(row)) {
      if (is_screen_format(model_->genre_names()[genre])) continue;
      genre_profile_[genre] += 1;
      genre_count += 1;
    }
  }
  if (genre_count > 0) {
    for (double& weight : genre_profile_) weight /= genre_count;
  }
  // The filter depends on the profile alone, so it is applied once, here.
  candidates_.assign((rows_ + kBitsPerWord - 1) / kBitsPerWord, 0);
  candidates_left_ = 0;
  scored_rows_ = 0;
  for (std::size_t row = 0; row < rows_; ++row) {
    if (!seen(row) && model_->recommendable(row, policy_.min_evidence) && passes(affinity(row))) {
      candidates_[row / kBitsPerWord] |= std::uint64_t{1} << (row % kBitsPerWord);
      ++candidates_left_;
      scored_rows_ = row + 1;
    }
  }
  start_fit();
  state_ = candidates_left_ == 0 ? SessionState::kExhausted : SessionState::kRecommending;
}

void Session::rebuild() {
  std::vector<FeedbackEvent> history = std::move(history_);
  history_.clear();
  liked_.clear();
  disliked_.clear();
  watchlist_.clear();
  counts_ = {};
  current_.reset();
  candidates_.clear();  // before marking: begin() makes them anew
  seen_ = known_seen_;
  for (const std::size_t row : favourites_) mark_seen(row);
  if (!known_start_) {
    if (favourites_.size() < kFavourites) return;
    start();
  } else {
    begin();
  }
  for (const FeedbackEvent& event : history) apply(event.row, event.feedback);
}

// s_0, A and b from the favourites. The user vector stays their mean (issue 3), so under
// least_squares the favourites (as likes) enter the fit from the first answer on.
void Session::start_fit() {
  score_unit_ = user_.squaredNorm();
  const double prior_weight = policy_.ls_regularization * model_->norm_scale();
  fit_.reset(user_, prior_weight);
  if (policy_.exploration == Exploration::kUcb) {
    const std::vector<float>& squared_norms = model_->squared_norms();
    variance_.resize(rows_);
    for (std::size_t row = 0; row < rows_; ++row) {
      variance_[row] = static_cast<double>(squared_norms[row]) / prior_weight;
    }
  }
  if (policy_.favourites_as_likes) {
    for (const std::size_t row : favourites_) add_to_fit(row, policy_.like_target * score_unit_);
  }
}

double Session::affinity_of(std::span<const int> genres) const {
  double sum = 0.0;
  for (const int genre : genres) sum += genre_profile_[genre];
  return sum;
}

double Session::affinity(std::size_t row) const { return affinity_of(model_->genres(row)); }

bool Session::passes(double affinity) const {
  return affinity >= policy_.min_genre_affinity && 1.0 - affinity <= policy_.max_genre_distance;
}

ScoreParts Session::fixed_parts(std::size_t row, double affinity) const {
  ScoreParts parts;
  parts.genre_affinity = affinity;
  parts.genre_distance = -(1.0 - parts.genre_affinity) * policy_.genre_distance_penalty;
  // -(p / max) x penalty, the share computed once by the model: the same double as
  // -p / max x penalty, since negation is exact.
  if (model_->max_popularity() > 0) {
    parts.popularity = -model_->popularity_shares()[row] * policy_.popularity_penalty;
  }
  // Without a branch: the pick loop meets affinities in no predictable order. 1 x boost and
  // 0 x boost are exactly boost and 0 (the boost is finite and not negative).
  const bool boosted = static_cast<int>(parts.genre_affinity > 0) &
                       static_cast<int>(parts.genre_affinity <= policy_.diversity_max_affinity);
  parts.diversity = static_cast<double>(boosted) * policy_.diversity_boost;
  return parts;
}

double Session::fixed_score(const ScoreParts& parts) {
  return parts.genre_distance + parts.popularity + parts.diversity;
}

void Session::mark_seen(std::size_t row) {
  const auto at = std::lower_bound(seen_.begin(), seen_.end(), row);
  if (at != seen_.end() && *at == row) return;
  seen_.insert(at, row);
  // Before start() there are no candidates yet; start() leaves the seen rows out.
  if (candidates_.empty()) return;
  std::uint64_t& word = candidates_[row / kBitsPerWord];
  const std::uint64_t bit = std::uint64_t{1} << (row % kBitsPerWord);
  if ((word & bit) != 0) --candidates_left_;
  word &= ~bit;
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

// One matrix-vector product over every movie, then one pass over the candidates (the unseen
// movies that pass the filter) in row order, from their bits. Ties go to the lower row because only
// a strictly higher score replaces the best. The per-movie scores are scratch of this pick, kept
// per thread rather than per session, so that an idle session holds nothing per movie but its seen
// bit.
void Session::pick() {
  thread_local Eigen::VectorXf scores;
  thread_local Eigen::VectorXf sampled;
  thread_local std::vector<double> set_affinity;  // per genre set: its movies' affinity
  const Eigen::VectorXf user = user_.cast<float>();
  thread_local std::vector<float> lead_sums;
  score_movies(model_->artifacts(), user, scores, scored_rows_);
  const double lead_scale = prepare_lead_ins(scores, lead_sums);
  prepare_exploration(sampled);
  set_affinity.resize(model_->genre_set_count());
  for (std::size_t set = 0; set < set_affinity.size(); ++set) {
    set_affinity[set] = affinity_of(model_->set_genres(set));
  }
  const double weight = policy_.score_weight_model;
  bool found = false;
  std::size_t best_row = 0;
  double best_score = 0;
  double best_exploration = 0;
  for (std::size_t word = 0; word < candidates_.size(); ++word) {
    for (std::uint64_t bits = candidates_[word]; bits != 0; bits &= bits - 1) {
      const std::size_t row =
          word * kBitsPerWord + static_cast<std::size_t>(std::countr_zero(bits));
      double score = static_cast<double>(scores[static_cast<Eigen::Index>(row)]) * weight +
                     fixed_score(fixed_parts(row, set_affinity[model_->genre_set(row)]));
      if (lead_scale != 0) score += lead_scale * static_cast<double>(lead_sums[row]);
      const double exploration = explore(static_cast<std::uint32_t>(row), score, scores, sampled);
      score += exploration;
      if (!found || score > best_score) {
        found = true;
        best_row = row;
        best_score = score;
        best_exploration = exploration;
      }
    }
  }
  if (!found) {
    state_ = SessionState::kExhausted;
    return;
  }
  Recommendation recommendation{best_row, fixed_parts(best_row, affinity(best_row))};
  ScoreParts& parts = recommendation.parts;
  parts.model_score = static_cast<double>(scores[static_cast<Eigen::Index>(best_row)]);
  parts.model = parts.model_score * weight;
  if (lead_scale != 0) parts.lead_ins = lead_scale * static_cast<double>(lead_sums[best_row]);
  parts.exploration = best_exploration;
  parts.total = parts.model + fixed_score(parts) + parts.lead_ins + parts.exploration;
  current_ = recommendation;
}

double Session::prepare_lead_ins(const Eigen::VectorXf& scores, std::vector<float>& sums) const {
  if (policy_.lead_in_weight == 0 || !model_->has_lead_ins()) return 0;
  sums.assign(scored_rows_, 0.0f);
  const auto add = [&](std::size_t from, float sign) {
    for (const Model::LeadOut& lead : model_->leads_into(from)) {
      if (lead.row < sums.size()) sums[lead.row] += sign * lead.weight;
    }
  };
  for (const std::size_t row : favourites_) add(row, 1.0f);
  if (policy_.online_learning) {
    for (const std::size_t row : liked_) add(row, 1.0f);
    for (const std::size_t row : watchlist_) add(row, 1.0f);
    for (const std::size_t row : disliked_) add(row, -1.0f);
  }
  // The two spreads over the candidates, so that lead_in_weight means the same on any model.
  std::size_t count = 0;
  double model_sum = 0, model_squares = 0, lead_sum = 0, lead_squares = 0;
  for (std::size_t word = 0; word < candidates_.size(); ++word) {
    for (std::uint64_t bits = candidates_[word]; bits != 0; bits &= bits - 1) {
      const std::size_t row =
          word * kBitsPerWord + static_cast<std::size_t>(std::countr_zero(bits));
      const double model =
          static_cast<double>(scores[static_cast<Eigen::Index>(row)]) * policy_.score_weight_model;
      const auto lead = static_cast<double>(sums[row]);
      ++count;
      model_sum += model;
      model_squares += model * model;
      lead_sum += lead;
      lead_squares += lead * lead;
    }
  }
  if (count < 2) return 0;
  const auto n = static_cast<double>(count);
  const double model_variance =
      std::max(0.0, model_squares / n - (model_sum / n) * (model_sum / n));
  const double lead_variance = std::max(0.0, lead_squares / n - (lead_sum / n) * (lead_sum / n));
  if (lead_variance <= 0) return 0;
  return policy_.lead_in_weight * std::sqrt(model_variance / lead_variance);
}

void Session::prepare_exploration(Eigen::VectorXf& sampled) {
  if (policy_.exploration != Exploration::kThompson) return;
  // Portable normals (io/random.hpp), unlike std::normal_distribution, so a seed gives the same
  // session with every standard library.
  Eigen::VectorXd z(user_.size());
  standard_normals(rng_, z.data(), static_cast<std::size_t>(z.size()));
  const double scale = policy_.thompson_sigma * score_unit_;
  const Eigen::VectorXf sample = (user_ + scale * fit_.correlate(z)).cast<float>();
  score_movies(model_->artifacts(), sample, sampled, scored_rows_);
}

double Session::explore(std::uint32_t row, double score, const Eigen::VectorXf& scores,
                        const Eigen::VectorXf& sampled) {
  const auto at = static_cast<Eigen::Index>(row);
  switch (policy_.exploration) {
    case Exploration::kNone:
      return 0;
    case Exploration::kRandomDampening:
      return random_dampening(score, policy_.exploration_rate, policy_.exploration_damping, rng_);
    case Exploration::kUcb:
      return policy_.score_weight_model * policy_.ucb_alpha * score_unit_ *
             std::sqrt(variance_[row]);
    case Exploration::kThompson:
      return policy_.score_weight_model *
             (static_cast<double>(sampled[at]) - static_cast<double>(scores[at]));
  }
  return 0;
}

Eigen::VectorXd Session::embedding(std::size_t row) const {
  const auto& embeddings = model_->artifacts().movie_embeddings;
  return embeddings.row(static_cast<Eigen::Index>(row)).transpose().cast<double>();
}

void Session::add_to_fit(std::size_t row, double target) {
  const Eigen::VectorXd movie = embedding(row);
  if (policy_.exploration == Exploration::kUcb) {
    // Sherman-Morrison: (A + m m^T)^-1 = A^-1 - (A^-1 m)(A^-1 m)^T / (1 + m^T A^-1 m), so each
    // movie's variance drops by (movie . A^-1 m)^2 / (1 + m^T A^-1 m): one product over the
    // catalog per answer instead of a k x k solve per movie per pick.
    const Eigen::VectorXd solved = fit_.solve(movie);
    const double denominator = 1.0 + movie.dot(solved);
    const Eigen::VectorXf projections =
        model_->artifacts().movie_embeddings.topRows(static_cast<Eigen::Index>(scored_rows_)) *
        solved.cast<float>();
    for (std::size_t i = 0; i < scored_rows_; ++i) {
      const auto p = static_cast<double>(projections[static_cast<Eigen::Index>(i)]);
      variance_[i] = std::max(0.0, variance_[i] - p * p / denominator);
    }
  }
  fit_.add(movie, target);
}

void Session::update_user(std::size_t row, Feedback answer) {
  if (answer == Feedback::kSkip) {
    // A weak negative: A += w m m^T, b += 0, i.e. one answer of target 0 about sqrt(w) m.
    if (policy_.skip_weight > 0 && policy_.user_update == UserUpdate::kLeastSquares) {
      fit_.add(std::sqrt(policy_.skip_weight) * embedding(row), 0.0);
      user_ = fit_.solution();
    }
    return;
  }
  const bool like = answer != Feedback::kDislike;  // a like, or a movie to watch
  add_to_fit(row, (like ? policy_.like_target : policy_.dislike_target) * score_unit_);
  switch (policy_.user_update) {
    case UserUpdate::kMovingAverage:
      moving_average(user_, embedding(row), like ? Feedback::kLike : Feedback::kDislike,
                     policy_.learning_rate, policy_.negative_weight);
      break;
    case UserUpdate::kLeastSquares:
      user_ = fit_.solution();
      break;
  }
}

void Session::feedback(Feedback answer) {
  if (!current_) {
    throw SessionError(SessionError::Problem::kNoRecommendation,
                       "there is no recommendation to answer yet");
  }
  apply(current_->row, answer);
}

void Session::answer(std::size_t row, Feedback answer) {
  if (state_ == SessionState::kCollectingFavourites) {
    throw SessionError(SessionError::Problem::kNotStarted,
                       "choose " + std::to_string(kFavourites) + " favourites first (" +
                           std::to_string(favourites_.size()) + " so far)");
  }
  if (row >= rows_) {
    throw SessionError(SessionError::Problem::kUnknownMovie,
                       "movie row " + std::to_string(row) + " is not in the model (it has " +
                           std::to_string(rows_) + " movies)");
  }
  if (seen(row)) {
    throw SessionError(SessionError::Problem::kAlreadySeen,
                       describe(row) + " is a favourite or answered already");
  }
  apply(row, answer);
}

void Session::apply(std::size_t row, Feedback answer) {
  current_.reset();
  history_.push_back({row, answer});  // before the update, so a rule may refit on all answers
  counts_.add(answer);
  switch (answer) {
    case Feedback::kLike:
      liked_.push_back(row);
      break;
    case Feedback::kDislike:
      disliked_.push_back(row);
      break;
    case Feedback::kSkip:
      break;
    case Feedback::kWatch:
      watchlist_.push_back(row);
      break;
  }
  if (policy_.online_learning) update_user(row, answer);
  mark_seen(row);
  if (candidates_left_ == 0) state_ = SessionState::kExhausted;
}

std::optional<FeedbackEvent> Session::undo() {
  if (history_.empty()) return std::nullopt;
  const FeedbackEvent last = history_.back();
  history_.pop_back();
  rebuild();
  return last;
}

void Session::replace_favourite(std::size_t slot, std::size_t row) {
  if (slot >= favourites_.size()) {
    throw SessionError(SessionError::Problem::kNotFavourite,
                       "there is no favourite " + std::to_string(slot + 1) + " (there are " +
                           std::to_string(favourites_.size()) + ")");
  }
  if (row >= rows_) {
    throw SessionError(SessionError::Problem::kUnknownMovie,
                       "movie row " + std::to_string(row) + " is not in the model (it has " +
                           std::to_string(rows_) + " movies)");
  }
  if (std::find(favourites_.begin(), favourites_.end(), row) != favourites_.end()) {
    throw SessionError(SessionError::Problem::kDuplicateFavourite,
                       describe(row) + " is already a favourite");
  }
  if (seen(row)) {
    throw SessionError(SessionError::Problem::kAlreadySeen, describe(row) + " is answered already");
  }
  favourites_[slot] = row;
  rebuild();
}

Explanation Session::explain() const {
  if (!current_) {
    throw SessionError(SessionError::Problem::kNoRecommendation,
                       "there is no recommendation to explain yet");
  }
  const auto& embeddings = model_->artifacts().movie_embeddings;
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
