// What every front end says about a session, built in one place: the movie it names, the
// recommendation with the movie it is "because" of, the details and the why behind "i", the
// refusal of a favourite, and the summary at the end. The line handler (repl.hpp) and the HTTP
// API (http_api.hpp) both build their answers from these values, and session_json.hpp writes
// them as JSON once for both, so `recommend --json` and `serve` cannot drift apart.
//
// Every function here reads the Model and the Session only; none throws for a movie id that the
// data set lacks (it is named "movie ID"), but row arguments must be rows of the model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "movierec/session/model.hpp"
#include "movierec/session/session.hpp"

namespace movierec {

// A movie as the events name it.
struct MovieRef {
  std::int32_t movie_id = 0;
  std::string title;  // display form: "The Matrix (1999)"
};

// Where a movie's vector comes from: trained with the catalog, or outside it (train_svd's
// outside movies) folded in from a few ratings or placed by its content alone.
enum class Evidence { kTrained, kFolded, kContent };
inline constexpr std::string_view kEvidenceNames[] = {"trained", "folded", "content"};
constexpr std::span<const std::string_view> choice_names(Evidence) { return kEvidenceNames; }

// A movie's evidence: where its vector comes from, and the train ratings it learned from.
struct MovieEvidence {
  Evidence source = Evidence::kTrained;
  std::int64_t ratings = 0;
};
MovieEvidence movie_evidence(const Model& model, std::size_t row);
// For a person: "Its vector learned from 149 ratings in train." and the like.
std::string evidence_sentence(const MovieEvidence& evidence);
// What every front end says at start: "9742 movies can be favourites, 450 can be recommended
// (k = 20)", the second count under the policy's min_evidence.
std::string catalog_sentence(const Model& model, std::int64_t min_evidence);

// A favourite or liked movie near a recommendation in embedding space.
struct NearMovie {
  MovieRef movie;
  double similarity = 0;   // cosine, -1..1
  bool favourite = false;  // else liked in this session
};

struct RecommendationEvent {
  std::size_t number = 0;  // 1 for the first recommendation of the session
  MovieRef movie;
  int year = 0;  // 0 when unknown
  std::vector<std::string> genres;
  ScoreParts parts;                // parts.total is the score
  std::vector<NearMovie> because;  // the nearest favourite or liked movie, when one is similar
};

// What is known about a movie of the data set, embedded or not.
struct MovieDetails {
  MovieRef movie;
  MovieInfo info;        // the catalog's row (title as MovieLens writes it)
  std::string imdb_url;  // "" when the metadata has no IMDb id
  std::string tmdb_url;  // "" when it has no TMDB id
};

// "i": the current recommendation's details and why it was recommended.
struct InfoEvent : MovieDetails {
  ScoreParts parts;
  std::string exploration_rule;    // the policy's rule that made parts.exploration ("ucb", ...)
  std::vector<NearMovie> nearest;  // most similar first, at most the limit asked for
  // How much evidence the movie's vector has: where it comes from, the train ratings it learned
  // from.
  MovieEvidence evidence;
};

// "More like this": the movies of the model nearest to one movie (session/similar.hpp).
struct SimilarItem {
  MovieRef movie;
  int year = 0;  // 0 when unknown
  std::vector<std::string> genres;
  double similarity = 0;  // cosine of the embeddings, -1..1
};

struct SimilarEvent {
  MovieRef movie;                    // the movie asked about
  std::vector<SimilarItem> similar;  // most similar first
};

// kInterrupted: Ctrl-C (SIGINT), which ends a session as the end of input does.
enum class EndReason { kQuit, kEof, kExhausted, kInterrupted };

struct EndEvent {
  EndReason reason = EndReason::kQuit;
  FeedbackCounts counts;
  std::vector<MovieRef> liked;      // in answer order
  std::vector<MovieRef> watchlist;  // the movies answered "want to watch", in answer order
  std::string profile;              // the profile the answers are kept in; "" when none
};

// "u": the answer taken back (Session::undo); the movie may be recommended again.
struct UndoneEvent {
  MovieRef movie;
  Feedback answer = Feedback::kSkip;
};

// "l": the user's movies so far.
struct ListEvent {
  std::vector<MovieRef> favourites;
  std::vector<MovieRef> liked;      // in answer order
  std::vector<MovieRef> watchlist;  // in answer order
};

// Why a movie cannot be added as a favourite.
struct FavouriteRefusal {
  enum class Problem { kNotInCatalog, kDuplicate } problem = Problem::kNotInCatalog;
  std::string message;  // one sentence for a person, naming the movie and the reason
  MovieRef movie;
};

// The movie's display title, or "movie ID" for an id the data set lacks.
MovieRef movie_ref(const Model& model, std::int32_t movie_id);
MovieRef movie_ref_at(const Model& model, std::size_t row);  // an embedding row

// True when the movie has an embedding (it can be a favourite and be recommended).
bool in_catalog(const Model& model, std::int32_t movie_id);
// The embedding row of a movie in the catalog; none outside it.
std::optional<std::size_t> catalog_row(const Model& model, std::int32_t movie_id);

// Why a movie of the data set has no embedding, from what preprocess's filter did with it:
// "it has 3 ratings; the catalog keeps movies with at least 15 ratings (filter.min_movie_ratings)".
std::string refusal_reason(const Model& model, std::int32_t movie_id);
// The same in a few words, for lists: "3 ratings".
std::string short_refusal_reason(const Model& model, std::int32_t movie_id);

// Links to the movie's pages, "" when the id is missing or not a number.
std::string imdb_url(const std::string& imdb_id);
std::string tmdb_url(const std::string& tmdb_id);

// What tells a movie apart from a different film of the same title and year: its genres and
// IMDb id, "Comedy, Drama, Romance; IMDb tt0116191" ("" for an id the data set lacks).
std::string apart_note(const Model& model, std::int32_t movie_id);
// Per movie of `movies`: apart_note() when another movie of `among` has the same display title,
// else "" (the choices of the REPL and the results of the API's search carry these).
std::vector<std::string> apart_notes(const Model& model, const std::vector<MovieRef>& movies,
                                     const std::vector<MovieRef>& among);

// Details of a movie of the data set; none for an id it lacks.
std::optional<MovieDetails> movie_details(const Model& model, std::int32_t movie_id);

// Whether `movie_id` may be the session's next favourite: none when it may, else why not
// (outside the catalog, or already a favourite). The session must still collect favourites.
std::optional<FavouriteRefusal> refuse_favourite(const Session& session, std::int32_t movie_id);

// The session's current recommendation `recommendation` (from Session::next()) as the `number`th
// of the session, "because" of the nearest favourite or liked movie when it is similar (cosine
// above 0).
RecommendationEvent recommendation_event(const Session& session,
                                         const Recommendation& recommendation, std::size_t number);

// The current recommendation's details and why, naming at most `max_nearest` of the user's
// movies. Throws SessionError (kNoRecommendation) when there is none.
InfoEvent info_event(const Session& session, std::size_t max_nearest);

// The `count` movies most like `movie_id` (similar_movies, under the policy's min_evidence);
// none when the movie has no vector.
std::optional<SimilarEvent> similar_event(const Model& model, std::int32_t movie_id,
                                          std::size_t count, std::int64_t min_evidence);

// The summary of a session that ends for `reason`.
EndEvent end_event(const Session& session, EndReason reason);

// The session's favourites, liked movies and watchlist.
ListEvent list_event(const Session& session);

// Names as the JSON protocol spells them.
const char* to_string(EndReason reason);

}  // namespace movierec
