// The HTTP API as plain calls (no sockets): every route, every error status, the same
// recommendations and fields as the --json line handler, the session limit and idle expiry, the
// web page's files, the metrics, and hostile requests.
#include "movierec/frontends/http_api.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "movierec/frontends/repl.hpp"
#include "movierec/io/text.hpp"
#include "repl_fixture.hpp"

using namespace movierec;
using namespace movierec::test;
using json = nlohmann::json;

namespace {

// A fake clock the tests move by hand (session idleness).
struct FakeClock {
  HttpApi::Clock::time_point now{};
  std::function<HttpApi::Clock::time_point()> function() {
    return [this] { return now; };
  }
};

struct Api {
  explicit Api(ServeOptions options = {})
      : api(model, titles, fixture_policy(), options, clock.function(), &users) {}

  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    HttpRequest request;
    request.method = method;
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = parse_query(target.substr(question + 1));
    request.body = body;
    return api.handle(request);
  }
  json get(const std::string& target, int status = 200) {
    return checked(call("GET", target), status);
  }
  json post(const std::string& target, const json& body, int status = 200) {
    return checked(call("POST", target, body.dump()), status);
  }
  static json checked(const HttpResponse& response, int status) {
    INFO(response.body);
    CHECK(response.status == status);
    REQUIRE(response.header("Content-Type") != nullptr);
    CHECK(*response.header("Content-Type") == "application/json");
    return json::parse(response.body);
  }
  // A session on the fixture's four usual favourites, seed 42.
  json start(std::uint64_t seed = 42) {
    return post("/api/sessions",
                {{"favourites", {kMatrix, kPulpFiction, kForrestGump, kFargo}}, {"seed", seed}},
                201);
  }

  FakeClock clock;
  Model model = fixture_model();
  TitleIndex titles{title_entries(model.catalog())};
  KnownUsers users{model, fixture_train()};
  HttpApi api;
};

// The line handler's --json event without its "event" name: what the API must return.
json without_event(const ReplEvent& event) {
  json out = json::parse(to_json(event).dump());
  out.erase("event");
  return out;
}

std::string error_of(const HttpResponse& response) {
  return json::parse(response.body).at("error").get<std::string>();
}

}  // namespace

TEST_CASE("health names the data and the model") {
  Api a;
  const json health = a.get("/api/health");
  CHECK(health == json({{"status", "ok"},
                        {"movies", 17},
                        {"catalog", 12},
                        {"recommendable", 12},
                        {"k", 3},
                        {"model", "unknown"}}));
}

TEST_CASE("every response carries the security headers; API answers are not cached") {
  Api a;
  for (const char* target : {"/api/health", "/nowhere", "/", "/metrics"}) {
    const HttpResponse response = a.call("GET", target);
    INFO(target);
    REQUIRE(response.header("Content-Security-Policy") != nullptr);
    CHECK(*response.header("Content-Security-Policy") == "default-src 'self'");
    CHECK(*response.header("x-content-type-options") == "nosniff");
    CHECK(*response.header("X-Frame-Options") == "DENY");
    CHECK(response.header("Cache-Control") != nullptr);
  }
  CHECK(*a.call("GET", "/api/health").header("Cache-Control") == "no-store");
}

TEST_CASE("search forgives like the REPL and marks movies outside the catalog") {
  Api a;
  const json found = a.get("/api/movies/search?q=toy+story");
  CHECK(found["query"] == "toy story");
  const json& results = found["results"];
  REQUIRE(results.size() == 3);
  // The fixture's catalog gives no years (null), as metadata without a year does.
  CHECK(results[0] == json({{"movie_id", kToyStory},
                            {"title", "Toy Story (1995)"},
                            {"year", nullptr},
                            {"genres", {"Animation", "Children", "Comedy"}},
                            {"in_catalog", true},
                            {"evidence", "trained"},
                            {"evidence_ratings", 125}}));
  CHECK(results[1]["movie_id"] == kToyStory2);
  CHECK(results[2]["movie_id"] == kToyStoryToons);
  CHECK(results[2]["in_catalog"] == false);
  CHECK(results[2]["reason"] == "5 ratings");

  CHECK(a.get("/api/movies/search?q=forest%20gump")["results"][0]["movie_id"] == kForrestGump);
  CHECK(a.get("/api/movies/search?q=the+matrix&limit=1")["results"].size() == 1);
  // Nothing matches: the nearest titles in the catalog.
  const json near = a.get("/api/movies/search?q=toy+planet");
  REQUIRE_FALSE(near["results"].empty());
  for (const json& result : near["results"]) CHECK(result["in_catalog"] == true);
  CHECK(a.get("/api/movies/search?q=")["results"].empty());
}

TEST_CASE("search refuses bad parameters, naming them") {
  Api a;
  CHECK_THAT(a.get("/api/movies/search", 400)["error"].get<std::string>(),
             Catch::Contains("q is missing"));
  for (const char* limit : {"0", "51", "abc", "-1", "1.5", "99999999999999999999"}) {
    INFO(limit);
    CHECK_THAT(a.get(std::string("/api/movies/search?q=heat&limit=") + limit, 400)["error"]
                   .get<std::string>(),
               Catch::StartsWith("limit must be a whole number from 1 to 50"));
  }
}

TEST_CASE("hostile search text finds nothing and is echoed cleaned") {
  Api a;
  const json bad = a.get("/api/movies/search?q=%C3%28%FF%00heat");
  CHECK(is_valid_utf8(bad["query"].get<std::string>()));
  const json long_query = a.get("/api/movies/search?q=" + std::string(5000, 'x'));
  CHECK(long_query["query"].get<std::string>().size() < 100);
  CHECK(long_query["results"].empty());
}

TEST_CASE("a movie's details are what i shows, for movies in and outside the catalog") {
  Api a;
  const json matrix = a.get("/api/movies/1");
  CHECK(matrix["title"] == "The Matrix (1999)");
  CHECK(matrix["imdb_url"] == "https://www.imdb.com/title/tt0999931/");
  CHECK(matrix["tmdb_url"] == "https://www.themoviedb.org/movie/99931");
  CHECK(matrix["tags"] == json({"cyberpunk", "philosophy"}));
  CHECK(matrix["runtime_minutes"] == 131);
  CHECK(matrix["in_catalog"] == true);
  const json heat = a.get("/api/movies/" + std::to_string(kHeat1972));
  CHECK(heat["in_catalog"] == false);
  CHECK_THAT(heat["reason"].get<std::string>(), Catch::Contains("3 ratings"));
  CHECK(a.get("/api/movies/999", 404)["error"] == "no movie has id 999");
  CHECK_THAT(a.get("/api/movies/abc", 400)["error"].get<std::string>(),
             Catch::StartsWith("the movie id must be a whole number"));
  a.get("/api/movies/0", 400);
  a.get("/api/movies/99999999999", 400);
}

TEST_CASE("a session over the API gives the same recommendations and fields as --json") {
  Api a;
  LineHandler handler(a.model, a.titles, fixture_policy(), 42);
  std::vector<ReplEvent> events;
  for (const char* line : {"The Matrix (1999)", "Pulp Fiction (1994)", "Forrest Gump (1994)"}) {
    handler.handle(line);
  }
  events = handler.handle("Fargo (1996)");
  const HttpResponse created = a.call(
      "POST", "/api/sessions",
      json({{"favourites", {kMatrix, kPulpFiction, kForrestGump, kFargo}}, {"seed", 42}}).dump());
  REQUIRE(created.status == 201);
  const json session = json::parse(created.body);
  const std::string sid = session["session_id"];
  CHECK(sid.size() == 32);
  CHECK(*created.header("Location") == "/api/sessions/" + sid);
  CHECK(session["seed"] == 42);
  CHECK(session["favourites"][0] == json({{"movie_id", kMatrix}, {"title", "The Matrix (1999)"}}));
  CHECK(session["recommendation"] == without_event(events.at(1)));

  json rec = session["recommendation"];
  int answered = 0;
  for (const auto& [answer, typed] : std::vector<std::pair<std::string, std::string>>{
           {"like", "y"}, {"dislike", "n"}, {"skip", "s"}, {"like", "y"}}) {
    CHECK(a.get("/api/sessions/" + sid + "/explain") == without_event(handler.handle("i").at(0)));
    const json next = a.post("/api/sessions/" + sid + "/answers",
                             {{"movie_id", rec["movie_id"]}, {"answer", answer}});
    events = handler.handle(typed);
    CHECK(next["recommendation"] == without_event(events.at(0)));
    rec = next["recommendation"];
    ++answered;
  }
  const json state = a.get("/api/sessions/" + sid);
  CHECK(state["answers"].size() == 4);
  CHECK(state["answers"][0]["answer"] == "like");
  CHECK(state["answers"][1]["answer"] == "dislike");
  CHECK(state["recommendation"] == rec);
  CHECK(state["counts"] ==
        json({{"shown", 5}, {"likes", 2}, {"dislikes", 1}, {"skips", 1}, {"watches", 0}}));

  const json summary = json::parse(a.call("DELETE", "/api/sessions/" + sid).body);
  const json end = without_event(handler.handle("q").at(0));
  CHECK(summary["likes"] == end["likes"]);
  CHECK(summary["liked"] == end["liked"]);
  CHECK(summary["disliked"].size() == 1);
  CHECK_THAT(a.get("/api/sessions/" + sid, 404)["error"].get<std::string>(),
             Catch::StartsWith("no open session has this id"));
}

TEST_CASE("answers that do not fit the session are 409, malformed ones 400") {
  Api a;
  const json session = a.start();
  const std::string answers =
      "/api/sessions/" + session["session_id"].get<std::string>() + "/answers";
  const int current = session["recommendation"]["movie_id"];
  const int other = current == kAlien ? kAliens : kAlien;
  CHECK_THAT(
      a.post(answers, {{"movie_id", other}, {"answer", "like"}}, 409)["error"].get<std::string>(),
      Catch::Contains("is not the current recommendation"));
  CHECK_THAT(a.post(answers, {{"movie_id", current}, {"answer", "maybe"}}, 400)["error"]
                 .get<std::string>(),
             Catch::StartsWith("answer must be"));
  CHECK_THAT(a.post(answers, {{"answer", "like"}}, 400)["error"].get<std::string>(),
             Catch::StartsWith("movie_id is missing"));
  CHECK_THAT(
      a.post(answers, {{"movie_id", "7"}, {"answer", "like"}}, 400)["error"].get<std::string>(),
      Catch::StartsWith("movie_id must be a movie id"));
  CHECK_THAT(
      a.post(answers, {{"movie_id", current}, {"answer", "like"}, {"extra", 1}}, 400)["error"]
          .get<std::string>(),
      Catch::StartsWith("unknown field \"extra\""));
  for (const char* body :
       {"", "{", "[1,2]", "{\"movie_id\": 1,}", "\"like\"", "{\"a\":\"\xff\"}"}) {
    INFO(body);
    const HttpResponse response = a.call("POST", answers, body);
    CHECK(response.status == 400);
    const std::string error = error_of(response);
    CHECK_THAT(error, Catch::StartsWith("the body"));
    CHECK_THAT(error, !Catch::Contains("json.exception"));
  }
  // The session is untouched by every refusal.
  CHECK(a.post(answers, {{"movie_id", current}, {"answer", "skip"}})["recommendation"].is_object());
  CHECK(a.get("/api/sessions/nope/explain", 404).contains("error"));
}

TEST_CASE("a session runs out: null with reason exhausted, then 409") {
  Api a;
  const json session = a.start();
  const std::string sid = session["session_id"];
  json rec = session["recommendation"];
  int shown = 0;
  json last;
  while (rec.is_object() && shown < 20) {
    last = a.post("/api/sessions/" + sid + "/answers",
                  {{"movie_id", rec["movie_id"]}, {"answer", "skip"}});
    rec = last["recommendation"];
    ++shown;
  }
  CHECK(shown == 8);  // twelve movies in the catalog, four of them favourites
  CHECK(last == json({{"recommendation", nullptr}, {"reason", "exhausted"}}));
  a.post("/api/sessions/" + sid + "/answers", {{"movie_id", kAlien}, {"answer", "like"}}, 409);
  a.get("/api/sessions/" + sid + "/explain", 409);
  CHECK(a.get("/api/sessions/" + sid)["reason"] == "exhausted");
}

TEST_CASE("creating a session checks every field and favourite") {
  Api a;
  const auto error = [&](const json& body) {
    return a.post("/api/sessions", body, 400)["error"].get<std::string>();
  };
  CHECK_THAT(error(json::object()), Catch::StartsWith("favourites is missing"));
  CHECK_THAT(error({{"favourites", {1, 2, 4}}}),
             Catch::Contains("exactly 4 movie ids (got 3 items)"));
  CHECK_THAT(error({{"favourites", "1,2,4,6"}}), Catch::Contains("exactly 4"));
  CHECK_THAT(error({{"favourites", {1, 2, 4, "x"}}}),
             Catch::StartsWith("favourites[3] must be a movie id"));
  CHECK_THAT(error({{"favourites", {1, 2, 4, 4}}}),
             Catch::StartsWith("favourites[3]: Heat (1995) is already favourite 3"));
  CHECK_THAT(
      error({{"favourites", {1, 2, 4, kHeat1972}}}),
      Catch::StartsWith("favourites[3]: Heat (1972) is not in the catalog: it has 3 ratings"));
  CHECK_THAT(error({{"favourites", {1, 2, 4, 999}}}),
             Catch::StartsWith("favourites[3]: no movie has id 999"));
  CHECK_THAT(error({{"favourites", {1, 2, 4, 6}}, {"seed", -1}}),
             Catch::StartsWith("seed must be a whole number"));
  CHECK_THAT(error({{"favourites", {1, 2, 4, 6}}, {"seed", 1.5}}),
             Catch::StartsWith("seed must be a whole number"));
  CHECK_THAT(error({{"favourites", {1, 2, 4, 6}}, {"profle", "x"}}),
             Catch::StartsWith("unknown field \"profle\""));
  CHECK(a.api.session_counts().open == 0);
  // Without a seed, one is drawn and reported.
  const json drawn = a.post("/api/sessions", {{"favourites", {1, 2, 4, 6}}}, 201);
  CHECK(drawn["seed"].get<std::uint64_t>() < (std::uint64_t{1} << 53));
}

TEST_CASE("past max_sessions new sessions get 503, open ones keep working, idle ones go") {
  ServeOptions options;
  options.max_sessions = 2;
  options.session_idle_minutes = 10;
  Api a(options);
  const json first = a.start();
  a.clock.now += std::chrono::minutes(6);
  const json second = a.start();
  const HttpResponse refused =
      a.call("POST", "/api/sessions",
             json({{"favourites", {kMatrix, kPulpFiction, kForrestGump, kFargo}}}).dump());
  CHECK(refused.status == 503);
  CHECK(*refused.header("Retry-After") == "60");
  CHECK_THAT(error_of(refused), Catch::Contains("limit of 2 open sessions (--max-sessions)"));
  const std::string sid = first["session_id"];
  CHECK(a.get("/api/sessions/" + sid)["session_id"] == sid);  // still works, and is used now
  // Six minutes on, both have been idle for six: neither goes, and a new one is refused again.
  a.clock.now += std::chrono::minutes(6);
  CHECK(a.call("POST", "/api/sessions", json({{"favourites", {1, 2, 4, 6}}}).dump()).status == 503);
  CHECK(a.api.session_counts().open == 2);
  a.get("/api/sessions/" + sid);
  // Four more: the second has been idle for ten minutes and makes room; the first was used.
  a.clock.now += std::chrono::minutes(4);
  a.start();
  const auto counts = a.api.session_counts();
  CHECK(counts.open == 2);
  CHECK(counts.expired == 1);
  CHECK(counts.refused == 2);
  a.get("/api/sessions/" + second["session_id"].get<std::string>(), 404);
}

TEST_CASE("routes answer 404 for unknown paths and 405 with Allow for other methods") {
  Api a;
  const HttpResponse put = a.call("PUT", "/api/sessions");
  CHECK(put.status == 405);
  CHECK(*put.header("Allow") == "POST");
  CHECK(put.route == "/api/sessions");
  const HttpResponse del = a.call("DELETE", "/api/health");
  CHECK(del.status == 405);
  CHECK(*del.header("Allow") == "GET, HEAD");
  CHECK(*a.call("POST", "/api/sessions/abc").header("Allow") == "GET, HEAD, DELETE");
  CHECK(a.call("POST", "/").status == 405);
  CHECK(a.call("HEAD", "/api/health").status == 200);
  for (const char* path : {"/nowhere", "/api", "/api/health/", "/../etc/passwd",
                           "/app.js/../index.html", "//api/health", "/api/sessions//answers",
                           "/index.html", "", "/\xff\xfe", "/%2e%2e/etc/passwd"}) {
    INFO(path);
    const HttpResponse response = a.call("GET", path);
    CHECK(response.status == 404);
    CHECK(response.route == "unmatched");
    CHECK(is_valid_utf8(error_of(response)));
    CHECK_THAT(response.body, !Catch::Contains("root:"));
  }
}

TEST_CASE("the page is served from the embedded files, with the controls a browser test drives") {
  Api a;
  const HttpResponse page = a.call("GET", "/");
  CHECK(page.status == 200);
  CHECK(*page.header("Content-Type") == "text/html; charset=utf-8");
  for (const char* control :
       {"search", "rec-title", "like", "dislike", "skip", "info", "info-panel", "restart"}) {
    CHECK_THAT(page.body, Catch::Contains(std::string("data-test=\"") + control + "\""));
  }
  const HttpResponse script = a.call("GET", "/app.js");
  CHECK(*script.header("Content-Type") == "text/javascript; charset=utf-8");
  for (const char* control : {"result", "favourite", "liked-item"}) {
    CHECK_THAT(script.body, Catch::Contains(std::string("dataset.test = \"") + control + "\""));
  }
  CHECK(a.call("GET", "/style.css").status == 200);
  CHECK(a.call("GET", "/favicon.svg").status == 200);
  CHECK_THAT(page.body, !Catch::Contains("<script>"));  // no inline script: CSP allows 'self' only
  CHECK_THAT(page.body, !Catch::Contains("http://"));
}

TEST_CASE("metrics count requests by route pattern and status, with latency and sessions") {
  Api a;
  const json session = a.start();
  const std::string sid = session["session_id"];
  a.post("/api/sessions/" + sid + "/answers",
         {{"movie_id", session["recommendation"]["movie_id"]}, {"answer", "like"}});
  a.get("/api/movies/999", 404);
  a.call("GET", "/nowhere");
  a.call("FROB", "/api/health");
  a.api.transport_error("POST", 413);
  const HttpResponse metrics = a.call("GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(*metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics.body;
  CHECK_THAT(text, Catch::Contains("movierec_http_requests_total{route=\"/api/sessions/{sid}/"
                                   "answers\",method=\"POST\",status=\"200\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("movierec_http_requests_total{route=\"/api/"
                                   "sessions\",method=\"POST\",status=\"201\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("movierec_http_requests_total{route=\"/api/movies/"
                                   "{id}\",method=\"GET\",status=\"404\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("movierec_http_requests_total{route=\"/api/"
                                   "health\",method=\"other\",status=\"405\"} 1\n"));
  CHECK_THAT(
      text,
      Catch::Contains(
          "movierec_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"));
  CHECK_THAT(
      text,
      Catch::Contains(
          "movierec_http_requests_total{route=\"transport\",method=\"POST\",status=\"413\"} 1\n"));
  CHECK_THAT(text, !Catch::Contains(sid));
  CHECK_THAT(text, Catch::Contains("# TYPE movierec_http_request_duration_seconds histogram\n"));
  CHECK_THAT(
      text,
      Catch::Contains("movierec_http_request_duration_seconds_count{route=\"/api/sessions\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("movierec_http_request_duration_seconds_bucket{route=\"/api/"
                                   "sessions\",le=\"+Inf\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("movierec_sessions_open 1\n"));
  CHECK_THAT(text, Catch::Contains("movierec_sessions_total{event=\"opened\"} 1\n"));
}

TEST_CASE("transport errors are the API's JSON errors") {
  Api a;
  const HttpResponse large = a.api.transport_error("POST", 413);
  CHECK(large.status == 413);
  CHECK(error_of(large) == "the request body is larger than 65536 bytes (--max-body-bytes)");
  CHECK(*large.header("X-Content-Type-Options") == "nosniff");
  CHECK(a.api.transport_error("GET", 400).status == 400);
}

TEST_CASE("query strings decode as forms do") {
  using Params = std::vector<std::pair<std::string, std::string>>;
  CHECK(parse_query("q=toy+story&limit=5") == Params{{"q", "toy story"}, {"limit", "5"}});
  CHECK(parse_query("q=%C3%A9t%C3%A9&x") == Params{{"q", "\xC3\xA9t\xC3\xA9"}, {"x", ""}});
  CHECK(parse_query("q=100%&&=v&a=%zz%4") == Params{{"q", "100%"}, {"", "v"}, {"a", "%zz%4"}});
  CHECK(parse_query("").empty());
}

TEST_CASE("the access log names the path and query keys, never their values") {
  CHECK(access_log_line("GET", "/api/movies/search?q=secret+text&limit=5", 200, 0.00041) ==
        "GET /api/movies/search?q&limit 200 0.41 ms");
  CHECK(access_log_line("POST", "/api/sessions", 201, 0.0123) == "POST /api/sessions 201 12.30 ms");
  const std::string hostile =
      access_log_line("GET", "/\x1b[31m\n" + std::string(1000, 'a'), 404, 0);
  CHECK(hostile.find('\n') == std::string::npos);
  CHECK(hostile.find('\x1b') == std::string::npos);
  CHECK(hostile.size() < 300);
}

TEST_CASE("similar movies: the --json event's list, 404 outside the catalog, 400 for a bad n") {
  Api api;
  const json similar = api.get("/api/movies/2/similar?n=3");  // Toy Story
  CHECK(similar["movie_id"] == kToyStory);
  CHECK(similar["title"] == "Toy Story (1995)");
  REQUIRE(similar["similar"].size() == 3);
  CHECK(similar["similar"][0]["movie_id"] == kToyStory2);
  CHECK(similar["similar"][0]["year"].is_null());  // the fixture's catalog has no years
  CHECK(similar["similar"][0]["genres"] == json({"Animation", "Children", "Comedy"}));
  CHECK(similar["similar"][0]["similarity"].get<double>() > similar["similar"][1]["similarity"].get<double>());
  CHECK(similar["similar"][1]["movie_id"] == kAmelie);
  CHECK(api.get("/api/movies/2/similar")["similar"].size() == 10);  // n defaults to 10

  Fixture repl;
  repl.start();
  CHECK(api.get("/api/movies/2/similar?n=10") == without_event(repl.say("m Toy Story (1995)").at(0)));

  const HttpResponse outside = api.call("GET", "/api/movies/5/similar");  // Heat (1972)
  CHECK(outside.status == 404);
  CHECK(error_of(outside).find("no vector in the model") != std::string::npos);
  CHECK(api.call("GET", "/api/movies/99999/similar").status == 404);
  for (const char* n : {"0", "101", "x", "-1", ""}) {
    const HttpResponse bad = api.call("GET", std::string("/api/movies/2/similar?n=") + n);
    CHECK(bad.status == 400);
    CHECK(error_of(bad).find("n must be a whole number from 1 to 100") != std::string::npos);
  }
  CHECK(api.call("POST", "/api/movies/2/similar").status == 405);
}

TEST_CASE("a known user's recommendations: their vector's best unrated movies; 404 unknown") {
  Api api;
  const json out = api.get("/api/users/1/recommendations?n=2");
  CHECK(out["user_id"] == 1);
  REQUIRE(out["recommendations"].size() == 2);
  CHECK(out["recommendations"][0]["movie_id"] == kAliens);
  CHECK(out["recommendations"][0]["title"] == "Aliens (1986)");
  CHECK(out["recommendations"][0]["score"].get<double>() == Approx(1.0));
  CHECK(out["recommendations"][1]["movie_id"] == kBladeRunner);
  const json all = api.get("/api/users/1/recommendations?n=100");
  CHECK(all["recommendations"].size() == api.model.movie_count() - 3);  // rated: 3 embedded
  for (const json& movie : all["recommendations"]) {
    CHECK(movie["movie_id"] != kMatrix);
    CHECK(movie["movie_id"] != kToyStory);
  }

  const HttpResponse unknown = api.call("GET", "/api/users/3/recommendations");
  CHECK(unknown.status == 404);
  CHECK(error_of(unknown) ==
        "user 3 is not a user of the model (it knows 2 users, ids 1 to 2, from user_map.json)");
  CHECK(api.call("GET", "/api/users/abc/recommendations").status == 400);
  CHECK(api.call("GET", "/api/users/1/recommendations?n=0").status == 400);
}

TEST_CASE("search offers films sharing a title and year with what tells them apart") {
  const Model model = shared_title_model();
  const TitleIndex titles(title_entries(model.catalog()));
  HttpApi api(model, titles, fixture_policy(), ServeOptions{});
  HttpRequest request;
  request.method = "GET";
  request.path = "/api/movies/search";
  request.query = parse_query("q=emma+1996");
  const json found = json::parse(api.handle(request).body);
  REQUIRE(found["results"].size() == 2);
  CHECK(found["results"][0]["movie_id"] == 838);
  CHECK(found["results"][0]["note"] == "Comedy, Drama, Romance; IMDb tt0116191");
  CHECK(found["results"][1]["note"] == "Romance; IMDb tt0118308");
}

TEST_CASE("undo and list answer as recommend's u and l do") {
  Api a;
  const json session = a.start();
  const std::string sid = session["session_id"].get<std::string>();
  Fixture f;
  f.start();
  CHECK_THAT(error_of(a.call("POST", "/api/sessions/" + sid + "/undo")),
             Catch::Contains("no answer to take back"));
  CHECK(a.call("POST", "/api/sessions/" + sid + "/undo").status == 409);
  const json first = session["recommendation"];
  const json second = a.post("/api/sessions/" + sid + "/answers",
                             {{"movie_id", first["movie_id"]}, {"answer", "watch"}});
  f.say("w");
  const json undone = a.post("/api/sessions/" + sid + "/undo", json::object());
  const auto events = f.say("u");
  CHECK(undone["undone"] == without_event(events.at(0)));
  CHECK(undone["undone"]["answer"] == "watch");
  CHECK(undone["recommendation"] == without_event(events.at(1)));
  CHECK(a.get("/api/sessions/" + sid + "/list") == without_event(f.say("l").at(0)));
  a.post("/api/sessions/" + sid + "/answers",
         {{"movie_id", undone["recommendation"]["movie_id"]}, {"answer", "watch"}});
  const json summary = json::parse(a.call("DELETE", "/api/sessions/" + sid).body);
  CHECK(summary["watches"] == 1);
  REQUIRE(summary["watchlist"].size() == 1);
  CHECK(summary["watchlist"][0]["movie_id"] == first["movie_id"]);
  CHECK(second.contains("recommendation"));
}
