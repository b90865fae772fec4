// The line handler driven by scripted lines on a hand-built model: every phase, choices,
// refusals, answers, hostile lines, the end of input in each phase, and exhaustion.
#include "movierec/frontends/repl.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "repl_fixture.hpp"

using namespace movierec;
using namespace movierec::test;

TEST_CASE("four certain favourites start the recommendations") {
  Fixture f;
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kFavourite);
  CHECK(f.handler.prompt().favourite == 1);
  const auto first = f.say("The Matrix (1999)");
  REQUIRE(first.size() == 1);
  CHECK(only<FavouriteEvent>(first).movie.movie_id == kMatrix);
  CHECK(only<FavouriteEvent>(first).movie.title == "The Matrix (1999)");
  CHECK(only<FavouriteEvent>(first).number == 1);
  CHECK(only<FavouriteEvent>(f.say("pulp fiction")).movie.movie_id == kPulpFiction);
  CHECK(only<FavouriteEvent>(f.say("forest gump")).movie.movie_id == kForrestGump);  // a typo
  CHECK(f.handler.prompt().favourite == 4);
  const auto fourth = f.say("  FARGO 1996  ");
  REQUIRE(fourth.size() == 2);
  CHECK(only<FavouriteEvent>(fourth).number == 4);
  const auto& rec = only<RecommendationEvent>(fourth, 1);
  CHECK(rec.number == 1);
  CHECK(f.handler.session().seen(*f.model.artifacts().movie_map.row(rec.movie.movie_id)) == false);
  CHECK(rec.parts.total == Approx(f.handler.session().explain().parts.total));
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kAnswer);
  CHECK(f.handler.session().favourites().size() == 4);
}

TEST_CASE("an ambiguous query offers numbered choices from the catalog") {
  Fixture f;
  const auto events = f.say("toy story");
  const auto& choices = only<ChoicesEvent>(events);
  CHECK(choices.reason == ChoicesReason::kAmbiguous);
  CHECK(choices.query == "toy story");
  REQUIRE(choices.options.size() == 2);  // Toy Story Toons matches too, but is not in the catalog
  CHECK(choices.options[0].movie_id == kToyStory);
  CHECK(choices.options[1].movie_id == kToyStory2);
  CHECK(choices.outside_catalog);
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kChoice);
  CHECK(f.handler.prompt().choices == 2);

  SECTION("a number picks one") {
    CHECK(only<FavouriteEvent>(f.say("2")).movie.movie_id == kToyStory2);
    CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kFavourite);
    CHECK(f.handler.prompt().favourite == 2);
  }
  SECTION("a new query replaces the choices") {
    CHECK(only<FavouriteEvent>(f.say("heat 1995")).movie.movie_id == kHeat);
    CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kFavourite);
    // The old choices are gone: "1" is now a query, and no title is "1".
    CHECK(only<ErrorEvent>(f.say("1")).code == ErrorCode::kNotFound);
  }
  SECTION("a number out of range is an error that keeps the choices, never a query") {
    const auto out_of_range = f.say("3");
    CHECK(only<ErrorEvent>(out_of_range).code == ErrorCode::kBadChoice);
    CHECK(f.handler.session().favourites().empty());
    CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kChoice);
    CHECK(f.handler.prompt().choices == 2);
    CHECK(only<ErrorEvent>(f.say("0")).code == ErrorCode::kBadChoice);
    CHECK(only<FavouriteEvent>(f.say("2")).movie.movie_id == kToyStory2);
  }
  SECTION("another ambiguous query gives new choices") {
    const auto& aliens = only<ChoicesEvent>(f.say("alien"));
    REQUIRE(aliens.options.size() == 2);
    CHECK(aliens.options[0].movie_id == kAlien);
    CHECK_FALSE(aliens.outside_catalog);
    CHECK(only<FavouriteEvent>(f.say("2")).movie.movie_id == kAliens);
  }
}

TEST_CASE("a movie outside the catalog is refused with its reason and the closest titles") {
  Fixture f;
  SECTION("too few ratings") {
    const auto events = f.say("Heat (1972)");
    const auto& error = only<ErrorEvent>(events);
    CHECK(error.code == ErrorCode::kNotInCatalog);
    REQUIRE(error.movie);
    CHECK(error.movie->movie_id == kHeat1972);
    CHECK_THAT(error.message,
               Catch::Contains("Heat (1972) is not in the catalog") &&
                   Catch::Contains("it has 3 ratings; the catalog keeps movies with at least 50 "
                                   "ratings (filter.min_movie_ratings)"));
    const auto& closest = only<ChoicesEvent>(events, 1);
    CHECK(closest.reason == ChoicesReason::kNotInCatalog);
    REQUIRE_FALSE(closest.options.empty());
    CHECK(closest.options[0].movie_id == kHeat);
    CHECK(only<FavouriteEvent>(f.say("1")).movie.movie_id == kHeat);
  }
  SECTION("too few ratings from the users kept") {
    const auto& error = only<ErrorEvent>(f.say("obscure film 2005"));
    CHECK(error.code == ErrorCode::kNotInCatalog);
    CHECK_THAT(error.message, Catch::Contains("it has 60 ratings, but fewer than 50 from users "
                                              "with at least 20 ratings"));
  }
  SECTION("no rating in the training split") {
    const auto& error = only<ErrorEvent>(f.say("kept unrated"));
    CHECK_THAT(error.message, Catch::Contains("no ratings in the training split"));
  }
  SECTION("only matches outside the catalog") {
    const auto events = f.say("obscure film");
    const auto error = only<ErrorEvent>(events);
    CHECK(error.code == ErrorCode::kNotInCatalog);
    CHECK(error.message ==
          "No movie in the catalog matches \"obscure film\". Matching titles outside it: Obscure "
          "Film (2005) (60 ratings, too few from users with at least 20 ratings); Obscure Film 2 "
          "(2007) (2 ratings). The catalog keeps movies with at least 50 ratings "
          "(filter.min_movie_ratings).");
    CHECK(f.handler.session().favourites().empty());
  }
  SECTION("one of several choices is the only match inside") {
    const auto& choices = only<ChoicesEvent>(f.say("heat"));
    REQUIRE(choices.options.size() == 1);
    CHECK(choices.options[0].movie_id == kHeat);
    CHECK(choices.outside_catalog);
  }
}

TEST_CASE("nothing found says so, with near titles when there are some") {
  Fixture f;
  const auto none = f.say("xyzzy qwerty");
  CHECK(none.size() == 1);
  CHECK_THAT(only<ErrorEvent>(none).message, Catch::Contains("No title matches \"xyzzy qwerty\""));
  const auto near = f.say("runner blade matrix toy");
  CHECK(only<ErrorEvent>(near).code == ErrorCode::kNotFound);
  const auto& suggestions = only<ChoicesEvent>(near, 1);
  CHECK(suggestions.reason == ChoicesReason::kNotFound);
  CHECK(suggestions.options.size() <= f.handler.options().max_suggestions);
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kChoice);
}

TEST_CASE("a favourite named twice is refused") {
  Fixture f;
  f.say("the matrix");
  const auto& error = only<ErrorEvent>(f.say("Matrix, The (1999)"));
  CHECK(error.code == ErrorCode::kDuplicate);
  CHECK(error.message == "The Matrix (1999) is already favourite 1; name another movie.");
  CHECK(f.handler.session().favourites().size() == 1);
  CHECK(f.handler.prompt().favourite == 2);
}

TEST_CASE("answers: like, dislike, skip, info, help, hints") {
  Fixture f;
  const auto start = f.start();
  const std::int32_t first = only<RecommendationEvent>(start, 1).movie.movie_id;

  const auto info = f.say("i");
  const auto& details = only<InfoEvent>(info);
  CHECK(details.movie.movie_id == first);
  CHECK(details.parts.total == Approx(f.handler.session().explain().parts.total));
  CHECK(details.exploration_rule == choice_name(f.handler.session().policy().exploration));
  CHECK_FALSE(details.nearest.empty());
  CHECK(details.nearest.size() <= f.handler.options().max_info_neighbours);
  CHECK(only<InfoEvent>(f.say("INFO")).movie.movie_id == first);  // the same movie waits

  CHECK(only<HelpEvent>(f.say("h")).lines.size() > 3);
  CHECK(holds<HelpEvent>(f.say("?"), 0));
  const auto& hint = only<ErrorEvent>(f.say("maybe"));
  CHECK(hint.code == ErrorCode::kUnknownAnswer);
  CHECK_THAT(hint.message, Catch::Contains("\"maybe\" is not an answer"));
  CHECK(only<ErrorEvent>(f.say("")).code == ErrorCode::kEmpty);

  const auto liked = f.say("Y");
  const std::int32_t second = only<RecommendationEvent>(liked).movie.movie_id;
  CHECK(second != first);
  CHECK(only<RecommendationEvent>(liked).number == 2);
  const std::int32_t third = only<RecommendationEvent>(f.say("no")).movie.movie_id;
  CHECK(only<RecommendationEvent>(f.say("skip")).movie.movie_id != third);
  only<RecommendationEvent>(f.say("yes"));
  CHECK(f.handler.session().counts().likes == 2);
  CHECK(f.handler.session().counts().dislikes == 1);
  CHECK(f.handler.session().counts().skips == 1);
  CHECK(f.handler.session().disliked().front() == *f.model.artifacts().movie_map.row(second));

  const auto end = f.say("Q");
  const auto& summary = only<EndEvent>(end);
  CHECK(summary.reason == EndReason::kQuit);
  CHECK(summary.counts.likes == 2);
  REQUIRE(summary.liked.size() == 2);
  CHECK(summary.liked[0].movie_id == first);
  CHECK(f.handler.finished());
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kNone);
  CHECK(only<ErrorEvent>(f.say("y")).code == ErrorCode::kEnded);
  CHECK(f.handler.end_of_input().empty());
}

namespace {

// Skips recommendations until `movie` is shown, then asks for its info.
InfoEvent info_of(Fixture& f, std::vector<ReplEvent> events, std::int32_t movie) {
  for (int step = 0; step < 12; ++step) {
    const auto* rec = std::get_if<RecommendationEvent>(&events.back());
    REQUIRE(rec != nullptr);
    if (rec->movie.movie_id == movie) return only<InfoEvent>(f.say("i"));
    events = f.say("s");
  }
  FAIL("the movie was never recommended");
  return {};
}

}  // namespace

TEST_CASE("info shows the details and links the metadata has") {
  Fixture f;
  for (const char* line : {"Alien (1979)", "Aliens (1986)", "Blade Runner (1982)"}) f.say(line);
  const InfoEvent matrix = info_of(f, f.say("Die Hard (1988)"), kMatrix);
  CHECK(matrix.movie.title == "The Matrix (1999)");
  CHECK(matrix.info.overview == "A hacker learns what the world he lives in really is.");
  CHECK(matrix.info.tags == std::vector<std::string>{"cyberpunk", "philosophy"});
  CHECK(matrix.info.rating_count == 300);
  CHECK(matrix.imdb_url == "https://www.imdb.com/title/tt0999931/");
  CHECK(matrix.tmdb_url == "https://www.themoviedb.org/movie/99931");
  REQUIRE(matrix.nearest.size() == 3);
  CHECK(matrix.nearest[0].favourite);
  CHECK(matrix.nearest[0].similarity >= matrix.nearest[1].similarity);

  Fixture g;
  for (const char* line : {"The Matrix (1999)", "Aliens (1986)", "Blade Runner (1982)"}) {
    g.say(line);
  }
  const InfoEvent alien = info_of(g, g.say("Die Hard (1988)"), kAlien);
  CHECK(alien.imdb_url == "https://www.imdb.com/title/tt0098765/");  // the id padded to 7 digits
  CHECK(alien.tmdb_url.empty());
  CHECK(alien.info.overview.empty());
}

TEST_CASE("hostile lines get a hint and the session goes on") {
  Fixture f;
  const std::string huge(1 << 20, 'x');
  const std::vector<std::string> lines = {
      huge,
      std::string("\xff\xfe\x80 binary", 10),
      std::string("abc\0def", 7),
      "ti\x01tle",
      "",
      "   ",
      "\t",
      std::string(5000, '7'),
  };
  for (const int phase : {0, 1, 2}) {
    Fixture g;
    if (phase == 1) g.say("toy story");
    if (phase == 2) g.start();
    const ReplPrompt before = g.handler.prompt();
    for (const std::string& line : lines) {
      const auto events = g.say(line);
      const auto& error = only<ErrorEvent>(events);
      CHECK(error.code != ErrorCode::kInternal);
      CHECK(error.message.size() < 200);  // never echoes megabytes back
      CHECK(g.handler.prompt().kind == before.kind);
      CHECK_FALSE(g.handler.finished());
    }
  }
  CHECK(only<ErrorEvent>(f.say(huge)).code == ErrorCode::kTooLong);
  CHECK(only<ErrorEvent>(f.say("\xc3\x28")).code == ErrorCode::kNotText);
  CHECK(only<ErrorEvent>(f.say("")).code == ErrorCode::kEmpty);
  // A line break from a CRLF file is not part of the query.
  CHECK(only<FavouriteEvent>(f.say("fargo\r")).movie.movie_id == kFargo);
}

TEST_CASE("the end of input ends the session in every phase") {
  SECTION("asking for favourites") {
    Fixture f;
    f.say("the matrix");
    const auto& end = only<EndEvent>(f.handler.end_of_input());
    CHECK(end.reason == EndReason::kEof);
    CHECK(end.counts.likes + end.counts.dislikes + end.counts.skips == 0);
  }
  SECTION("offering choices") {
    Fixture f;
    f.say("toy story");
    CHECK(only<EndEvent>(f.handler.end_of_input()).reason == EndReason::kEof);
  }
  SECTION("waiting for an answer") {
    Fixture f;
    f.start();
    f.say("y");
    f.say("i");
    const auto& end = only<EndEvent>(f.handler.end_of_input());
    CHECK(end.reason == EndReason::kEof);
    CHECK(end.counts.likes == 1);
    CHECK(end.liked.size() == 1);
  }
  SECTION("quitting while favourites are asked for") {
    Fixture f;
    CHECK(only<EndEvent>(f.say("quit")).reason == EndReason::kQuit);
    CHECK(f.handler.end_of_input().empty());
  }
}

TEST_CASE("running out of candidates ends the session") {
  Fixture f;
  auto events = f.start();
  std::set<std::int32_t> shown;
  std::size_t answers = 0;
  while (!f.handler.finished()) {
    const auto& last = events.back();
    if (const auto* rec = std::get_if<RecommendationEvent>(&last)) {
      CHECK(shown.insert(rec->movie.movie_id).second);  // never the same movie twice
    }
    events = f.say(answers % 2 == 0 ? "s" : "n");
    ++answers;
    REQUIRE(answers <= 20);
  }
  // Twelve embedded movies, four favourites: eight recommendations.
  CHECK(shown.size() == 8);
  const auto& end = only<EndEvent>(events);
  CHECK(end.reason == EndReason::kExhausted);
  CHECK(end.counts.skips + end.counts.dislikes == 8);
}

TEST_CASE("completion offers catalog titles while favourites are asked for") {
  Fixture f;
  const auto titles = f.handler.complete("toy st");
  CHECK(std::find(titles.begin(), titles.end(), "Toy Story (1995)") != titles.end());
  CHECK(std::find(titles.begin(), titles.end(), "Toy Story 2 (1999)") != titles.end());
  for (const std::string& title : titles) CHECK(title.find("Toons") == std::string::npos);
  CHECK(f.handler.complete(std::string(1 << 20, 'a')).empty());
  f.start();
  CHECK(f.handler.complete("toy").empty());
}

TEST_CASE("shown_text cleans and cuts echoed input") {
  CHECK(shown_text("heat", 10) == "heat");
  CHECK(shown_text("abcdefghijkl", 5) == "abcde...");
  CHECK(shown_text("\xff"
                   "a\x01",
                   10) ==
        "\xEF\xBF\xBD"
        "a\xEF\xBF\xBD");
  CHECK(shown_text("Am\xC3\xA9lie", 3) == "Am\xC3\xA9...");
}
