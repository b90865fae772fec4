#include "movierec/measure/simulate.hpp"

#include <algorithm>
#include <mutex>
#include <random>
#include <unordered_map>

#include "movierec/io/error.hpp"
#include "movierec/io/parallel.hpp"
#include "movierec/io/random.hpp"
#include "movierec/measure/metrics.hpp"

namespace movierec {
namespace {

// A train rating as the favourites' choice sees it.
struct Candidate {
  float stars = 0;
  std::int64_t timestamp = 0;
  std::int32_t movie = 0;
  std::size_t row = 0;
};

// Best-rated first; ties: the most recent, then the lower movieId.
bool better(const Candidate& a, const Candidate& b) {
  if (a.stars != b.stars) return a.stars > b.stars;
  if (a.timestamp != b.timestamp) return a.timestamp > b.timestamp;
  return a.movie < b.movie;
}

// One user's embedded train movies seen so far: how many, and the best few, best first. Kept
// small so that tens of millions of ratings need one pass and no copy.
struct TrainSummary {
  std::size_t embedded = 0;
  std::vector<Candidate> best;

  void add(const Candidate& candidate) {
    ++embedded;
    const auto at = std::upper_bound(best.begin(), best.end(), candidate, better);
    if (at - best.begin() < static_cast<std::ptrdiff_t>(Session::kFavourites)) {
      best.insert(at, candidate);
      if (best.size() > Session::kFavourites) best.pop_back();
    }
  }
};

struct FutureRating {
  float stars = 0;
  std::int64_t timestamp = 0;
};

void no_recommendation() {
  throw SessionError(SessionError::Problem::kNoRecommendation,
                     "there is no recommendation to answer yet");
}

class SessionRecommender : public Recommender {
 public:
  SessionRecommender(const SimulatedSystem& system, const SimulatedUser& user, std::uint64_t seed)
      : session_(*system.model, system.policy, seed) {
    for (const std::size_t row : user.favourites) session_.add_favourite(row);
  }
  std::optional<std::size_t> next() override {
    const auto recommendation = session_.next();
    return recommendation ? std::optional<std::size_t>(recommendation->row) : std::nullopt;
  }
  void feedback(Feedback answer) override { session_.feedback(answer); }

 private:
  Session session_;
};

class PopularRecommender : public Recommender {
 public:
  PopularRecommender(const SimulatedSystem& system, const SimulatedUser& user)
      : order_(system.popular_order), favourites_(user.favourites) {}
  std::optional<std::size_t> next() override {
    while (at_ < order_.size() &&
           std::find(favourites_.begin(), favourites_.end(), order_[at_]) != favourites_.end()) {
      ++at_;
    }
    pending_ = at_ < order_.size();
    return pending_ ? std::optional<std::size_t>(order_[at_]) : std::nullopt;
  }
  void feedback(Feedback) override {
    if (!pending_) no_recommendation();
    pending_ = false;
    ++at_;
  }

 private:
  const std::vector<std::size_t>& order_;
  std::array<std::size_t, Session::kFavourites> favourites_;
  std::size_t at_ = 0;
  bool pending_ = false;
};

class RandomRecommender : public Recommender {
 public:
  RandomRecommender(const SimulatedSystem& system, const SimulatedUser& user, std::uint64_t seed)
      : rng_(seed),
        rows_(system.model->movie_count()),
        seen_(user.favourites.begin(), user.favourites.end()) {}
  // Draws rows until one is new: the favourites and shown movies are few next to the catalog,
  // so this beats shuffling the whole catalog for every user.
  std::optional<std::size_t> next() override {
    if (current_ || seen_.size() >= rows_) return current_;
    for (;;) {
      const auto row = static_cast<std::size_t>(uniform01(rng_) * static_cast<double>(rows_));
      if (std::find(seen_.begin(), seen_.end(), row) == seen_.end()) {
        current_ = row;
        return current_;
      }
    }
  }
  void feedback(Feedback) override {
    if (!current_) no_recommendation();
    seen_.push_back(*current_);
    current_.reset();
  }

 private:
  std::mt19937_64 rng_;
  std::size_t rows_;
  std::vector<std::size_t> seen_;  // favourites and shown: distinct rows
  std::optional<std::size_t> current_;
};

// baseline.hpp's session rule: the profile scored after every answer, the best unseen movie
// shown, ties to the lower row.
class ProfileRecommender : public Recommender {
 public:
  ProfileRecommender(const SimulatedSystem& system, const SimulatedUser& user)
      : scorer_(*system.scorer),
        dislike_weight_(system.dislike_weight),
        seen_(scorer_.movie_count(), 0) {
    for (const std::size_t row : user.favourites) {
      if (row >= seen_.size()) {
        throw SessionError(SessionError::Problem::kUnknownMovie,
                           "movie row " + std::to_string(row) + " is not in the model");
      }
      profile_.emplace_back(row, 1.0);
      seen_[row] = 1;
    }
  }
  std::optional<std::size_t> next() override {
    if (current_) return current_;
    scorer_.score(profile_, scores_);
    std::optional<std::size_t> best;
    for (std::size_t row = 0; row < seen_.size(); ++row) {
      if (seen_[row] == 0 && (!best || scores_[static_cast<Eigen::Index>(row)] >
                                           scores_[static_cast<Eigen::Index>(*best)])) {
        best = row;
      }
    }
    current_ = best;
    return current_;
  }
  void feedback(Feedback answer) override {
    if (!current_) no_recommendation();
    if (answer == Feedback::kLike) profile_.emplace_back(*current_, 1.0);
    if (answer == Feedback::kDislike) profile_.emplace_back(*current_, -dislike_weight_);
    seen_[*current_] = 1;
    current_.reset();
  }

 private:
  const ProfileScorer& scorer_;
  double dislike_weight_;
  std::vector<unsigned char> seen_;  // favourites and shown
  Profile profile_;
  Eigen::VectorXd scores_;
  std::optional<std::size_t> current_;
};

}  // namespace

Feedback simulated_answer(std::optional<float> stars) {
  if (!stars) return Feedback::kSkip;
  if (*stars >= kLikeStars) return Feedback::kLike;
  if (*stars <= kDislikeStars) return Feedback::kDislike;
  return Feedback::kSkip;
}

std::optional<float> SimulatedUser::future_stars(std::size_t row) const {
  const auto at =
      std::lower_bound(future.begin(), future.end(), row,
                       [](const auto& entry, std::size_t r) { return entry.first < r; });
  if (at == future.end() || at->first != row) return std::nullopt;
  return at->second;
}

std::vector<SimulatedUser> simulated_users(const IdMap& movies, const std::vector<Rating>& train,
                                           const std::vector<Rating>& held_out) {
  std::unordered_map<std::int32_t, TrainSummary> summaries;
  for (const Rating& rating : train) {
    if (const auto row = movies.row(rating.movie)) {
      summaries[rating.user].add({rating.rating, rating.timestamp, rating.movie, *row});
    }
  }
  std::vector<SimulatedUser> users;
  std::unordered_map<std::int32_t, std::size_t> index;  // userId -> position in users
  for (const auto& [id, summary] : summaries) {
    if (summary.embedded < Session::kFavourites) continue;
    SimulatedUser& user = users.emplace_back();
    user.id = id;
    for (std::size_t i = 0; i < Session::kFavourites; ++i) user.favourites[i] = summary.best[i].row;
  }
  std::sort(users.begin(), users.end(),
            [](const SimulatedUser& a, const SimulatedUser& b) { return a.id < b.id; });
  for (std::size_t i = 0; i < users.size(); ++i) index.emplace(users[i].id, i);

  std::vector<std::unordered_map<std::size_t, FutureRating>> future(users.size());
  for (const Rating& rating : held_out) {
    const auto user = index.find(rating.user);
    const auto row = movies.row(rating.movie);
    if (user == index.end() || !row) continue;
    const auto [at, inserted] =
        future[user->second].try_emplace(*row, FutureRating{rating.rating, rating.timestamp});
    if (!inserted && rating.timestamp >= at->second.timestamp) {
      at->second = {rating.rating, rating.timestamp};
    }
  }
  for (std::size_t i = 0; i < users.size(); ++i) {
    for (const auto& [row, rating] : future[i]) users[i].future.emplace_back(row, rating.stars);
    std::sort(users[i].future.begin(), users[i].future.end());
  }
  return users;
}

std::uint64_t user_seed(std::uint64_t seed, std::int32_t user) {
  return splitmix64(splitmix64(seed) ^ static_cast<std::uint32_t>(user));
}

std::vector<std::int32_t> sample_ids(std::vector<std::int32_t> ids, std::size_t count,
                                     std::uint64_t seed) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (count == 0 || count >= ids.size()) return ids;
  std::vector<std::pair<std::uint64_t, std::int32_t>> keyed;
  keyed.reserve(ids.size());
  for (const std::int32_t id : ids) keyed.emplace_back(splitmix64(user_seed(seed, id)), id);
  std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(count), keyed.end());
  std::vector<std::int32_t> chosen;
  chosen.reserve(count);
  for (std::size_t i = 0; i < count; ++i) chosen.push_back(keyed[i].second);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

SimulatedSystem session_system(std::string name, const Model& model, Policy policy,
                               bool online_learning) {
  policy.online_learning = online_learning;
  return {std::move(name), SystemKind::kSession, &model, std::move(policy), {}, nullptr, 1};
}

SimulatedSystem most_popular_system(std::string name, const Model& model) {
  SimulatedSystem system{std::move(name), SystemKind::kMostPopular, &model, {}, {}, nullptr, 1};
  std::vector<std::size_t>& order = system.popular_order;
  for (std::size_t row = 0; row < model.movie_count(); ++row) {
    if (model.recommendable(row, system.policy.min_evidence)) order.push_back(row);
  }
  const IdMap& ids = model.artifacts().movie_map;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (model.popularity()[a] != model.popularity()[b]) {
      return model.popularity()[a] > model.popularity()[b];
    }
    return ids.id(a) < ids.id(b);
  });
  return system;
}

SimulatedSystem random_system(std::string name, const Model& model) {
  return {std::move(name), SystemKind::kRandom, &model, {}, {}, nullptr, 1};
}

SimulatedSystem baseline_system(std::string name, const Model& model,
                                std::shared_ptr<const ProfileScorer> scorer,
                                double dislike_weight) {
  if (!scorer) throw Error("baseline '" + name + "' has no model");
  if (scorer->movie_count() != model.movie_count()) {
    throw Error("baseline '" + name + "' scores " + std::to_string(scorer->movie_count()) +
                " movies, the catalog has " + std::to_string(model.movie_count()));
  }
  if (!(dislike_weight >= 0)) throw Error("baseline '" + name + "': dislike weight below 0");
  return {std::move(name),   SystemKind::kBaseline, &model, {}, {},
          std::move(scorer), dislike_weight};
}

std::unique_ptr<Recommender> make_recommender(const SimulatedSystem& system,
                                              const SimulatedUser& user, std::uint64_t seed) {
  if (system.model == nullptr) throw Error("system '" + system.name + "' has no model");
  switch (system.kind) {
    case SystemKind::kSession:
      return std::make_unique<SessionRecommender>(system, user, seed);
    case SystemKind::kMostPopular:
      return std::make_unique<PopularRecommender>(system, user);
    case SystemKind::kRandom:
      return std::make_unique<RandomRecommender>(system, user, seed);
    case SystemKind::kBaseline:
      if (!system.scorer) throw Error("system '" + system.name + "' has no model");
      return std::make_unique<ProfileRecommender>(system, user);
  }
  throw Error("system '" + system.name + "' is of an unknown kind");
}

UserRun run_user(const SimulatedSystem& system, const SimulatedUser& user, std::size_t steps,
                 std::uint64_t seed) {
  const std::unique_ptr<Recommender> recommender = make_recommender(system, user, seed);
  UserRun run;
  for (std::size_t step = 0; step < steps; ++step) {
    const auto row = recommender->next();
    if (!row) break;
    const Feedback answer = user.answer(*row);
    recommender->feedback(answer);
    run.shown.push_back(*row);
    run.answers.push_back(answer);
  }
  return run;
}

namespace {

// The means over users of one system's runs. Counts are summed as integers, so the result is
// the same whatever order the runs were made in.
SystemResult summarise(const SimulatedSystem& system, const std::vector<UserRun>& runs,
                       std::size_t steps) {
  SystemResult result;
  result.name = system.name;
  result.users = runs.size();
  std::vector<std::size_t> likes(steps, 0), dislikes(steps, 0);
  std::size_t skips = 0, shown = 0;
  std::vector<std::vector<std::size_t>> lists;
  lists.reserve(runs.size());
  for (const UserRun& run : runs) {
    std::size_t liked = 0, disliked = 0;
    for (std::size_t step = 0; step < steps; ++step) {
      if (step < run.answers.size()) {
        liked += run.answers[step] == Feedback::kLike ? 1 : 0;
        disliked += run.answers[step] == Feedback::kDislike ? 1 : 0;
        skips += run.answers[step] == Feedback::kSkip ? 1 : 0;
      }
      likes[step] += liked;
      dislikes[step] += disliked;
    }
    result.user_likes.push_back(liked);
    shown += run.shown.size();
    result.exhausted += run.shown.size() < steps ? 1 : 0;
    lists.push_back(run.shown);
  }
  const auto users = static_cast<double>(runs.size());
  for (std::size_t step = 0; step < steps; ++step) {
    result.likes.push_back(static_cast<double>(likes[step]) / users);
    result.dislikes.push_back(static_cast<double>(dislikes[step]) / users);
  }
  result.skips = static_cast<double>(skips) / users;
  result.shown = static_cast<double>(shown) / users;
  // Coverage of what the system may recommend (the trained catalog, under the default policy).
  result.distinct = distinct_items(lists, system.model->movie_count());
  result.coverage =
      static_cast<double>(result.distinct) /
      static_cast<double>(system.model->recommendable_count(system.policy.min_evidence));
  return result;
}

}  // namespace

std::vector<SystemResult> simulate(const std::vector<SimulatedSystem>& systems,
                                   const std::vector<SimulatedUser>& users,
                                   const SimulationOptions& options,
                                   const std::function<void(std::size_t)>& progress) {
  if (users.empty()) throw Error("no user to simulate");
  for (const SimulatedSystem& system : systems) {
    if (system.model == nullptr) throw Error("system '" + system.name + "' has no model");
    if (system.kind == SystemKind::kSession) system.policy.validate(system.name + " policy");
  }
  // runs[system][user], filled in place by whichever thread runs the user.
  std::vector<std::vector<UserRun>> runs(systems.size(), std::vector<UserRun>(users.size()));
  std::mutex progress_mutex;
  std::size_t done = 0;
  parallel_for(
      users.size(),
      [&](std::size_t i) {
        const std::uint64_t seed = user_seed(options.seed, users[i].id);
        for (std::size_t s = 0; s < systems.size(); ++s) {
          runs[s][i] = run_user(systems[s], users[i], options.steps, seed);
        }
        if (progress) {
          const std::lock_guard<std::mutex> lock(progress_mutex);
          progress(++done);
        }
      },
      options.threads);
  std::vector<SystemResult> results;
  for (std::size_t s = 0; s < systems.size(); ++s) {
    results.push_back(summarise(systems[s], runs[s], options.steps));
  }
  return results;
}

}  // namespace movierec
