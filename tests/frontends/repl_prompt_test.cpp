// The prompt's promises (issue 13): numbers at a choice are picks or errors, a single choice is a
// question, u/w/l beside y/n/s/i, Ctrl-C ends with the summary, and the JSON of the new events.
#include <catch2/catch.hpp>
#include <string>

#include "movierec/frontends/repl.hpp"
#include "movierec/frontends/session_json.hpp"
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
