#include "movierec/frontends/profile_session.hpp"

#include <ctime>
#include <iomanip>
#include <limits>
#include <sstream>
#include <utility>

#include "movierec/frontends/session_events.hpp"

namespace movierec {
namespace {

// The stored answers as they apply: each movie the model holds, once (its first answer), in seq
// order; favourites excluded.
struct ReplayAnswer {
  std::size_t row = 0;
  Feedback feedback = Feedback::kSkip;
  std::int64_t answered_at = 0;
};

std::vector<ReplayAnswer> replayable_answers(const Model& model, const Profile& profile,
                                             const std::vector<std::size_t>& favourites,
                                             std::size_t& left_out) {
  std::vector<ReplayAnswer> out;
  std::vector<bool> taken(model.movie_count(), false);
  for (const std::size_t row : favourites) taken[row] = true;
  for (const Answer& answer : profile.answers) {
    const std::optional<Feedback> feedback = feedback_of(answer.kind);
    if (!feedback) continue;
    const std::optional<std::size_t> row = catalog_row(model, answer.movie_id);
    if (!row || taken[*row]) {
      ++left_out;
      continue;
    }
    taken[*row] = true;
    out.push_back({*row, *feedback, answer.answered_at});
  }
  return out;
}

bool learned_as_like(Feedback feedback) {
  return feedback == Feedback::kLike || feedback == Feedback::kWatch;
}

}  // namespace

AnswerKind answer_kind(Feedback feedback) {
  switch (feedback) {
    case Feedback::kLike:
      return AnswerKind::kLike;
    case Feedback::kDislike:
      return AnswerKind::kDislike;
    case Feedback::kSkip:
      return AnswerKind::kSkip;
    case Feedback::kWatch:
      return AnswerKind::kWatch;
  }
  return AnswerKind::kSkip;
}

std::optional<Feedback> feedback_of(AnswerKind kind) {
  switch (kind) {
    case AnswerKind::kLike:
      return Feedback::kLike;
    case AnswerKind::kDislike:
      return Feedback::kDislike;
    case AnswerKind::kSkip:
      return Feedback::kSkip;
    case AnswerKind::kWatch:
      return Feedback::kWatch;
    case AnswerKind::kFavourite:
      break;
  }
  return std::nullopt;
}

std::optional<std::int32_t> trained_profile_user(const Model& model, std::string_view name) {
  const nlohmann::json& manifest = model.processed_manifest();
  const auto profiles = manifest.find("profiles");
  if (profiles == manifest.end() || !profiles->is_object()) return std::nullopt;
  const auto entry = profiles->find(std::string(name));
  if (entry == profiles->end() || !entry->is_number_integer()) return std::nullopt;
  const auto user = entry->get<std::int64_t>();
  if (user <= 0 || user > std::numeric_limits<std::int32_t>::max()) return std::nullopt;
  const auto id = static_cast<std::int32_t>(user);
  if (!model.artifacts().user_map.row(id)) return std::nullopt;
  return id;
}

std::optional<std::int64_t> processed_time(const Model& model) {
  const nlohmann::json& manifest = model.processed_manifest();
  const auto created = manifest.find("created");
  if (created == manifest.end() || !created->is_string()) return std::nullopt;
  std::tm utc{};
  std::istringstream in(created->get<std::string>());
  in >> std::get_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
  if (in.fail()) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&utc));
}

ProfileRestore restore_profile(Session& session, const Profile& profile) {
  ProfileRestore restore;
  restore.name = profile.name;
  restore.found = true;
  const Model& model = session.model();
  std::vector<std::size_t> favourites;
  for (const std::optional<Answer>& favourite : profile.favourites()) {
    if (!favourite) return restore;
    const std::optional<std::size_t> row = catalog_row(model, favourite->movie_id);
    if (!row) return restore;  // asked again: the model cannot start from it
    favourites.push_back(*row);
  }
  const std::vector<ReplayAnswer> answers =
      replayable_answers(model, profile, favourites, restore.left_out);
  restore.resumed = true;
  restore.answers = answers.size();
  for (const ReplayAnswer& answer : answers) restore.counts.add(answer.feedback);
  restore.trained_user = trained_profile_user(model, profile.name);
  const std::optional<std::int64_t> trained_at = processed_time(model);
  if (restore.trained_user && trained_at) {
    const Artifacts& artifacts = model.artifacts();
    const auto user_row = static_cast<Eigen::Index>(*artifacts.user_map.row(*restore.trained_user));
    KnownStart start;
    start.vector = artifacts.user_embeddings.row(user_row).cast<double>().transpose();
    start.favourites = favourites;
    start.liked = favourites;
    std::size_t trained = 0;
    for (; trained < answers.size() && answers[trained].answered_at <= *trained_at; ++trained) {
      start.seen.push_back(answers[trained].row);
      if (learned_as_like(answers[trained].feedback)) start.liked.push_back(answers[trained].row);
    }
    session.start_known(std::move(start));
    for (std::size_t i = trained; i < answers.size(); ++i) {
      session.answer(answers[i].row, answers[i].feedback);
    }
    restore.since_training = answers.size() - trained;
    return restore;
  }
  restore.trained_user.reset();
  for (const std::size_t row : favourites) session.add_favourite(row);
  for (const ReplayAnswer& answer : answers) session.answer(answer.row, answer.feedback);
  return restore;
}

std::size_t apply_profile_answers(Session& session, const Profile& profile, std::size_t& left_out) {
  std::size_t applied = 0;
  for (const Answer& answer : profile.answers) {
    const std::optional<Feedback> feedback = feedback_of(answer.kind);
    if (!feedback) continue;
    const std::optional<std::size_t> row = catalog_row(session.model(), answer.movie_id);
    if (!row || session.seen(*row)) {
      ++left_out;
      continue;
    }
    session.answer(*row, *feedback);
    ++applied;
  }
  return applied;
}

ProfileRecorder::ProfileRecorder(ProfileStore& store, std::string name)
    : store_(&store), name_(std::move(name)) {
  check_profile_name(name_);
}

void ProfileRecorder::favourite(int slot, std::int32_t movie_id) {
  store_->set_favourite(name_, slot, movie_id, unix_seconds_now());
}

Answer ProfileRecorder::answer(std::int32_t movie_id, Feedback feedback) {
  const AnswerKind kind = answer_kind(feedback);
  Pending call{movie_id, kind, unix_seconds_now()};
  if (pending_ && pending_->movie_id == movie_id && pending_->kind == kind) {
    call.answered_at = pending_->answered_at;
  }
  pending_ = call;
  const Answer stored = store_->append_answer(name_, kind, movie_id, call.answered_at);
  pending_.reset();
  seqs_.push_back(stored.seq);
  return stored;
}

std::optional<Answer> ProfileRecorder::forget_last() {
  if (seqs_.empty()) return std::nullopt;
  std::optional<Answer> removed = store_->remove_answer(name_, seqs_.back());
  seqs_.pop_back();
  return removed;
}

}  // namespace movierec
