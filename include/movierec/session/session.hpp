// The online session (seed 7.2-7.12): four favourites start a user vector in the movies'
// embedding space; each recommendation is the best-scoring candidate under the policy; each
// answer moves the user vector. No I/O: the terminal, the JSON front end, the evaluator and the
// tests all drive this one class. Deterministic for a given model, policy, seed and sequence of
// calls.
//
// Movies are named by their embedding row (Model::artifacts().movie_map gives row <-> MovieLens
// id). A session holds its answers and, once started, a bit per movie (a candidate still);
// everything per movie it needs otherwise comes from the Model, so sessions are cheap to create
// and many can share one model.
// Typical use:
//   Session session(model, policy, seed);
//   for (row : four favourites) session.add_favourite(row);
//   while (auto rec = session.next()) { ... session.explain() ...; session.feedback(answer); }
//
// A session's state is a function of how it started (four favourites, or a known user's vector)
// and its answers in order: answer() applies a stored answer to any movie (resuming a profile),
// and undo() and replace_favourite() rebuild the state from the start and the answers that
// remain, so the user vector returns exactly (bit for bit) to what those answers made it.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "movierec/io/config.hpp"
#include "movierec/io/error.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/user_fit.hpp"

namespace movierec {

// An answer about a movie. kWatch is "I want to watch it": the movie goes on the watchlist and
// is learned from as a like (interest in a movie one has not seen is still taste).
enum class Feedback { kLike, kDislike, kSkip, kWatch };
// The answers' names, in enum order, as the JSON front ends, the API and the profile store spell
// them: choice_name(Feedback::kWatch) is "watch", parse_choice<Feedback>("like") is kLike.
inline constexpr std::string_view kFeedbackNames[] = {"like", "dislike", "skip", "watch"};
constexpr std::span<const std::string_view> choice_names(Feedback) { return kFeedbackNames; }

enum class SessionState {
  kCollectingFavourites,  // fewer than Session::kFavourites favourites so far
  kRecommending,          // next() has (or will find) a recommendation
  kExhausted,             // no candidate is left; next() returns none
};

// True for the entries of MovieLens's genre list that are a screen format, not a genre ("IMAX").
inline bool is_screen_format(std::string_view genre) { return genre == "IMAX"; }

// A session call refused; what() is a sentence for a person, problem() says which rule.
class SessionError : public Error {
 public:
  enum class Problem {
    kUnknownMovie,        // the row is not in the model
    kDuplicateFavourite,  // the movie is already a favourite
    kTooManyFavourites,   // the four favourites are already in
    kNotStarted,          // recommendations asked for before the four favourites
    kNoRecommendation,    // feedback or explain with no current recommendation
    kAlreadySeen,         // answer() about a favourite or a movie answered already
    kNotFavourite,        // replace_favourite() of a slot that holds no favourite
  };
  SessionError(Problem problem, const std::string& message);
  Problem problem() const { return problem_; }

 private:
  Problem problem_;
};

// Why a movie scored what it did (seed 7.7). The five contributions sum to total, the score that
// ranked it.
struct ScoreParts {
  double model_score = 0;     // the model's score of the movie (score_movies: user . movie)
  double genre_affinity = 0;  // sum of the genre profile's weights of the movie's genres, 0..1
  double model = 0;           // model_score x score_weight_model
  double genre_distance = 0;  // -(1 - genre_affinity) x genre_distance_penalty (<= 0)
  double popularity = 0;      // -popularity / max popularity x popularity_penalty (<= 0)
  double diversity = 0;       // +diversity_boost when 0 < affinity <= diversity_max_affinity
  // lead_in_weight x (spread of the model part / spread of the lead-in sums, over this pick's
  // candidates) x the movie's lead-in sum: the weights of its lead-ins among the favourites and
  // liked movies, less those among the disliked (Policy::lead_in_weight); 0 without lead-ins.
  double lead_ins = 0;
  // What the exploration rule added: random_dampening -exploration_damping x |score| when
  // dampened, else 0 (<= 0); ucb the bonus (>= 0); thompson score_weight_model x (u' - u) . movie,
  // the sampled vector's score less the mean's (either sign); none 0.
  double exploration = 0;
  // model + genre_distance + popularity + diversity + lead_ins + exploration
  double total = 0;
};

struct Recommendation {
  std::size_t row = 0;
  ScoreParts parts;
};

// A favourite or liked movie near the recommendation in embedding space.
struct Neighbour {
  std::size_t row = 0;
  double similarity = 0;   // cosine similarity of the two embeddings, -1..1 (0 for a zero vector)
  bool favourite = false;  // one of the four favourites (else a movie liked in this session)
};

struct Explanation {
  std::size_t row = 0;
  ScoreParts parts;
  std::vector<Neighbour> nearest;  // most similar first (ties by row), at most kExplainNeighbours
};

struct FeedbackEvent {
  std::size_t row = 0;
  Feedback feedback = Feedback::kSkip;
};

struct FeedbackCounts {
  std::size_t likes = 0;
  std::size_t dislikes = 0;
  std::size_t skips = 0;
  std::size_t watches = 0;

  // Counts one more answer of its kind.
  void add(Feedback answer);
};

// How a session starts without favourites: from a user vector the model was trained with (a
// known user, or a profile retrained into the model).
struct KnownStart {
  Eigen::VectorXd vector;            // the start vector u0, k values
  std::vector<std::size_t> seen;     // rows never to recommend (what the user rated already)
  std::vector<std::size_t> liked;    // rows whose genres make the genre profile
  std::vector<std::size_t> favourites;  // shown as favourites (explanations) and seen; at most 4
};

class Session {
 public:
  static constexpr std::size_t kFavourites = 4;
  static constexpr std::size_t kExplainNeighbours = 3;

  // `model` must outlive the session. Throws ConfigError when `policy` breaks a range or a
  // cross-key rule (source "policy"). O(movies / 64) time and memory.
  Session(const Model& model, Policy policy, std::uint64_t seed);

  // Adds a favourite; the fourth starts recommending: user vector = mean of the four
  // embeddings, the four are seen, genre profile = their normalised genre counts. Throws
  // SessionError for a row not in the model, a repeated favourite, or a fifth.
  void add_favourite(std::size_t row);

  // The current recommendation: the same one until feedback(); none once no candidate is left
  // (state kExhausted). Candidates are unseen movies that pass the genre filter; the highest
  // total wins, ties to the lower row. Throws SessionError (kNotStarted) before the four
  // favourites. Random numbers come from std::mt19937_64(seed), each draw turned into a uniform
  // = (draw >> 11) * 2^-53, and are drawn only by:
  //   random_dampening with a rate above 0: one uniform per candidate, in row order; dampened
  //     when uniform < exploration_rate;
  //   thompson: k standard normals per pick, by Box-Muller from pairs of uniforms (u1, u2):
  //     r = sqrt(-2 ln(1 - u1)), normals r cos(2 pi u2) then r sin(2 pi u2), as many pairs as
  //     needed; then u' = u + thompson_sigma x s_0 x L^-T z, where A = L L^T.
  // ucb adds ucb_alpha x s_0 x sqrt(m^T A^-1 m) x score_weight_model to each candidate.
  // A = ls_regularization x s_m x I + sum of m m^T over the liked and disliked movies (and the
  // favourites when favourites_as_likes), updated only while online_learning is on; s_0 and
  // s_m are score_unit() and norm_scale().
  std::optional<Recommendation> next();

  // Starts recommending from `start` instead of four favourites: the user vector is
  // start.vector, the genre profile comes from start.liked, and start.seen and start.favourites
  // are never recommended; s_0 is |u0|^2, as for favourites. Throws SessionError:
  // kTooManyFavourites once favourites were added or the session started, or with more than four
  // in start.favourites; kUnknownMovie for a row not in the model. Throws Error when the vector
  // does not have the embeddings' k values or is not finite.
  void start_known(KnownStart start);

  // Answers the current recommendation: like and dislike update the user vector by the policy's
  // rule, skip does not, and nothing does when the policy's online_learning is off (the answer
  // is still counted and recorded); the movie is seen in every case. The rules, with m the
  // movie's embedding:
  //   moving_average: like u <- (1-a)u + a m; dislike u <- (1-a)u - a w m (a = learning_rate,
  //     w = negative_weight);
  //   least_squares: u <- A^-1 b, the exact minimiser of sum_j (t_j - u . m_j)^2 +
  //     ls_regularization x s_m x |u - u0|^2 over the liked (t = like_target x s_0) and
  //     disliked (t = dislike_target x s_0) movies, and the favourites as likes when
  //     favourites_as_likes; u0 is the start vector (the favourites' mean). Throws SessionError
  // (kNoRecommendation) when next() has not produced one since the last answer.
  void feedback(Feedback answer);

  // Answers any movie not seen yet, as feedback() answers the current recommendation (which it
  // drops: the next pick reflects the answer): for replaying a profile's stored answers.
  // Throws SessionError: kNotStarted before the start, kUnknownMovie, kAlreadySeen.
  void answer(std::size_t row, Feedback answer);

  // Takes back the last answer: the state is rebuilt from the start and the answers before it,
  // so the user vector is exactly what it was, and the movie can be recommended again. Returns
  // the answer taken back, or none when there is none. The random numbers go on (a pick after
  // an undo may explore differently than the pick before the answer did).
  std::optional<FeedbackEvent> undo();

  // Puts `row` in favourite slot `slot` (0-based) in place of the movie there, which is then no
  // longer seen; once started, the state is rebuilt with the new start vector and every answer
  // replayed. Throws SessionError: kNotFavourite for an empty slot, kUnknownMovie, and
  // kDuplicateFavourite or kAlreadySeen when `row` is a favourite or answered already.
  void replace_favourite(std::size_t slot, std::size_t row);
  // The current recommendation's score parts and the favourite or liked movies most similar to
  // it. Throws SessionError (kNoRecommendation) like feedback().
  Explanation explain() const;

  SessionState state() const { return state_; }
  const Model& model() const { return *model_; }
  const Policy& policy() const { return policy_; }
  const Eigen::VectorXd& user_vector() const { return user_; }  // k values; empty before start
  // Per genre_names index, summing to 1 (all 0 when the favourites have no genres); empty
  // before start. Screen formats in MovieLens's genre list (is_screen_format: "IMAX") are not
  // taste: they weigh 0, so they neither dilute the profile nor earn a movie affinity.
  const std::vector<double>& genre_profile() const { return genre_profile_; }
  // s_0, the unit of like_target, dislike_target, ucb_alpha and thompson_sigma: the favourites'
  // mean model score under the start vector, u0 . mean(favourites) = |u0|^2. 0 before start.
  double score_unit() const { return score_unit_; }
  // s_m, the unit of ls_regularization: the catalog's mean squared embedding norm (1 when every
  // embedding is zero), so that lambda = 1 weighs the start vector like one typical answer
  // (Model::norm_scale()).
  double norm_scale() const { return model_->norm_scale(); }
  // The least-squares system over the answers so far (A, b); empty before start.
  const UserFit& fit() const { return fit_; }
  const std::vector<std::size_t>& favourites() const { return favourites_; }
  const std::vector<std::size_t>& liked() const { return liked_; }  // in answer order
  const std::vector<std::size_t>& disliked() const { return disliked_; }
  const std::vector<std::size_t>& watchlist() const { return watchlist_; }  // in answer order
  const std::vector<FeedbackEvent>& history() const { return history_; }  // every answer
  FeedbackCounts counts() const { return counts_; }
  bool seen(std::size_t row) const { return std::binary_search(seen_.begin(), seen_.end(), row); }
  std::size_t seen_count() const { return seen_.size(); }
  // Unseen movies that pass the genre filter (0 before start).
  std::size_t candidates_left() const { return candidates_left_; }

 private:
  static constexpr std::size_t kBitsPerWord = 64;

  void start();
  // Starts recommending from start_vector_: the genre profile from taste_, the candidates, the
  // fit.
  void begin();
  // Back to the start, then every answer of `history` again, in order.
  void rebuild();
  // Records an answer about `row` and learns from it (feedback, answer, rebuild).
  void apply(std::size_t row, Feedback answer);
  void start_fit();
  void mark_seen(std::size_t row);
  void pick();
  // Under thompson, this pick's sampled user vector u' scored over every movie (`sampled`);
  // nothing under the other rules.
  void prepare_exploration(Eigen::VectorXf& sampled);
  // Under lead_in_weight with lead-ins, each movie's lead-in sum (`sums`, per row) and the
  // factor that turns it into ScoreParts::lead_ins, given this pick's model scores; else 0.
  double prepare_lead_ins(const Eigen::VectorXf& scores, std::vector<float>& sums) const;
  // The exploration rule: what it adds to a candidate's score (the ScoreParts::exploration),
  // given this pick's model scores and (thompson) sampled scores.
  double explore(std::uint32_t row, double score, const Eigen::VectorXf& scores,
                 const Eigen::VectorXf& sampled);
  // Adds a movie with a target to A and b (and keeps ucb's per-movie variances).
  void add_to_fit(std::size_t row, double target);
  // The update rule: moves user_ after an answer about `row`.
  void update_user(std::size_t row, Feedback answer);
  Eigen::VectorXd embedding(std::size_t row) const;
  // The sum of the genre profile's weights of the movie's genres; the filter on it.
  double affinity(std::size_t row) const;
  double affinity_of(std::span<const int> genres) const;
  bool passes(double affinity) const;
  // The parts that do not depend on the user vector; model, exploration and total stay 0.
  ScoreParts fixed_parts(std::size_t row, double affinity) const;
  static double fixed_score(const ScoreParts& parts);
  std::string describe(std::size_t row) const;

  const Model* model_;
  Policy policy_;
  std::mt19937_64 rng_;
  std::size_t rows_ = 0;
  // 1 + the last row that was a candidate at the start: picks score only rows below it (the
  // outside movies, after the trained ones, are rarely candidates).
  std::size_t scored_rows_ = 0;
  SessionState state_ = SessionState::kCollectingFavourites;

  std::vector<std::size_t> favourites_;
  std::vector<std::size_t> liked_;
  std::vector<std::size_t> disliked_;
  std::vector<std::size_t> watchlist_;
  std::vector<FeedbackEvent> history_;
  Eigen::VectorXd start_vector_;       // u0: the favourites' mean, or a known user's vector
  bool known_start_ = false;           // started by start_known()
  std::vector<std::size_t> known_seen_;   // start_known(): seen from the start, ascending
  std::vector<std::size_t> taste_;        // rows whose genres make the genre profile
  FeedbackCounts counts_;
  std::vector<std::size_t> seen_;  // the favourites and answered rows, ascending
  // From start(): one bit per row, set while the row passes the filter and is unseen.
  std::vector<std::uint64_t> candidates_;
  std::size_t candidates_left_ = 0;  // bits set in candidates_

  std::vector<double> genre_profile_;  // fixed from start(): so is the filter
  Eigen::VectorXd user_;
  double score_unit_ = 0;         // s_0
  UserFit fit_;                   // A and b over the answers
  std::vector<double> variance_;  // ucb only: per row, m^T A^-1 m, kept by Sherman-Morrison
  std::optional<Recommendation> current_;
};

}  // namespace movierec
