// The HTTP API and web page of `serve`, as a function of a request value: no sockets here (the
// cpp-httplib adapter in http_server.hpp only carries requests in and responses out), so every
// route is tested as a plain call. A route handler is to HTTP what the line handler (repl.hpp) is
// to a typed line: it checks the request, drives the Session, and writes the answer with the
// same event values and JSON (session_events.hpp, session_json.hpp) as `recommend --json`.
//
// Routes (JSON in and out; README "serve" has a curl example of each):
//   GET    /api/health                 {"status":"ok","movies":N,"catalog":N,"recommendable":N,
//                                        "k":K,"model":S}: catalog, the movies that can be
//                                        favourites; recommendable, under the policy's min_evidence
//   GET    /api/movies/search?q=TEXT&limit=N
//          {"query":S,"results":[{"movie_id","title","year","genres","in_catalog",
//          "evidence","evidence_ratings" | "reason"}]}: the REPL's forgiving search over every
//          movie, best first (when nothing matches, the nearest titles in the catalog); evidence
//          as evidence_json says; "reason" says why a movie without a vector (artifacts from
//          before outside movies) is not in the catalog.
//          limit: 1 to max_search_results, default 10. Results whose title another result
//          shares (different films of one title and year) carry "note": their genres and IMDb id.
//   GET    /api/movies/{id}            details_json (what "i" shows), "in_catalog" and
//                                        evidence_json's keys (or "reason")
//   GET    /api/users/{id}/recommendations?n=N
//          {"user_id":ID,"recommendations":[{"movie_id","title","score"},...]}: the n movies a
//          trained user did not rate in train that their vector scores highest (rank_known_user,
//          the ranking evaluate's Recall@k measures); n: 1 to max_n, default 10. 404 for an id
//          the model was not trained with.
//   POST   /api/sessions               {"favourites":[id,id,id,id],"seed":N} (seed optional, a
//          whole number 0..2^64-1) -> 201 {"session_id":S,"seed":N,"favourites":[movie,...],
//          "recommendation":REC|null[,"reason":"exhausted"]}, Location: /api/sessions/{sid}
//          With "profile":"NAME" (1-64 of A-Z a-z 0-9 . _ -) the session is kept in that profile
//          (favourites and each answer stored before the next recommendation) and the answer has
//          "profile": PROFILE (session_json.hpp profile_json: what was restored). Without
//          favourites, {"profile":"NAME"} resumes the profile (profile_session.hpp): 404 for an
//          unknown one, 409 for one without its four favourites; with favourites, the profile
//          must not have its four already (409: resume it, or change one with PUT below).
//   PUT    /api/sessions/{sid}/favourites/{slot}  {"movie_id":N}: favourite slot (1-4) becomes
//          the movie (stored in the profile, if any) -> {"favourites":[movie,...],
//          "replaced":movie,"recommendation":REC|null[,"reason":"exhausted"]}; 409 when the
//          movie is a favourite or answered already
//   GET    /api/sessions/{sid}         {"session_id","seed","favourites","answers":[{"movie_id",
//          "title","answer"}],"recommendation":REC|null[,"reason":"exhausted"],"profile":S|null,
//          "counts":{"shown","likes","dislikes","skips"}} (profile: the one it is kept in)
//   POST   /api/sessions/{sid}/answers {"movie_id":N,"answer":"like"|"dislike"|"skip"} ->
//          {"recommendation":REC} or {"recommendation":null,"reason":"exhausted"}
//   GET    /api/sessions/{sid}/explain info_json of the current recommendation (details, score,
//          parts, nearest of the user's movies)
//   DELETE /api/sessions/{sid}         ends it: {"session_id","likes","dislikes","skips",
//          "liked":[movie,...],"disliked":[movie,...]}
//   GET    /metrics                    Prometheus text: requests, latency, sessions
//   GET    /  (and the page's own files) the web page, embedded in the program
// REC is recommendation_json (session_json.hpp): exactly the fields of --json's "recommendation"
// event, without "event".
//
// Errors are {"error":"a sentence naming the field or problem"}: 400 bad input (the body, a
// field, a query parameter), 404 no such movie, session or route, 405 a route without that
// method (with Allow), 409 an answer or explanation that does not fit the session's state (the
// movie is not the current recommendation, or none is left), 413 a body over max_body_bytes, 503
// max_sessions open (with Retry-After and what to do), or the profile store unreachable (with
// Retry-After: nothing was saved and the session is unchanged, so the same request can be sent
// again). A failure inside a handler is 500 with a
// fixed sentence: no library's exception text or path ever reaches a client. Every response
// carries Content-Security-Policy: default-src 'self', X-Content-Type-Options: nosniff,
// X-Frame-Options: DENY and Referrer-Policy: no-referrer; API responses are not cached.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "movierec/frontends/serve_options.hpp"
#include "movierec/frontends/session_registry.hpp"
#include "movierec/session/known_users.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/title_search.hpp"
#include "movierec/store/profile_store.hpp"

namespace movierec {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // as sent: "GET", "POST", ...; HEAD is answered as GET
  std::string path;    // percent-decoded, without the query: "/api/sessions/5f0c..."
  std::vector<std::pair<std::string, std::string>> query;  // decoded parameters, in order
  std::string body;

  // The first value of query parameter `name`; nullptr when absent.
  const std::string* param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;  // Content-Type among them; Content-Length is the transport's
  std::string body;
  // The route pattern that answered ("/api/sessions/{sid}"), or "unmatched": metrics and logs
  // name routes by it, never by the raw path.
  std::string route = "unmatched";

  // The value of header `name` (case-insensitive); nullptr when absent.
  const std::string* header(std::string_view name) const;
};

class HttpApi {
 public:
  using Clock = SessionRegistry::Clock;

  // `model` and `titles` (indexing every movie of model.catalog) must outlive the API; `policy`
  // is validated (ConfigError), `options` too. `clock` measures session idleness (tests pass
  // their own). `known_users` (KnownUsers of the same model, outliving the API) answers
  // /api/users/{id}/recommendations; without it every user is unknown (404).
  HttpApi(const Model& model, const TitleIndex& titles, Policy policy, ServeOptions options,
          std::function<Clock::time_point()> clock = Clock::now,
          const KnownUsers* known_users = nullptr);
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Keeps profiles in `store` (which must outlive the API): the "profile" field of POST
  // /api/sessions. Without a store, a request naming a profile is refused (400). Call before
  // the first request.
  void use_profiles(ProfileStore& store);

  // Answers one request and counts it in the metrics. Never throws. Thread-safe.
  HttpResponse handle(const HttpRequest& request);

  // A response the transport makes itself (a malformed request, a body too large...): the
  // same JSON error and headers as handle()'s, counted in the metrics under route "transport".
  HttpResponse transport_error(std::string_view method, int status);

  const ServeOptions& options() const;
  SessionRegistry::Counts session_counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The access log's line for one request: method, path with query parameter names but not their
// values, status and milliseconds, e.g. "GET /api/movies/search?q&limit 200 0.41 ms". Control
// characters and invalid UTF-8 are replaced, and long paths cut.
std::string access_log_line(std::string_view method, std::string_view target, int status,
                            double seconds);

// Decodes an application/x-www-form-urlencoded query ("q=toy+story&limit=5"): '+' is a space,
// %XX a byte (a malformed escape is kept as written); parameters without '=' have an empty value.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace movierec
