// A session kept in a profile of the profile store (recommend --profile, serve's "profile"): the
// session resumed from what the profile holds, and each favourite and answer stored before the
// session learns from it. The line handler (repl.hpp) and the HTTP API (http_api.hpp) both use
// these, so a profile resumes alike in the terminal, in --json and in serve.
//
// Resuming (restore_profile), for a profile with a favourite in each of the four slots, all of
// them in the model's catalog:
//   - the model was not trained with the profile: the four favourites start the session (in slot
//     order), then every stored answer is applied in order (Session::answer, the policy's own
//     update rule);
//   - the model was trained with it (preprocess --profiles listed it in processed/manifest.json
//     "profiles" and train_svd gave it a user vector): the session starts from that vector
//     (Session::start_known); the answers given up to the time the processed data was made (its
//     manifest's "created") are already in the vector and are only seen, and the answers given
//     since are applied in order.
// Either way nothing answered before is recommended again. Answers about movies the model does
// not hold, and repeated answers about one movie (two sessions of one profile at once), are left
// out and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "movierec/session/model.hpp"
#include "movierec/session/session.hpp"
#include "movierec/store/profile_store.hpp"

namespace movierec {

// What restore_profile did.
struct ProfileRestore {
  std::string name;
  bool found = false;        // the store holds the profile
  bool resumed = false;      // the session started from it (no favourites to ask)
  std::size_t answers = 0;   // stored answers the session holds (likes, dislikes, skips, watches)
  std::size_t left_out = 0;  // stored answers left out: movies outside the model, repeats
  FeedbackCounts counts;     // of `answers`, per kind
  // The user id the model was trained with for the profile; none when it was not.
  std::optional<std::int32_t> trained_user;
  std::size_t since_training = 0;  // of `answers`, given after the training data was made
};

// The store's kind of answer for a session's answer, and back (none for kFavourite).
AnswerKind answer_kind(Feedback feedback);
std::optional<Feedback> feedback_of(AnswerKind kind);

// The user id the model was trained with for profile `name` (processed manifest "profiles"),
// when the trained model has a vector for it; none otherwise.
std::optional<std::int32_t> trained_profile_user(const Model& model, std::string_view name);

// The processed data's time (manifest "created", ISO 8601 UTC) as Unix seconds; none when the
// manifest has no readable time.
std::optional<std::int64_t> processed_time(const Model& model);

// Starts `session` (new: still collecting favourites, none given) from `profile` as described
// above, when it has its four favourites in the model; otherwise leaves it untouched (resumed
// false). Throws as the Session calls do.
ProfileRestore restore_profile(Session& session, const Profile& profile);

// Applies the profile's stored answers (not its favourites) to `session`, started already, in
// order, leaving out movies outside the model and movies seen already (favourites, repeats):
// for a profile whose favourites were asked again. Returns how many were applied and adds the
// others to `left_out`.
std::size_t apply_profile_answers(Session& session, const Profile& profile, std::size_t& left_out);

// Writes one session's favourites and answers to its profile, each as one committed call. Not
// thread-safe: one session's calls come one at a time (serve holds the session's lease).
class ProfileRecorder {
 public:
  // `store` must outlive the recorder. Throws ProfileInputError for a bad name.
  ProfileRecorder(ProfileStore& store, std::string name);

  const std::string& name() const { return name_; }
  ProfileStore& store() const { return *store_; }

  // Stores `movie_id` as favourite `slot` (1..4). Throws StoreError (StoreUnavailable: nothing
  // changed on the caller's side; call again).
  void favourite(int slot, std::int32_t movie_id);
  // Stores an answer. When the previous call failed, a call for the same movie and answer reuses
  // its time, so an answer whose commit happened but was not acknowledged is stored once. Throws
  // as favourite().
  Answer answer(std::int32_t movie_id, Feedback feedback);
  // Removes the last answer stored through this recorder (an undo) and returns it; none when
  // there is none. Throws as favourite().
  std::optional<Answer> forget_last();
  // Whether forget_last() has an answer of this recorder's to remove.
  bool has_answers() const { return !seqs_.empty(); }

 private:
  struct Pending {
    std::int32_t movie_id = 0;
    AnswerKind kind = AnswerKind::kLike;
    std::int64_t answered_at = 0;
  };

  ProfileStore* store_;
  std::string name_;
  std::optional<Pending> pending_;  // the answer of a call that failed
  std::vector<std::int64_t> seqs_;  // of the answers stored through this recorder, in order
};

}  // namespace movierec
