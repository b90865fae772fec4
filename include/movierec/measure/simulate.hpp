// Simulated sessions (issue 4): users of the time split replayed through the same Session that
// recommend runs, each answering every recommendation from their own future ratings; baselines
// (most popular first, random) answer to the same users through the same code. No I/O.
//
// The protocol:
//   - a simulated user is anyone with at least Session::kFavourites embedded movies in train;
//     the favourites are the four best-rated of those (ties: the most recent first, then the
//     lower movieId);
//   - an answer comes from the user's val and test ratings: like at >= kLikeStars, dislike at
//     <= kDislikeStars, skip otherwise, and skip for a movie the user never rated there;
//   - each system shows up to `steps` movies per user; the session seed of a user derives from
//     (the run's seed, userId), so results do not depend on the order or number of threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "movierec/data/movielens.hpp"
#include "movierec/measure/baseline.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/session.hpp"
#include "movierec/train/artifacts.hpp"
#include "movierec/train/training.hpp"

namespace movierec {

// A held-out rating of at most this many stars counts as a dislike (at least kLikeStars: like).
inline constexpr float kDislikeStars = 2.5f;

// The answer to a movie the user rated `stars` in val or test (none: not rated there).
Feedback simulated_answer(std::optional<float> stars);

struct SimulatedUser {
  std::int32_t id = 0;
  std::array<std::size_t, Session::kFavourites> favourites{};  // movie rows, best first
  // (movie row, stars) of the user's val and test ratings of embedded movies, by row.
  std::vector<std::pair<std::size_t, float>> future;

  std::optional<float> future_stars(std::size_t row) const;
  Feedback answer(std::size_t row) const { return simulated_answer(future_stars(row)); }
};

// Every user who can be simulated, by increasing id. `movies` maps movieId -> embedding row;
// `train` and `held_out` (val and test) are ratings in any order; a movie rated in both val and
// test answers with the later rating.
std::vector<SimulatedUser> simulated_users(const IdMap& movies, const std::vector<Rating>& train,
                                           const std::vector<Rating>& held_out);

// The seed of `user`'s sessions in a run seeded `seed`: splitmix64 of both, so that each user's
// sessions are fixed by (seed, userId) alone.
std::uint64_t user_seed(std::uint64_t seed, std::int32_t user);

// A deterministic sample of `count` of `ids` (all of them when count is 0 or not smaller): the
// ids whose splitmix64(user_seed(seed, id)) is smallest, in increasing order. It does not depend
// on the order of `ids`, and with the same seed a larger sample contains a smaller one.
std::vector<std::int32_t> sample_ids(std::vector<std::int32_t> ids, std::size_t count,
                                     std::uint64_t seed);

// kBaseline: a ProfileScorer under baseline.hpp's session rule.
enum class SystemKind { kSession, kMostPopular, kRandom, kBaseline };

// One recommender under test. Every kind names a model: its movies are the catalog.
struct SimulatedSystem {
  std::string name;
  SystemKind kind = SystemKind::kSession;
  const Model* model = nullptr;  // must outlive the system
  Policy policy;                 // kSession: the session's policy (online_learning: on or off)
  // kMostPopular: every recommendable row (under `policy`'s min_evidence), most train ratings
  // first, ties to the lower movieId.
  std::vector<std::size_t> popular_order;
  // kBaseline: the model scoring the profile (its movies are the model's rows), and the weight
  // a dislike enters the profile with (subtracted).
  std::shared_ptr<const ProfileScorer> scorer;
  double dislike_weight = 1;
};

// The session on `model` with `policy`, its online learning switched on or off.
SimulatedSystem session_system(std::string name, const Model& model, Policy policy,
                               bool online_learning);
// Most popular first: train rating count (Model::popularity), ties to the lower movieId,
// skipping the favourites and whatever it has shown.
SimulatedSystem most_popular_system(std::string name, const Model& model);
// Uniformly random among the movies neither a favourite nor shown, from the session seed.
SimulatedSystem random_system(std::string name, const Model& model);
// baseline.hpp's session rule over `scorer`, which must score model's movies. Throws Error when
// the scorer is missing or scores another number of movies, or dislike_weight is negative.
SimulatedSystem baseline_system(std::string name, const Model& model,
                                std::shared_ptr<const ProfileScorer> scorer, double dislike_weight);

// What a simulated user talks to: the session, or a baseline speaking the same two calls.
class Recommender {
 public:
  virtual ~Recommender() = default;
  // The movie row to show next, the same until answered; none when nothing is left to show.
  virtual std::optional<std::size_t> next() = 0;
  // Answers what next() showed.
  virtual void feedback(Feedback answer) = 0;
};

// `system` started for `user` (the favourites given) with session seed `seed`. Throws
// ConfigError for a bad policy and SessionError for favourites outside the model.
std::unique_ptr<Recommender> make_recommender(const SimulatedSystem& system,
                                              const SimulatedUser& user, std::uint64_t seed);

// One user's run with one system: what was shown, in order, and the answers.
struct UserRun {
  std::vector<std::size_t> shown;  // fewer than the steps when the system ran out
  std::vector<Feedback> answers;
};

UserRun run_user(const SimulatedSystem& system, const SimulatedUser& user, std::size_t steps,
                 std::uint64_t seed);

struct SimulationOptions {
  std::size_t steps = 20;  // recommendations shown to each user
  std::uint64_t seed = 1;  // each user's sessions are seeded user_seed(seed, userId)
  unsigned threads = 2;    // users run in parallel; results do not depend on it
};

struct SystemResult {
  std::string name;
  std::size_t users = 0;  // users simulated
  // Mean over users of the likes (dislikes) among the first s recommendations, at index s - 1
  // for s = 1 .. steps; a user whose system ran out keeps their last count.
  std::vector<double> likes;
  std::vector<double> dislikes;
  double skips = 0;           // mean skips per user
  double shown = 0;           // mean recommendations shown per user (below steps when exhausted)
  std::size_t exhausted = 0;  // users whose system ran out before the last step
  std::size_t distinct = 0;   // distinct movies recommended to anyone
  double coverage = 0;        // distinct / the movies the system may recommend
  // Per simulated user, in the order given to simulate(): likes among all the recommendations
  // shown (the paired bootstrap resamples these).
  std::vector<std::size_t> user_likes;
};

// Runs every system for every user. `progress`, if set, is called with the users finished so
// far (from worker threads, one call at a time). Throws what make_recommender throws.
std::vector<SystemResult> simulate(const std::vector<SimulatedSystem>& systems,
                                   const std::vector<SimulatedUser>& users,
                                   const SimulationOptions& options,
                                   const std::function<void(std::size_t)>& progress = {});

}  // namespace movierec
