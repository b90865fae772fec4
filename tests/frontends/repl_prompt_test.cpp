// The prompt's promises (issue 13): numbers at a choice are picks or errors, a single choice is a
// question, u/w/l beside y/n/s/i, Ctrl-C ends with the summary, and the JSON of the new events.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "movierec/frontends/repl.hpp"
#include "movierec/frontends/session_json.hpp"
#include "movierec/frontends/terminal.hpp"
#include "repl_fixture.hpp"

using namespace movierec;
using namespace movierec::test;

TEST_CASE("a single choice is a question: y, Enter or 1 take it, n drops it") {
  Fixture f;
  // "heat" matches Heat (1995) and Heat (1972); only the first is in the catalog.
  const auto& question = only<ChoicesEvent>(f.say("heat"));
  REQUIRE(question.options.size() == 1);
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kChoice);
  SECTION("y") { CHECK(only<FavouriteEvent>(f.say("Y")).movie.movie_id == kHeat); }
  SECTION("an empty line") { CHECK(only<FavouriteEvent>(f.say("  ")).movie.movie_id == kHeat); }
  SECTION("1") { CHECK(only<FavouriteEvent>(f.say("1")).movie.movie_id == kHeat); }
  SECTION("n") {
    CHECK(only<ErrorEvent>(f.say("no")).code == ErrorCode::kDeclined);
    CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kFavourite);
    CHECK(f.handler.session().favourites().empty());
  }
  SECTION("another title") {
    CHECK(only<FavouriteEvent>(f.say("fargo")).movie.movie_id == kFargo);
  }
}

TEST_CASE("a refused pick keeps the choices") {
  Fixture f;
  f.say("Toy Story (1995)");
  REQUIRE(only<ChoicesEvent>(f.say("toy story")).options.size() == 2);
  CHECK(only<ErrorEvent>(f.say("1")).code == ErrorCode::kDuplicate);
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kChoice);
  CHECK(only<ErrorEvent>(f.say("7")).code == ErrorCode::kBadChoice);
  CHECK(only<FavouriteEvent>(f.say("2")).movie.movie_id == kToyStory2);
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kFavourite);
}

TEST_CASE("two-digit years and one-letter prefixes reach the handler") {
  Fixture f;
  CHECK(only<FavouriteEvent>(f.say("pulp fiction 94")).movie.movie_id == kPulpFiction);
  CHECK(only<FavouriteEvent>(f.say("heat 95")).movie.movie_id == kHeat);
  CHECK(only<FavouriteEvent>(f.say("blade r")).movie.movie_id == kBladeRunner);
}

TEST_CASE("w puts the movie on the watchlist, shown by l and at the end") {
  Fixture f;
  const std::int32_t first = only<RecommendationEvent>(f.start(), 1).movie.movie_id;
  const auto after = f.say("w");
  CHECK(only<RecommendationEvent>(after).number == 2);
  CHECK(f.handler.session().counts().watches == 1);
  const auto& list = only<ListEvent>(f.say("l"));
  CHECK(list.favourites.size() == 4);
  CHECK(list.liked.empty());
  REQUIRE(list.watchlist.size() == 1);
  CHECK(list.watchlist[0].movie_id == first);
  CHECK(holds<ListEvent>(f.say("LIST"), 0));
  const auto& end = only<EndEvent>(f.say("q"));
  CHECK(end.counts.watches == 1);
  REQUIRE(end.watchlist.size() == 1);
  CHECK(end.watchlist[0].movie_id == first);
  const auto summary = to_json(ReplEvent{end});
  CHECK(summary["watches"] == 1);
  CHECK(summary["watchlist"][0]["movie_id"] == first);
}

TEST_CASE("l lists the favourites while they are asked for") {
  Fixture f;
  f.say("fargo");
  const auto& list = only<ListEvent>(f.say("l"));
  REQUIRE(list.favourites.size() == 1);
  CHECK(list.favourites[0].movie_id == kFargo);
  CHECK(to_json(ReplEvent{list}).dump() ==
        R"x({"event":"list","favourites":[{"movie_id":7,"title":"Fargo (1996)"}],"liked":[],)x"
        R"x("watchlist":[]})x");
}

TEST_CASE("u takes back the last answer and asks about its movie again") {
  Fixture f;
  const auto start = f.start();
  const auto& first = only<RecommendationEvent>(start, 1);
  CHECK(only<ErrorEvent>(f.say("u")).code == ErrorCode::kNothingToUndo);
  const Eigen::VectorXd before = f.handler.session().user_vector();
  const auto liked = f.say("y");
  REQUIRE(only<RecommendationEvent>(liked).number == 2);
  CHECK(f.handler.session().user_vector() != before);

  const auto undone = f.say("undo");
  REQUIRE(undone.size() == 2);
  const auto& taken = only<UndoneEvent>(undone);
  CHECK(taken.movie.movie_id == first.movie.movie_id);
  CHECK(taken.answer == Feedback::kLike);
  const auto& again = only<RecommendationEvent>(undone, 1);
  CHECK(again.movie.movie_id == first.movie.movie_id);
  CHECK(again.number == 1);
  CHECK(f.handler.session().user_vector() == before);  // exactly, not approximately
  CHECK(f.handler.session().counts().likes == 0);
  CHECK(to_json(ReplEvent{taken})["event"] == "undone");
  CHECK(to_json(ReplEvent{taken})["answer"] == "like");
  CHECK(only<ErrorEvent>(f.say("u")).code == ErrorCode::kNothingToUndo);
}

TEST_CASE("an interrupt ends the session with its summary, once") {
  Fixture f;
  f.start();
  f.say("y");
  const auto& end = only<EndEvent>(f.handler.interrupt());
  CHECK(end.reason == EndReason::kInterrupted);
  CHECK(end.counts.likes == 1);
  CHECK(to_json(ReplEvent{end})["reason"] == "interrupted");
  CHECK(f.handler.finished());
  CHECK(f.handler.interrupt().empty());
  CHECK(f.handler.end_of_input().empty());
}

TEST_CASE("help names every answer") {
  Fixture f;
  f.start();
  std::string text;
  for (const std::string& line : only<HelpEvent>(f.say("h")).lines) text += line + "\n";
  for (const char* answer : {"y (yes)", "n (no)", "s (skip)", "w (watch)", "u (undo)", "i (info)",
                             "l (list)", "q (quit)"}) {
    CHECK_THAT(text, Catch::Contains(answer));
  }
}

namespace {

std::string rendered(const ReplEvent& event, std::size_t width = 78) {
  TerminalStyle style;
  style.width = width;
  std::ostringstream out;
  TerminalRenderer(style).render(out, event);
  return out.str();
}

}  // namespace

TEST_CASE("i says why in words, only the parts that are not zero, wrapped to the width") {
  InfoEvent info;
  info.movie = {1, "The Matrix (1999)"};
  info.info.title = "Matrix, The (1999)";
  info.info.tags = {"cyberpunk", "philosophy", "virtual reality", "dystopia", "martial arts"};
  info.parts.model_score = 0.8;
  info.parts.model = 0.8;
  info.parts.genre_affinity = 0.5;
  info.parts.genre_distance = -0.1;
  info.parts.exploration = 0.0004;  // rounds to nothing: not named
  info.parts.total = 0.7004;
  info.exploration_rule = "ucb";
  const std::string text = rendered(info, 40);
  CHECK_THAT(text, Catch::Contains("it is near your taste"));
  CHECK_THAT(text, Catch::Contains("(+0.800)"));
  CHECK_THAT(text, Catch::Contains("50% of your genre"));
  CHECK_THAT(text, Catch::Contains("(-0.100)"));
  CHECK_THAT(text, Catch::Contains("Score 0.700."));
  CHECK_THAT(text, !Catch::Contains("popular") && !Catch::Contains("worth a try") &&
                       !Catch::Contains("change from"));
  // Said once when TMDB has no overview, instead of a gap.
  CHECK_THAT(text, Catch::Contains("(no TMDB overview for this movie)"));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK(line.size() <= 40);  // ASCII here: bytes are columns
  }
  info.info.overview = "A hacker learns what the world he lives in really is.";
  CHECK_THAT(rendered(info), !Catch::Contains("no TMDB overview"));
  info.parts.popularity = -0.05;
  info.parts.exploration = 0.2;
  CHECK_THAT(rendered(info), Catch::Contains("widely seen") && Catch::Contains("worth a try"));
  CHECK_THAT(rendered(info), !Catch::Contains("people who rated"));
  info.parts.lead_ins = 0.3;
  CHECK_THAT(rendered(info), Catch::Contains("people who rated your favourites"));
  info.parts.lead_ins = -0.3;
  CHECK_THAT(rendered(info), Catch::Contains("people who rated what you disliked"));
}

TEST_CASE("a single choice is rendered as a question, several as a list") {
  ChoicesEvent one{"heat", ChoicesReason::kAmbiguous, {{4, "Heat (1995)"}}, true};
  const std::string question = rendered(one);
  CHECK_THAT(question, Catch::Contains("Did you mean Heat (1995)?"));
  CHECK_THAT(question, !Catch::Contains("Several movies match"));
  CHECK(TerminalRenderer().prompt({ReplPrompt::Kind::kChoice, 1, 1}) ==
        "[Y/n], or another title: ");
  ChoicesEvent two{
      "toy story", ChoicesReason::kAmbiguous, {{2, "Toy Story (1995)"}, {3, "Toy Story 2"}}, false};
  CHECK_THAT(rendered(two), Catch::Contains("Several movies match \"toy story\":"));
}

TEST_CASE("the terminal summary shows the watchlist") {
  EndEvent end{EndReason::kInterrupted, {0, 0, 0, 1}, {}, {{8, "Alien (1979)"}}, {}};
  const std::string text = rendered(end);
  CHECK_THAT(text, Catch::Contains("Session over (interrupted): 0 liked, 0 disliked, 0 skipped, "
                                   "1 to watch."));
  CHECK_THAT(text, Catch::Contains("to watch Alien (1979)"));
}
