#include "movierec/frontends/http_api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "http_request.hpp"
#include "movierec/frontends/http_metrics.hpp"
#include "movierec/frontends/session_events.hpp"
#include "movierec/frontends/session_json.hpp"
#include "web_files.hpp"

namespace movierec {
namespace {

using http::ApiError;
using http::check_fields;
using http::fail;
using http::kMaxMovieId;
using http::movie_id_field;
using http::movie_id_segment;
using http::parse_object;
using http::required;
using http::shown;
using http::whole_number;
using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

constexpr std::size_t kDefaultSearchResults = 10;
constexpr std::size_t kMaxInfoNeighbours = 3;  // as ReplOptions::max_info_neighbours
constexpr int kRetryAfterSeconds = 60;
constexpr const char* kJson = "application/json";
constexpr const char* kPrometheus = "text/plain; version=0.0.4; charset=utf-8";

HttpResponse json_response(int status, const ordered& body) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", kJson}};
  // Every string is valid UTF-8 already (titles are checked when loaded, echoed input cleaned);
  // replacing keeps one bad byte from costing the whole answer.
  response.body = body.dump(-1, ' ', false, ordered::error_handler_t::replace);
  return response;
}

HttpResponse error_response(int status, std::string_view message) {
  return json_response(status, ordered{{"error", message}});
}

void add_common_headers(HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", "default-src 'self'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (response.header("Cache-Control") == nullptr) {
    response.headers.emplace_back("Cache-Control", "no-store");
  }
}

constexpr int kStoreRetryAfterSeconds = 5;

// Runs a profile store call; its failures become answers that name no path or library text:
// 503 (unreachable: nothing saved, send again), 409 (the store refused the change).
template <typename Call>
auto call_store(Call call) -> decltype(call()) {
  try {
    return call();
  } catch (const StoreUnavailable&) {
    fail(503,
         "the profile store cannot be reached now; nothing was saved and the session is as it "
         "was: send the same request again",
         {{"Retry-After", std::to_string(kStoreRetryAfterSeconds)}});
  } catch (const ProfileInputError&) {
    fail(409, "the profile refused this change (a movie can be the favourite of one slot only)");
  }
}

std::vector<MovieRef> movie_refs_at(const Model& model, const std::vector<std::size_t>& rows) {
  std::vector<MovieRef> refs;
  for (const std::size_t row : rows) refs.push_back(movie_ref_at(model, row));
  return refs;
}

ordered movies_at(const Model& model, const std::vector<std::size_t>& rows) {
  ordered list = ordered::array();
  for (const std::size_t row : rows) list.push_back(movie_json(movie_ref_at(model, row)));
  return list;
}

}  // namespace

struct HttpApi::Impl {
  using Params = std::vector<std::string>;
  using Handler = HttpResponse (Impl::*)(const HttpRequest&, const Params&);
  struct Route {
    std::string_view method;
    std::string_view pattern;
    Handler handler;
  };

  Impl(const Model& model_, const TitleIndex& titles_, Policy policy_, ServeOptions options_,
       std::function<Clock::time_point()> clock, const KnownUsers* known_users_)
      : model(model_),
        known_users(known_users_),
        titles(titles_),
        policy(std::move(policy_)),
        options(std::move(options_)),
        sessions({static_cast<std::size_t>(options.max_sessions),
                  std::chrono::minutes(options.session_idle_minutes)},
                 std::move(clock)),
        catalog_filter([this](std::int32_t id) { return in_catalog(model, id); }) {
    policy.validate("policy");
    options.validate("serve options");
    const json& name =
        model.artifacts().manifest.contains("model") ? model.artifacts().manifest.at("model") : json();
    model_name = name.is_string() ? name.get<std::string>() : "unknown";
  }

  // The routes, literal ones before patterns that would also match them.
  static const std::vector<Route>& routes() {
    static const std::vector<Route> kRoutes = {
        {"GET", "/api/health", &Impl::health},
        {"GET", "/api/movies/search", &Impl::search},
        {"GET", "/api/movies/{id}", &Impl::movie},
        {"GET", "/api/movies/{id}/similar", &Impl::similar},
        {"GET", "/api/users/{id}/recommendations", &Impl::user_recommendations},
        {"POST", "/api/sessions", &Impl::create_session},
        {"GET", "/api/sessions/{sid}", &Impl::get_session},
        {"DELETE", "/api/sessions/{sid}", &Impl::end_session},
        {"POST", "/api/sessions/{sid}/answers", &Impl::answer},
        {"GET", "/api/sessions/{sid}/explain", &Impl::explain},
        {"PUT", "/api/sessions/{sid}/favourites/{slot}", &Impl::change_favourite},
        {"POST", "/api/sessions/{sid}/undo", &Impl::undo},
        {"GET", "/api/sessions/{sid}/list", &Impl::user_movies},
        {"GET", "/metrics", &Impl::metrics_text},
    };
    return kRoutes;
  }

  HttpResponse dispatch(const HttpRequest& request);
  HttpResponse run(const Route& route, const HttpRequest& request, const Params& params);

  HttpResponse health(const HttpRequest& request, const Params& params);
  HttpResponse search(const HttpRequest& request, const Params& params);
  HttpResponse movie(const HttpRequest& request, const Params& params);
  HttpResponse similar(const HttpRequest& request, const Params& params);
  HttpResponse user_recommendations(const HttpRequest& request, const Params& params);
  std::size_t count_param(const HttpRequest& request) const;
  HttpResponse create_session(const HttpRequest& request, const Params& params);
  HttpResponse get_session(const HttpRequest& request, const Params& params);
  HttpResponse end_session(const HttpRequest& request, const Params& params);
  HttpResponse answer(const HttpRequest& request, const Params& params);
  HttpResponse explain(const HttpRequest& request, const Params& params);
  HttpResponse undo(const HttpRequest& request, const Params& params);
  HttpResponse user_movies(const HttpRequest& request, const Params& params);
  HttpResponse metrics_text(const HttpRequest& request, const Params& params);
  HttpResponse change_favourite(const HttpRequest& request, const Params& params);

  // The "profile" field of a request body; none when absent. 400 when it is not a valid name
  // or no store is kept.
  std::optional<std::string> profile_field(const json& body) const;
  // Resumes `served` (new) from the stored profile: 404 unknown, 409 without its favourites.
  ProfileRestore resume_profile(ServedSession& served, const std::string& name);
  // Keeps `served` (its four favourites given) in a profile that lacks its favourites.
  ProfileRestore start_profile(ServedSession& served, const std::string& name);

  SessionRegistry::Lease lease(const std::string& id);
  [[noreturn]] void fail_full() const;
  ordered recommendation(const ServedSession& served) const;

  const Model& model;
  const KnownUsers* known_users;
  const TitleIndex& titles;
  Policy policy;
  ServeOptions options;
  SessionRegistry sessions;
  HttpMetrics metrics;
  MovieFilter catalog_filter;
  ProfileStore* profiles = nullptr;
  std::string model_name;
};

HttpResponse HttpApi::Impl::dispatch(const HttpRequest& request) {
  const std::string_view method =
      request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
  Params params;
  std::vector<std::string_view> allowed;
  std::string_view allowed_route;
  const auto allow = [&](std::string_view other, std::string_view pattern) {
    if (allowed.empty()) allowed_route = pattern;
    if (std::find(allowed.begin(), allowed.end(), other) == allowed.end()) allowed.push_back(other);
  };
  for (const Route& route : routes()) {
    if (!http::match_route(route.pattern, request.path, params)) continue;
    if (route.method != method) {
      allow(route.method, route.pattern);
      continue;
    }
    HttpResponse response = run(route, request, params);
    response.route = route.pattern;
    return response;
  }
  for (const WebFile& file : web_files()) {
    if (file.path != request.path) continue;
    if (method != "GET") {
      allow("GET", file.path);
      break;
    }
    HttpResponse response;
    response.headers = {{"Content-Type", std::string(file.content_type)},
                        {"Cache-Control", "no-cache"}};
    response.body = file.content;
    response.route = file.path;
    return response;
  }
  if (!allowed.empty()) {
    std::string list;
    for (const std::string_view name : allowed) {
      list += (list.empty() ? "" : ", ") + std::string(name);
      if (name == "GET") list += ", HEAD";
    }
    HttpResponse response =
        error_response(405, fmt::format("{} does not take {}; it takes {}", allowed_route,
                                        shown(request.method), list));
    response.headers.emplace_back("Allow", list);
    response.route = allowed_route;
    return response;
  }
  return error_response(404, fmt::format("there is no route {} {}; the routes are under /api/ "
                                         "(README: serve)",
                                         shown(request.method), shown(request.path)));
}

HttpResponse HttpApi::Impl::run(const Route& route, const HttpRequest& request,
                                const Params& params) {
  try {
    return (this->*route.handler)(request, params);
  } catch (const ApiError& error) {
    HttpResponse response = error_response(error.status, error.message);
    for (const auto& header : error.headers) response.headers.push_back(header);
    return response;
  } catch (...) {
    // Never a library's message: it may name a path or an internal detail.
    return error_response(500, "the server failed to answer this request; it keeps running");
  }
}

HttpResponse HttpApi::Impl::health(const HttpRequest&, const Params&) {
  return json_response(200,
                       ordered{{"status", "ok"},
                               {"movies", model.catalog().size()},
                               {"catalog", model.movie_count()},
                               {"recommendable", model.recommendable_count(policy.min_evidence)},
                               {"k", model.artifacts().movie_embeddings.cols()},
                               {"model", model_name}});
}

HttpResponse HttpApi::Impl::search(const HttpRequest& request, const Params&) {
  const std::string* query = request.param("q");
  if (query == nullptr) fail(400, "q is missing: the text to search for (?q=toy+story)");
  std::size_t limit = kDefaultSearchResults;
  if (const std::string* text = request.param("limit")) {
    const auto value = whole_number(*text, 1, options.max_search_results);
    if (!value) {
      fail(400, fmt::format("limit must be a whole number from 1 to {} (got \"{}\")",
                            options.max_search_results, shown(*text)));
    }
    limit = static_cast<std::size_t>(*value);
  }
  std::vector<std::int32_t> ids;
  for (const TitleMatch& match : titles.resolve(*query, limit).matches) ids.push_back(match.id);
  if (ids.empty()) {
    for (const TitleMatch& match : titles.closest(*query, limit, catalog_filter)) {
      ids.push_back(match.id);
    }
  }
  std::vector<MovieRef> refs;
  for (const std::int32_t id : ids) refs.push_back(movie_ref(model, id));
  const std::vector<std::string> notes = apart_notes(model, refs, refs);
  ordered results = ordered::array();
  for (const std::int32_t id : ids) {
    const MovieInfo* info = model.catalog().find(id);
    ordered result = movie_json(movie_ref(model, id));
    result["year"] = info != nullptr && info->year != 0 ? ordered(info->year) : ordered(nullptr);
    result["genres"] = info != nullptr ? info->genres : std::vector<std::string>{};
    const std::optional<std::size_t> row = catalog_row(model, id);
    result["in_catalog"] = row.has_value();
    if (row) result.update(evidence_json(movie_evidence(model, *row)));
    if (!row) result["reason"] = short_refusal_reason(model, id);
    if (const std::string& note = notes[results.size()]; !note.empty()) result["note"] = note;
    results.push_back(std::move(result));
  }
  return json_response(200, ordered{{"query", shown(*query)}, {"results", std::move(results)}});
}

HttpResponse HttpApi::Impl::movie(const HttpRequest&, const Params& params) {
  const std::int32_t id = movie_id_segment(params.at(0));
  const std::optional<MovieDetails> details = movie_details(model, id);
  if (!details) fail(404, fmt::format("no movie has id {}", id));
  ordered out = details_json(*details);
  const std::optional<std::size_t> row = catalog_row(model, id);
  out["in_catalog"] = row.has_value();
  if (row) out.update(evidence_json(movie_evidence(model, *row)));
  if (!row) out["reason"] = refusal_reason(model, id);
  return json_response(200, out);
}

// The `n` query parameter of the routes that list movies: 1 to max_n, default 10.
std::size_t HttpApi::Impl::count_param(const HttpRequest& request) const {
  const std::string* text = request.param("n");
  if (text == nullptr) return kDefaultSearchResults;
  const auto value = whole_number(*text, 1, options.max_n);
  if (!value) {
    fail(400, fmt::format("n must be a whole number from 1 to {} (got \"{}\")", options.max_n,
                          shown(*text)));
  }
  return static_cast<std::size_t>(*value);
}

HttpResponse HttpApi::Impl::similar(const HttpRequest& request, const Params& params) {
  const std::int32_t id = movie_id_segment(params.at(0));
  if (model.catalog().find(id) == nullptr) fail(404, fmt::format("no movie has id {}", id));
  const std::size_t count = count_param(request);
  const std::optional<SimilarEvent> event = similar_event(model, id, count, policy.min_evidence);
  if (!event) {
    fail(404, fmt::format("movie {} has no vector in the model, so nothing is like it yet: {}", id,
                          refusal_reason(model, id)));
  }
  return json_response(200, similar_json(*event));
}

HttpResponse HttpApi::Impl::user_recommendations(const HttpRequest& request,
                                                 const Params& params) {
  const std::string& segment = params.at(0);
  const auto id = whole_number(segment, 0, std::numeric_limits<std::int32_t>::max());
  if (!id) {
    fail(400, fmt::format("the user id must be a whole number from 0 to {} (got \"{}\")",
                          std::numeric_limits<std::int32_t>::max(), shown(segment)));
  }
  const auto user = static_cast<std::int32_t>(*id);
  const std::size_t count = count_param(request);
  std::optional<std::vector<RankedMovie>> ranked;
  if (known_users != nullptr)
    ranked = known_users->recommend(model, user, count, policy.min_evidence);
  if (!ranked) fail(404, unknown_user_message(model, user));
  ordered list = ordered::array();
  for (const RankedMovie& movie : *ranked) {
    ordered entry = movie_json(movie_ref_at(model, movie.row));
    entry["score"] = movie.score;
    list.push_back(std::move(entry));
  }
  return json_response(200, ordered{{"user_id", user}, {"recommendations", std::move(list)}});
}

void HttpApi::Impl::fail_full() const {
  fail(503,
       fmt::format("the server holds its limit of {} open sessions (--max-sessions); try again "
                   "in a minute, when idle sessions have been dropped, or end sessions you no "
                   "longer use (DELETE /api/sessions/ID)",
                   options.max_sessions),
       {{"Retry-After", std::to_string(kRetryAfterSeconds)}});
}

ordered HttpApi::Impl::recommendation(const ServedSession& served) const {
  if (!served.current) return nullptr;
  return recommendation_json(recommendation_event(served.session, *served.current, served.shown));
}

HttpResponse HttpApi::Impl::create_session(const HttpRequest& request, const Params&) {
  const json body = parse_object(request.body);
  check_fields(body, {"favourites", "seed", "profile"});
  const std::optional<std::string> profile = profile_field(body);
  const bool resume = profile && !body.contains("favourites");
  static const json kNoFavourites = json::array();
  const json& favourites =
      resume ? kNoFavourites
             : required(body, "favourites",
                        fmt::format("a list of {} movie ids", Session::kFavourites));
  if (!resume && (!favourites.is_array() || favourites.size() != Session::kFavourites)) {
    fail(400, fmt::format("favourites must be a list of exactly {} movie ids (got {})",
                          Session::kFavourites,
                          favourites.is_array() ? std::to_string(favourites.size()) + " items"
                                                : shown(favourites.dump())));
  }
  std::uint64_t seed = 0;
  if (const auto found = body.find("seed"); found != body.end()) {
    if (!found->is_number_unsigned()) {
      fail(400, fmt::format("seed must be a whole number from 0 to {} (got {})",
                            std::numeric_limits<std::uint64_t>::max(), shown(found->dump())));
    }
    seed = found->get<std::uint64_t>();
  } else {
    seed = random_session_seed();
  }
  if (sessions.full()) fail_full();  // before the work of building a session

  auto served = std::make_unique<ServedSession>(model, policy, seed);
  for (std::size_t i = 0; i < favourites.size(); ++i) {
    const std::string field = fmt::format("favourites[{}]", i);
    const std::int32_t id = movie_id_field(favourites[i], field);
    if (model.catalog().find(id) == nullptr)
      fail(400, fmt::format("{}: no movie has id {}", field, id));
    if (auto refusal = refuse_favourite(served->session, id)) {
      fail(400, fmt::format("{}: {}", field, refusal->message));
    }
    served->session.add_favourite(*catalog_row(model, id));
  }
  std::optional<ProfileRestore> restored;
  if (profile) {
    restored = resume ? resume_profile(*served, *profile) : start_profile(*served, *profile);
  }
  served->current = served->session.next();
  if (served->current) served->shown = 1;

  std::optional<SessionRegistry::Lease> lease = sessions.open(std::move(served));
  if (!lease) fail_full();
  const ServedSession& opened = **lease;
  ordered out = {{"session_id", lease->id()},
                 {"seed", opened.seed},
                 {"favourites", movies_at(model, opened.session.favourites())},
                 {"recommendation", recommendation(opened)}};
  if (!opened.current) out["reason"] = "exhausted";
  if (restored) {
    out["profile"] = profile_json(*restored, movie_refs_at(model, opened.session.favourites()));
  }
  HttpResponse response = json_response(201, out);
  response.headers.emplace_back("Location", "/api/sessions/" + lease->id());
  return response;
}

SessionRegistry::Lease HttpApi::Impl::lease(const std::string& id) {
  std::optional<SessionRegistry::Lease> found = sessions.find(id);
  if (!found) {
    fail(404, fmt::format("no open session has this id (a session ends with DELETE, or after {} "
                          "minutes unused); start one with POST /api/sessions",
                          options.session_idle_minutes));
  }
  return std::move(*found);
}

HttpResponse HttpApi::Impl::get_session(const HttpRequest&, const Params& params) {
  const SessionRegistry::Lease held = lease(params.at(0));
  const ServedSession& served = *held;
  const Session& session = served.session;
  ordered answers = ordered::array();
  for (const FeedbackEvent& event : session.history()) {
    ordered entry = movie_json(movie_ref_at(model, event.row));
    entry["answer"] = choice_name(event.feedback);
    answers.push_back(std::move(entry));
  }
  const FeedbackCounts counts = session.counts();
  ordered out = {{"session_id", held.id()},
                 {"seed", served.seed},
                 {"favourites", movies_at(model, session.favourites())},
                 {"answers", std::move(answers)},
                 {"recommendation", recommendation(served)}};
  if (!served.current) out["reason"] = "exhausted";
  out["profile"] = served.profile ? ordered(served.profile->name()) : ordered(nullptr);
  out["counts"] = {{"shown", served.shown},
                   {"likes", counts.likes},
                   {"dislikes", counts.dislikes},
                   {"skips", counts.skips},
                   {"watches", counts.watches}};
  return json_response(200, out);
}

HttpResponse HttpApi::Impl::answer(const HttpRequest& request, const Params& params) {
  SessionRegistry::Lease held = lease(params.at(0));
  const json body = parse_object(request.body);
  check_fields(body, {"movie_id", "answer"});
  const std::int32_t movie_id =
      movie_id_field(required(body, "movie_id", "the id of the movie answered"), "movie_id");
  const json& answer_value =
      required(body, "answer", "\"like\", \"dislike\", \"skip\" or \"watch\"");
  const std::optional<Feedback> feedback =
      answer_value.is_string() ? parse_choice<Feedback>(answer_value.get_ref<const std::string&>())
                               : std::nullopt;
  if (!feedback) {
    fail(400, fmt::format("answer must be \"like\", \"dislike\", \"skip\" or \"watch\" (got {})",
                          shown(answer_value.dump())));
  }
  ServedSession& served = *held;
  if (!served.current) {
    fail(409,
         "the session has no recommendation left to answer (every movie has been shown); "
         "start a new session");
  }
  const MovieRef current = movie_ref_at(model, served.current->row);
  if (movie_id != current.movie_id) {
    fail(409, fmt::format("movie {} is not the current recommendation; answer movie {} ({})",
                          movie_id, current.movie_id, current.title));
  }
  if (served.profile) call_store([&] { served.profile->answer(movie_id, *feedback); });
  served.session.feedback(*feedback);
  served.current = served.session.next();
  if (served.current) ++served.shown;
  ordered out = {{"recommendation", recommendation(served)}};
  if (!served.current) out["reason"] = "exhausted";
  return json_response(200, out);
}

HttpResponse HttpApi::Impl::explain(const HttpRequest&, const Params& params) {
  const SessionRegistry::Lease held = lease(params.at(0));
  if (!held->current) {
    fail(409, "the session has no current recommendation to explain (every movie has been shown)");
  }
  return json_response(200, info_json(info_event(held->session, kMaxInfoNeighbours)));
}

// "u": the last answer taken back; its movie is usually the next recommendation again.
HttpResponse HttpApi::Impl::undo(const HttpRequest&, const Params& params) {
  SessionRegistry::Lease held = lease(params.at(0));
  ServedSession& served = *held;
  // With a profile, only the answers this session stored: restored ones stay in the store, and
  // the session must agree with it.
  if (served.profile && !served.profile->has_answers()) {
    fail(409, "the session has no answer of its own to take back (answers restored from its "
              "profile stay)");
  }
  // The store first: when it fails, nothing has changed. Its last answer is the session's.
  if (served.profile) call_store([&] { served.profile->forget_last(); });
  const std::optional<FeedbackEvent> taken = served.session.undo();
  if (!taken) fail(409, "the session has no answer to take back");
  // The movie taken back comes again under its old number (as in recommend).
  const std::size_t dropped = served.current ? 2 : 1;
  served.shown = served.shown >= dropped ? served.shown - dropped : 0;
  served.current = served.session.next();
  if (served.current) ++served.shown;
  ordered out = {
      {"undone", undone_json({movie_ref_at(model, taken->row), taken->feedback})},
      {"recommendation", recommendation(served)}};
  if (!served.current) out["reason"] = "exhausted";
  return json_response(200, out);
}

HttpResponse HttpApi::Impl::user_movies(const HttpRequest&, const Params& params) {
  const SessionRegistry::Lease held = lease(params.at(0));
  return json_response(200, list_json(list_event(held->session)));
}

HttpResponse HttpApi::Impl::end_session(const HttpRequest&, const Params& params) {
  SessionRegistry::Lease held = lease(params.at(0));
  const Session& session = held->session;
  const FeedbackCounts counts = session.counts();
  ordered out = {{"session_id", held.id()},
                 {"likes", counts.likes},
                 {"dislikes", counts.dislikes},
                 {"skips", counts.skips},
                 {"liked", movies_at(model, session.liked())},
                 {"disliked", movies_at(model, session.disliked())},
                 {"watches", counts.watches},
                 {"watchlist", movies_at(model, session.watchlist())}};
  sessions.close(held);
  return json_response(200, out);
}

HttpResponse HttpApi::Impl::metrics_text(const HttpRequest&, const Params&) {
  const SessionRegistry::Counts counts = sessions.counts();
  std::string text = metrics.render();
  text += fmt::format(
      "# HELP movierec_sessions_open Sessions open now.\n"
      "# TYPE movierec_sessions_open gauge\n"
      "movierec_sessions_open {}\n"
      "# HELP movierec_sessions_max Sessions that may be open at once (--max-sessions).\n"
      "# TYPE movierec_sessions_max gauge\n"
      "movierec_sessions_max {}\n"
      "# HELP movierec_sessions_total Sessions by what happened to them.\n"
      "# TYPE movierec_sessions_total counter\n"
      "movierec_sessions_total{{event=\"opened\"}} {}\n"
      "movierec_sessions_total{{event=\"ended\"}} {}\n"
      "movierec_sessions_total{{event=\"expired\"}} {}\n"
      "movierec_sessions_total{{event=\"refused\"}} {}\n",
      counts.open, options.max_sessions, counts.opened, counts.closed, counts.expired,
      counts.refused);
  HttpResponse response;
  response.headers = {{"Content-Type", kPrometheus}};
  response.body = std::move(text);
  return response;
}

std::optional<std::string> HttpApi::Impl::profile_field(const json& body) const {
  const auto found = body.find("profile");
  if (found == body.end()) return std::nullopt;
  if (!found->is_string() || !is_valid_profile_name(found->get_ref<const std::string&>())) {
    fail(400, fmt::format("profile must be a name of 1 to {} letters, digits, '-', '_' or '.' "
                          "(got {})",
                          kMaxProfileName, shown(found->dump())));
  }
  if (profiles == nullptr) fail(400, "this server keeps no profiles; leave \"profile\" out");
  return found->get<std::string>();
}

ProfileRestore HttpApi::Impl::resume_profile(ServedSession& served, const std::string& name) {
  const std::optional<Profile> stored = call_store([&] { return profiles->load_profile(name); });
  if (!stored) {
    fail(404, fmt::format("no profile is named {}; start it with its four favourites: "
                          "{{\"profile\":\"{}\",\"favourites\":[id,id,id,id]}}",
                          name, name));
  }
  ProfileRestore restore = restore_profile(served.session, *stored);
  if (!restore.resumed) {
    fail(409, fmt::format("profile {} has no four favourites in this catalog yet; send them "
                          "with it: {{\"profile\":\"{}\",\"favourites\":[id,id,id,id]}}",
                          name, name));
  }
  served.profile.emplace(*profiles, name);
  return restore;
}

ProfileRestore HttpApi::Impl::start_profile(ServedSession& served, const std::string& name) {
  const std::optional<Profile> stored = call_store([&] { return profiles->load_profile(name); });
  if (stored && stored->has_all_favourites()) {
    fail(409, fmt::format("profile {} has its four favourites already: send {{\"profile\":"
                          "\"{}\"}} alone to resume it, then change one with PUT "
                          "/api/sessions/ID/favourites/SLOT",
                          name, name));
  }
  ProfileRecorder& recorder = served.profile.emplace(*profiles, name);
  const std::vector<std::size_t>& favourites = served.session.favourites();
  for (std::size_t slot = 0; slot < favourites.size(); ++slot) {
    const std::int32_t id = movie_ref_at(model, favourites[slot]).movie_id;
    call_store([&] { recorder.favourite(static_cast<int>(slot + 1), id); });
  }
  ProfileRestore restore;
  restore.name = name;
  restore.found = stored.has_value();
  if (stored) restore.answers = apply_profile_answers(served.session, *stored, restore.left_out);
  restore.counts = served.session.counts();
  return restore;
}

HttpResponse HttpApi::Impl::change_favourite(const HttpRequest& request, const Params& params) {
  SessionRegistry::Lease held = lease(params.at(0));
  const auto slot = whole_number(params.at(1), 1, Session::kFavourites);
  if (!slot) {
    fail(400, fmt::format("the favourite's slot must be a whole number from 1 to {} (got \"{}\")",
                          Session::kFavourites, shown(params.at(1))));
  }
  const json body = parse_object(request.body);
  check_fields(body, {"movie_id"});
  const std::int32_t movie_id =
      movie_id_field(required(body, "movie_id", "the id of the new favourite"), "movie_id");
  if (model.catalog().find(movie_id) == nullptr) {
    fail(400, fmt::format("no movie has id {}", movie_id));
  }
  const std::optional<std::size_t> row = catalog_row(model, movie_id);
  if (!row) {
    fail(400, fmt::format("movie {} is not in the catalog: {}", movie_id,
                          refusal_reason(model, movie_id)));
  }
  ServedSession& served = *held;
  Session& session = served.session;
  if (session.seen(*row)) {
    fail(409, fmt::format("movie {} is already a favourite or answered in this session", movie_id));
  }
  const auto index = static_cast<std::size_t>(*slot - 1);
  if (index >= session.favourites().size()) {
    fail(409, fmt::format("this session has no favourite {}", *slot));
  }
  const MovieRef replaced = movie_ref_at(model, session.favourites()[index]);
  if (served.profile) {
    call_store([&] { served.profile->favourite(static_cast<int>(*slot), movie_id); });
  }
  session.replace_favourite(index, *row);
  served.current = session.next();
  if (served.current) ++served.shown;
  ordered out = {{"favourites", movies_at(model, session.favourites())},
                 {"replaced", movie_json(replaced)},
                 {"recommendation", recommendation(served)}};
  if (!served.current) out["reason"] = "exhausted";
  return json_response(200, out);
}

void HttpApi::use_profiles(ProfileStore& store) { impl_->profiles = &store; }

HttpApi::HttpApi(const Model& model, const TitleIndex& titles, Policy policy, ServeOptions options,
                 std::function<Clock::time_point()> clock, const KnownUsers* known_users)
    : impl_(std::make_unique<Impl>(model, titles, std::move(policy), std::move(options),
                                   std::move(clock), known_users)) {}

HttpApi::~HttpApi() = default;

HttpResponse HttpApi::handle(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  HttpResponse response;
  try {
    response = impl_->dispatch(request);
  } catch (...) {
    response = error_response(500, "the server failed to answer this request; it keeps running");
  }
  add_common_headers(response);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  try {
    impl_->metrics.observe(request.method, response.route, response.status, elapsed.count());
  } catch (...) {
    // Metrics are a convenience; the answer still goes out.
  }
  return response;
}

HttpResponse HttpApi::transport_error(std::string_view method, int status) {
  std::string message;
  switch (status) {
    case 400:
      message =
          "the request is not HTTP this server can read (a malformed request line or "
          "header, or a header line over 8 KiB)";
      break;
    case 413:
      message = fmt::format("the request body is larger than {} bytes (--max-body-bytes)",
                            impl_->options.max_body_bytes);
      break;
    case 414:
      message = "the request's URL is too long";
      break;
    default:
      message = fmt::format("the request could not be answered (HTTP {})", status);
  }
  HttpResponse response = error_response(status, message);
  response.route = "transport";
  add_common_headers(response);
  impl_->metrics.observe(method, response.route, status, 0);
  return response;
}

const ServeOptions& HttpApi::options() const { return impl_->options; }

SessionRegistry::Counts HttpApi::session_counts() const { return impl_->sessions.counts(); }

}  // namespace movierec
