// The session's line handler: what `recommend` does with each line a person (or a program) types,
// with no I/O. It is fed one line at a time and answers with events; the terminal front end
// (terminal.hpp) and the --json front end (repl_json.cpp) are two renderers of the same events,
// so no session logic lives in either.
//
// Phases.
//   Favourites. Each line is a title query, looked up among every movie of the data set:
//     - one movie for certain: accepted as the next favourite (a `favourite` event), or refused
//       (an `error`): already a favourite, or (only with artifacts from before train_svd gave
//       every movie of the release a vector) outside the trained catalog, with the reason (too
//       few ratings for filter.min_movie_ratings, too few from users the filter kept, or none in
//       the training split) followed by the closest titles that are in the catalog as `choices`;
//       the `favourite` event says where the movie's vector comes from ("evidence");
//     - several: up to max_choices numbered `choices` among the movies in the catalog;
//     - nothing: an `error`, then near titles in the catalog as `choices` when there are some.
//     While choices are shown, a number of one to three digits picks one when it is from 1 to
//     their count, and is otherwise an `error` (bad_choice) that keeps the choices: a number is
//     never searched as a title there (longer numbers are titles: "1917"; a short one is typed
//     with its year, "300 2006"). When a single choice is shown ("Did you mean Heat (1995)?"),
//     y/yes or an empty line take it too and n/no drop it (an `error`, declined). Any other line
//     is a new query.
//   Recommendations (after the fourth favourite). One `recommendation` at a time, answered by
//     y/yes (like), n/no (dislike), s/skip, w/watch (want to watch: the watchlist, learned from as
//     a like): Session::feedback, then the next recommendation; u/undo: the last answer taken
//     back (Session::undo), an `undone` event and the next recommendation, or an `error`
//     (nothing_to_undo); f N TITLE: favourite N (1-4) becomes TITLE (a `favourite` event naming
//     the one replaced, numbered choices first when several match), then a new recommendation;
//     i/info: an `info` event and the same movie waits; m: a `similar` event (more like this) for
//     the waiting movie, m TITLE for a catalog movie found by title (an `error` when the title
//     matches none, several or one outside the catalog), and the same movie waits; anything
//     else: a one-line `error` hint.
//   In both phases: q/quit/exit end the session (reason quit); h/help/? show `help`; l (and
//   list, once recommending) shows the favourites, the liked movies and the watchlist as a
//   `list` event. Answers are case-insensitive and surrounding white space is ignored. The end of
//   input ends it (eof), interrupt() (Ctrl-C) ends it (interrupted), and so does running out of
//   candidates (exhausted); the `end` event carries the summary.
//
// Hostile lines (empty, longer than max_line_bytes, invalid UTF-8, control characters) get an
// `error` hint and the session goes on; text echoed back is cleaned and cut to max_shown_chars.
// handle() and end_of_input() never throw: a failure inside one line becomes an `error` event
// (code "internal") and the session goes on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <future>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "movierec/frontends/profile_session.hpp"
#include "movierec/frontends/session_events.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/session.hpp"
#include "movierec/session/title_search.hpp"

namespace movierec {

// Tunables of the dialogue (not of the recommender: those are the Policy).
struct ReplOptions {
  std::size_t max_choices = 8;          // numbered choices shown for an ambiguous query
  std::size_t max_suggestions = 5;      // near titles offered after a refusal or a miss
  std::size_t max_line_bytes = 1024;    // longer lines are refused unread (titles are shorter)
  std::size_t max_shown_chars = 60;     // echoed input is cut to this many characters
  std::size_t max_completions = 100;    // titles offered by complete()
  std::size_t max_info_neighbours = 3;  // favourite or liked movies named in an info event
  std::size_t max_similar = 10;         // movies listed by `m` (more like this)
};

enum class ChoicesReason {
  kAmbiguous,     // several movies in the catalog match the query
  kNotFound,      // nothing matched; these are near titles
  kNotInCatalog,  // the movie meant is outside the catalog; these are the closest inside it
};

struct ChoicesEvent {
  std::string query;  // as typed, cleaned and cut
  ChoicesReason reason = ChoicesReason::kAmbiguous;
  std::vector<MovieRef> options;  // numbered from 1
  // kAmbiguous only: some of the best matches over every movie are outside the catalog and so
  // not offered.
  bool outside_catalog = false;
  // Per option: what tells it apart from another option of the same title (different films
  // sharing a title and year): its genres and IMDb id ("Comedy, Drama; IMDb tt0116191"); ""
  // for an option whose title is its own. Empty when no title repeats.
  std::vector<std::string> notes = {};
};

struct FavouriteEvent {
  MovieRef movie;
  std::size_t number = 0;  // 1 to Session::kFavourites
  std::optional<MovieRef> replaced;  // a changed favourite ("f N TITLE"): the movie it replaced
  MovieEvidence evidence;            // where the favourite's vector comes from
};

// A profile kept (recommend --profile): what was restored, before the first line.
struct ProfileEvent {
  ProfileRestore restore;
  std::vector<MovieRef> favourites;  // by slot, when resumed
};

enum class ErrorCode {
  kEmpty,          // an empty line
  kTooLong,        // longer than max_line_bytes
  kNotText,        // invalid UTF-8 or control characters
  kNotFound,       // no title matches the query
  kNotInCatalog,   // the movie has no vector (artifacts from before outside movies)
  kDuplicate,      // the movie is already a favourite
  kUnknownAnswer,  // not an answer to a recommendation
  kEnded,          // a line after the end
  kStore,          // the profile store failed: nothing was saved, the same line can be retried
  kInternal,       // a failure inside the program; the session goes on
  kBadChoice,      // a number that is not one of the choices shown; they stay
  kDeclined,       // "n" to a single choice: it is dropped
  kNothingToUndo,  // "u" with no answer to take back
};

struct ErrorEvent {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;            // one sentence for a person
  std::optional<MovieRef> movie;  // the movie refused (kNotInCatalog, kDuplicate)
};

struct HelpEvent {
  std::vector<std::string> lines;  // what can be typed now
};

using ReplEvent = std::variant<ChoicesEvent, FavouriteEvent, RecommendationEvent, InfoEvent,
                               ErrorEvent, HelpEvent, EndEvent, ProfileEvent, SimilarEvent,
                               UndoneEvent, ListEvent>;

// What the handler waits for, so a front end can prompt for it.
struct ReplPrompt {
  enum class Kind { kFavourite, kChoice, kAnswer, kNone } kind = Kind::kFavourite;
  std::size_t favourite = 1;  // kFavourite and kChoice: the favourite asked for, 1..4
  std::size_t choices = 0;    // kChoice: numbers 1..choices pick
};

class LineHandler {
 public:
  // `model` must outlive the handler; `titles` indexes model.catalog (title_entries). Throws as
  // Session's constructor does (ConfigError, ModelError).
  LineHandler(const Model& model, TitleIndex titles, const Policy& policy, std::uint64_t seed,
              ReplOptions options = {});
  // The same with an index still being built (build_title_index_async): the first line or
  // completion that needs it waits for it, so a front end can show its first prompt sooner.
  LineHandler(const Model& model, std::shared_future<TitleIndex> titles, const Policy& policy,
              std::uint64_t seed, ReplOptions options = {});

  // Keeps the session in profile `name` of `store` (which must outlive the handler): restores it
  // now (profile_session.hpp), then stores each favourite and answer before the session learns
  // from it; when storing fails, an `error` (code "store") says so, the session is unchanged and
  // the same line can be typed again. Call before the first line. Throws StoreError (a bad
  // name, the store unreachable): nothing has happened yet.
  void keep_profile(ProfileStore& store, std::string name);
  // The events to show before the first line, once (empty the second time): with a profile, the
  // `profile` event and, when it resumed, the first recommendation; after start_known, the first
  // recommendation (or the end, when none is left). Every front-end loop shows them first.
  std::vector<ReplEvent> opening();
  // The profile's recorder (undo: forget_last); nullptr without a profile.
  ProfileRecorder* profile() { return recorder_ ? &*recorder_ : nullptr; }
  // Starts recommending from a known user's start (KnownUsers::start) instead of favourites: no
  // favourite is asked for; the first recommendation waits in opening(). Throws as
  // Session::start_known does.
  void start_known(KnownStart start);

  // Handles one line (without its line break; a trailing CR is ignored). Never throws.
  std::vector<ReplEvent> handle(std::string_view line);
  // The input has ended: the `end` event (reason eof), or nothing when the session is over.
  std::vector<ReplEvent> end_of_input();
  // Ctrl-C: the `end` event (reason interrupted), or nothing when the session is over.
  std::vector<ReplEvent> interrupt();

  bool finished() const { return finished_; }
  ReplPrompt prompt() const;
  // Display titles of catalog movies that begin like `typed`, for Tab completion while
  // favourites are asked for (TitleIndex::complete); empty in the other phases. Never throws.
  std::vector<std::string> complete(std::string_view typed) const;

  const Session& session() const { return session_; }
  const Model& model() const { return *model_; }
  const ReplOptions& options() const { return options_; }

 private:
  std::vector<ReplEvent> handle_line(std::string_view line);
  std::vector<ReplEvent> handle_favourite(std::string_view line);
  std::vector<ReplEvent> handle_query(std::string_view query);
  std::vector<ReplEvent> offer(std::string_view query, const MovieRef& wanted);
  std::vector<ReplEvent> choose(std::int32_t movie_id);
  std::vector<ReplEvent> handle_answer(std::string_view answer);
  // "f N TITLE": favourite N becomes the movie TITLE names (choices when several match).
  std::vector<ReplEvent> handle_change_favourite(std::string_view text);
  std::vector<ReplEvent> change_favourite(std::size_t slot, std::int32_t movie_id);
  // Stores `feedback` about the current recommendation in the profile, if any; the error to show
  // when that fails.
  std::optional<ErrorEvent> store_answer(Feedback feedback);
  std::vector<ReplEvent> handle_similar(std::string_view query);
  std::vector<ReplEvent> handle_choice(std::string_view text, const std::string& word);
  std::vector<ReplEvent> undo();
  std::vector<ReplEvent> end_now(EndReason reason);
  std::vector<ReplEvent> recommend_next();
  std::vector<ReplEvent> finish(EndReason reason);
  std::optional<ErrorEvent> check_text(std::string_view line) const;
  MovieRef ref(std::int32_t movie_id) const { return movie_ref(*model_, movie_id); }
  HelpEvent help() const;

  const Model* model_;
  const TitleIndex& titles() const { return titles_.get(); }

  std::shared_future<TitleIndex> titles_;
  ReplOptions options_;
  Session session_;
  MovieFilter catalog_filter_;
  std::vector<MovieRef> choices_;  // pending numbered choices (favourites phase, or a change)
  std::optional<std::size_t> change_slot_;  // the choices pick favourite slot N (0-based)
  std::optional<ProfileRecorder> recorder_;
  std::optional<Profile> unresumed_;  // a stored profile whose favourites are asked again
  std::vector<ReplEvent> opening_;
  std::size_t recommendations_ = 0;
  bool finished_ = false;
};

// Starts building the title index of every movie of `catalog` on another thread; `catalog` must
// outlive the build. An exception thrown by the build is rethrown by the future's get().
std::shared_future<TitleIndex> build_title_index_async(const Catalog& catalog);

// Text a person typed, fit to be shown: invalid UTF-8 and control characters replaced by U+FFFD,
// cut to `max_chars` characters with "..." when longer.
std::string shown_text(std::string_view text, std::size_t max_chars);

// Ctrl-C for the front ends that read lines: SIGINT then only sets a flag (and cuts a read
// short, EINTR), which interrupt_requested() reports; the front end ends the session with its
// summary. Idempotent.
void install_interrupt_handler();
bool interrupt_requested();

// Event names and codes as the JSON protocol spells them (EndReason: session_events.hpp).
const char* to_string(ChoicesReason reason);
const char* to_string(ErrorCode code);

// ------------------------------------------------------------------------------------------------
// The --json protocol: one JSON object per line on stdout, flushed after each; nothing else goes
// to stdout. Input: the same lines as the terminal (four favourite queries, numbers to pick, then
// answers). Every event has "event", first; the other keys come in the order shown. Movies are
// named by "movie_id" (MovieLens id) and "title" (display form, "The Matrix (1999)").
//
// What a line gives, by what it is, so a script knows what to send next:
//   - while favourites are asked for, a title gives `favourite` (the movie was certain), or
//     `choices` (several, or one to confirm), or `error` (not_found, not_in_catalog, duplicate),
//     the first two of these maybe followed by `choices` of near titles;
//   - after `choices`, a number of up to three digits gives `favourite`, or `error` (bad_choice,
//     duplicate) with the choices still standing; with one option, y/yes/an empty
//     line are "1" and n/no gives `error` (declined); any other line is a title, as above;
//   - y, n, s, w give the next `recommendation` (or `end`, exhausted); u gives `undone` then
//     `recommendation`, or `error` (nothing_to_undo); i gives `info`; l gives `list`; h gives
//     `help`; q gives `end`; anything else gives `error`.
//
//   {"event":"choices","query":S,"reason":"ambiguous"|"not_found"|"not_in_catalog",
//    "options":[{"movie_id":N,"title":S[,"note":S]},...],"outside_catalog":B}
//       numbered choices: the next line is a number from 1 to their count (the option picked)
//       or a new query. "ambiguous": several movies match (or one in the catalog, while others
//       outside it match too); "not_found": nothing matched and these are near titles;
//       "not_in_catalog": follows the error refusing a movie outside the catalog, these are the
//       closest titles in it. outside_catalog: some of the best matches were left out because
//       they are not in the catalog. A single option is a question ("Did you mean ...?").
//       "note" (only on options whose title another option shares: different films of one
//       title and year) says what tells them apart: "Romance; IMDb tt0118308".
//   {"event":"favourite","movie_id":N,"title":S,"number":1..4[,"replaced":{"movie_id","title"}],
//    "evidence":S,"evidence_ratings":N}
//       a favourite accepted; the fourth is followed by the first recommendation. After
//       "f N TITLE" (change favourite N), "replaced" names the movie it replaces, and a new
//       recommendation follows. evidence: where its vector comes from, as for "info".
//   {"event":"profile","name":S,"found":B,"resumed":B,"favourites":[{"movie_id","title"},...],
//    "answers":N,"likes":N,"dislikes":N,"skips":N,"watches":N,"left_out":N,
//    "trained_user":N|null,"since_training":N}
//       first, with --profile: what the profile restored. found: the store had it; resumed: it
//       had its four favourites, none are asked and the first recommendation follows; answers:
//       the stored answers the session holds (none is recommended again), since_training of
//       them given after the model was trained with the profile as user trained_user;
//       left_out: stored answers about movies outside the model, or repeated.
//   {"event":"recommendation","number":N,"movie_id":N,"title":S,"year":N|null,"genres":[S,...],
//    "score":X,"parts":{"model_score","genre_affinity","model","genre_distance","popularity",
//    "diversity","exploration","total"},"because":[{"movie_id","title","similarity",
//    "favourite"}]}
//       the movie that now waits for an answer; score = parts.total; because names the
//       favourite or liked movie nearest to it (empty when none is similar).
//   {"event":"info","movie_id":N,"title":S,"year":N|null,"genres":[S,...],"rating_mean":X|null,
//    "rating_count":N,"tags":[S,...],"overview":S|null,"release_date":S|null,
//    "runtime_minutes":N|null,"imdb_url":S|null,"tmdb_url":S|null,"score":X,"parts":{...},
//    "nearest":[{"movie_id","title","similarity","favourite"},...],"evidence":S,
//    "evidence_ratings":N}
//       after "i": the waiting movie's details and why it was recommended; it still waits.
//       evidence: "trained" (the trained catalog), "folded" (outside it, folded in from a few
//       ratings) or "content" (outside it, placed by genres, tags and overview);
//       evidence_ratings: the train ratings its vector was learned from.
//   {"event":"similar","movie_id":N,"title":S,"similar":[{"movie_id":N,"title":S,"year":N|null,
//    "genres":[S,...],"similarity":X},...]}
//       after "m" or "m TITLE": the movies most like that one (cosine of the model's vectors),
//       most similar first, at most max_similar; the recommendation still waits.
//   {"event":"help","lines":[S,...]}
//       after "h", "help" or "?": what can be typed now.
//   {"event":"error","code":C,"message":S[,"movie_id":N,"title":S]}
//       a line that could not be used; the session goes on. Codes: "empty", "too_long",
//       "not_text", "not_found", "not_in_catalog", "duplicate", "unknown_answer", "ended",
//       "internal", "bad_choice", "declined", "nothing_to_undo", "store" (the profile store
//       failed: nothing was saved, type the line again). movie_id and title name the refused
//       movie for "not_in_catalog" and "duplicate".
//   {"event":"undone","movie_id":N,"title":S,"answer":"like"|"dislike"|"skip"|"watch"}
//       after "u": the answer taken back; the next recommendation follows.
//   {"event":"list","favourites":[{"movie_id":N,"title":S},...],"liked":[...],"watchlist":[...]}
//       after "l": the user's movies so far.
//   {"event":"end","reason":"quit"|"eof"|"exhausted"|"interrupted","likes":N,"dislikes":N,
//    "skips":N,"liked":[{"movie_id":N,"title":S},...],"watches":N,"watchlist":[...],
//    "profile":S|null}
//       always the last line; "interrupted" after Ctrl-C (SIGINT). profile: the profile the
//       answers are kept in; null: nothing was kept (--profile keeps).
nlohmann::ordered_json to_json(const ReplEvent& event);

// Reads one line from `in` into `line`, without its line break. A line longer than `max_bytes`
// is cut to max_bytes + 1 bytes (enough for the handler to refuse it as too long) and the rest of
// it is skipped unstored, so a huge line costs no memory. Returns false at the end of input
// when nothing was read.
bool read_line(std::istream& in, std::string& line, std::size_t max_bytes);

// A whole --json session: lines from `in` until the session or the input ends, each event
// written to `out` as one JSON line and flushed; a read cut short by SIGINT once
// install_interrupt_handler() ran ends it as interrupted. Returns how the session ended.
EndReason run_json_session(LineHandler& handler, std::istream& in, std::ostream& out);

}  // namespace movierec
