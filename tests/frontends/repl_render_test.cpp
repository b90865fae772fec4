// The two renderers of the line handler's events (JSON lines and terminal text), line reading,
// determinism, and random input.
#include <catch2/catch.hpp>
#include <random>
#include <sstream>
#include <string>

#include "movierec/frontends/repl.hpp"
#include "movierec/frontends/session_json.hpp"
#include "movierec/frontends/terminal.hpp"
#include "repl_fixture.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

// Every JSON line a scripted --json session writes.
std::vector<nlohmann::json> json_session(const std::string& input, std::uint64_t seed = 42,
                                         Policy policy = fixture_policy()) {
  const Model model = fixture_model();
  const TitleIndex titles(title_entries(model.catalog()));
  LineHandler handler(model, titles, policy, seed);
  std::istringstream in(input);
  std::ostringstream out;
  run_json_session(handler, in, out);
  std::vector<nlohmann::json> events;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
  return events;
}

std::vector<std::string> names(const std::vector<nlohmann::json>& events) {
  std::vector<std::string> out;
  for (const auto& event : events) out.push_back(event.at("event"));
  return out;
}

std::string terminal_session(const std::string& input, bool colour, bool echo = true) {
  const Model model = fixture_model();
  const TitleIndex titles(title_entries(model.catalog()));
  LineHandler handler(model, titles, fixture_policy(), 42);
  TerminalStyle style;
  style.colour = colour;
  const TerminalRenderer renderer(style);
  std::istringstream in(input);
  std::ostringstream out;
  renderer.header(out, handler.session(), 42, false);
  run_plain_session(handler, renderer, in, out, echo);
  return out.str();
}

const std::string kSession =
    "toy story\n2\nheat 1972\n1\nxyzzy\nthe matrix\nthe matrix\nfargo\ni\ny\nn\nwhat\ns\nh\nq\n";

}  // namespace

TEST_CASE("a --json session writes one event per line, the end last") {
  const auto events = json_session(kSession);
  CHECK(names(events) == std::vector<std::string>{"choices", "favourite", "error", "choices",
                                                  "favourite", "error", "favourite", "error",
                                                  "favourite", "recommendation", "info",
                                                  "recommendation", "recommendation", "error",
                                                  "recommendation", "help", "end"});
  CHECK(events[0]["reason"] == "ambiguous");
  CHECK(events[0]["options"][1] ==
        nlohmann::json({{"movie_id", kToyStory2}, {"title", "Toy Story 2 (1999)"}}));
  CHECK(events[0]["outside_catalog"] == true);
  CHECK(events[1] == nlohmann::json({{"event", "favourite"},
                                     {"movie_id", kToyStory2},
                                     {"title", "Toy Story 2 (1999)"},
                                     {"number", 1},
                                     {"evidence", "trained"},
                                     {"evidence_ratings", 75}}));
  CHECK(events[2]["code"] == "not_in_catalog");
  CHECK(events[2]["movie_id"] == kHeat1972);
  CHECK(events[3]["reason"] == "not_in_catalog");
  CHECK(events[5]["code"] == "not_found");
  CHECK(events[7]["code"] == "duplicate");

  const auto& rec = events[9];
  CHECK(rec["number"] == 1);
  CHECK(rec["score"] == rec["parts"]["total"]);
  for (const char* part : {"model_score", "genre_affinity", "model", "genre_distance", "popularity",
                           "diversity", "exploration", "total"}) {
    CHECK(rec["parts"].contains(part));
  }
  CHECK(rec["genres"].is_array());
  const auto& info = events[10];
  CHECK(info["movie_id"] == rec["movie_id"]);
  for (const char* key :
       {"title", "year", "genres", "rating_mean", "rating_count", "tags", "overview",
        "release_date", "runtime_minutes", "imdb_url", "tmdb_url", "score", "parts", "nearest"}) {
    CHECK(info.contains(key));
  }
  CHECK(events[13]["code"] == "unknown_answer");
  CHECK(events.back() ==
        nlohmann::json({{"event", "end"},
                        {"reason", "quit"},
                        {"likes", 1},
                        {"dislikes", 1},
                        {"skips", 1},
                        {"liked", {{{"movie_id", rec["movie_id"]}, {"title", rec["title"]}}}},
                        {"watches", 0},
                        {"watchlist", nlohmann::json::array()},
                        {"profile", nullptr}}));
}

TEST_CASE("a --json session ends at the end of input, in any phase") {
  CHECK(json_session("").back()["reason"] == "eof");
  CHECK(json_session("toy story").back()["reason"] == "eof");  // no final line break
  const auto events = json_session("alien\n1\naliens\nblade runner\ndie hard\ny\n");
  CHECK(events.back()["reason"] == "eof");
  CHECK(events.back()["likes"] == 1);
}

TEST_CASE("the same seed and lines give the same session") {
  Policy exploring = fixture_policy();
  exploring.exploration_rate = 0.5;
  const std::string input = "alien\n1\ntoy story\n1\nheat\n1\nfargo\ny\nn\ny\ns\ny\nq\n";
  const auto first = json_session(input, 7, exploring);
  CHECK(json_session(input, 7, exploring) == first);
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 40 && !differs; ++seed) {
    differs = json_session(input, seed, exploring) != first;
  }
  CHECK(differs);  // the seed matters when exploring
}

TEST_CASE("hostile input in --json mode stays valid JSON lines") {
  std::string input = std::string(1 << 20, 'a') + "\n";
  const char garbage[] = "\xff\xfe\x00\x01 garbage\n";
  input += std::string(garbage, sizeof garbage - 1);
  input += "\xc3\x28\n\n";
  const auto events = json_session(input);
  CHECK(names(events) == std::vector<std::string>{"error", "error", "error", "error", "end"});
  CHECK(events[0]["code"] == "too_long");
  CHECK(events[1]["code"] == "not_text");
  CHECK(events[3]["code"] == "empty");
}

TEST_CASE("read_line cuts long lines and keeps reading") {
  std::istringstream in(std::string(100, 'x') + "\nshort\r\nlast");
  std::string line;
  REQUIRE(read_line(in, line, 10));
  CHECK(line.size() == 11);
  REQUIRE(read_line(in, line, 10));
  CHECK(line == "short\r");
  REQUIRE(read_line(in, line, 10));
  CHECK(line == "last");
  CHECK_FALSE(read_line(in, line, 10));
  CHECK_FALSE(read_line(in, line, 10));
}

TEST_CASE("the terminal transcript reads like a session") {
  const std::string text = terminal_session(kSession, false);
  CHECK(text.find('\033') == std::string::npos);
  CHECK_THAT(text, Catch::Contains("seed 42 - replay with --seed 42"));
  CHECK_THAT(text, Catch::Contains("Favourite 1 of 4: toy story\n"));
  CHECK_THAT(text, Catch::Contains("Several movies match \"toy story\":"));
  CHECK_THAT(text, Catch::Contains(" 2. Toy Story 2 (1999)"));
  CHECK_THAT(text, Catch::Contains("Pick 1-2, or type another title: 2\n"));
  CHECK_THAT(text, Catch::Contains("Heat (1972) is not in the catalog"));
  CHECK_THAT(text, Catch::Contains("#1 "));
  CHECK_THAT(text, Catch::Contains("Like it? [y/n/s/w/u/i/m/l/q/h] i\n"));
  CHECK_THAT(text, Catch::Contains("Why: it is near your taste"));
  CHECK_THAT(text, Catch::Contains("Score "));
  CHECK_THAT(text, Catch::Contains("Session over (you quit): 1 liked, 1 disliked, 1 skipped, 0 to watch."));
  CHECK_THAT(text, Catch::Contains("  liked "));

  const std::string coloured = terminal_session(kSession, true);
  CHECK(coloured.find("\033[") != std::string::npos);
  CHECK_THAT(terminal_session("the matrix\n", false),
             Catch::Contains("Session over (input ended): 0 liked"));
  // Typed at a terminal, the line is on the screen already: no echo.
  const std::string typed = terminal_session("toy story\n", false, false);
  CHECK_THAT(typed, Catch::Contains("Favourite 1 of 4:   Several movies match"));
}

TEST_CASE("the terminal never echoes a huge line") {
  const std::string text = terminal_session(std::string(1 << 20, 'z') + "\nq\n", false);
  CHECK(text.size() < 2000);
  CHECK_THAT(text, Catch::Contains("longer than 1024 bytes"));
}

TEST_CASE("random lines never break the handler") {
  const Model model = fixture_model();
  const TitleIndex titles(title_entries(model.catalog()));
  const std::vector<std::string> words = {"toy",  "story", "1",     "2",    "y",   "n",
                                          "s",    "i",     "h",     "heat", "the", "matrix",
                                          "1999", "?",     "fargo", "alien"};
  std::mt19937_64 rng(5);
  for (int run = 0; run < 50; ++run) {
    LineHandler handler(model, titles, fixture_policy(), rng());
    for (int step = 0; step < 60 && !handler.finished(); ++step) {
      std::string line;
      const auto kind = rng() % 3;
      const std::size_t length = rng() % 12;
      for (std::size_t i = 0; i < length; ++i) {
        if (kind == 0) line += static_cast<char>(rng() % 256);
        if (kind == 1) line += words[rng() % words.size()] + (rng() % 2 ? " " : "");
        if (kind == 2) line += static_cast<char>(' ' + rng() % 95);
      }
      const auto events = handler.handle(line);
      CHECK_FALSE(events.empty());
      for (const ReplEvent& event : events) {
        if (const auto* error = std::get_if<ErrorEvent>(&event)) {
          CHECK(error->code != ErrorCode::kInternal);
        }
        CHECK_NOTHROW(to_json(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
      }
    }
  }
}

TEST_CASE("score parts as JSON: each part under its name") {
  ScoreParts parts;
  parts.model_score = 1;
  parts.genre_affinity = 2;
  parts.model = 3;
  parts.genre_distance = 4;
  parts.popularity = 5;
  parts.diversity = 6;
  parts.exploration = 7;
  parts.total = 8;
  parts.lead_ins = 9;
  const nlohmann::json encoded = to_json(parts);
  CHECK(encoded == nlohmann::json{{"model_score", 1},
                               {"genre_affinity", 2},
                               {"model", 3},
                               {"genre_distance", 4},
                               {"popularity", 5},
                               {"diversity", 6},
                               {"exploration", 7},
                               {"total", 8},
                               {"lead_ins", 9}});
}
