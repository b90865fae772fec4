// The line handler's "more like this" (m, m TITLE) and the start from a known user.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "movierec/session/known_users.hpp"
#include "repl_fixture.hpp"

namespace movierec {
namespace {

using namespace test;
using json = nlohmann::ordered_json;

TEST_CASE("m lists the movies most like the waiting one, which still waits") {
  Fixture f;
  const RecommendationEvent first = only<RecommendationEvent>(f.start(), 1);
  const SimilarEvent similar = only<SimilarEvent>(f.say("m"));
  CHECK(similar.movie.movie_id == first.movie.movie_id);
  CHECK(similar.similar.size() == f.handler.options().max_similar);
  for (std::size_t i = 0; i < similar.similar.size(); ++i) {
    CHECK(similar.similar[i].movie.movie_id != first.movie.movie_id);
    if (i > 0) CHECK(similar.similar[i].similarity <= similar.similar[i - 1].similarity);
  }
  // The same movie still waits: info names it.
  CHECK(only<InfoEvent>(f.say("i")).movie.movie_id == first.movie.movie_id);
  CHECK(f.handler.session().counts().skips == 0);
}

TEST_CASE("m TITLE names any catalog movie; its sequel comes first") {
  Fixture f;
  f.start();
  const SimilarEvent toy = only<SimilarEvent>(f.say("M  toy story (1995)"));
  CHECK(toy.movie.movie_id == kToyStory);
  REQUIRE(toy.similar.size() >= 2);
  CHECK(toy.similar[0].movie.movie_id == kToyStory2);
  CHECK(toy.similar[0].movie.title == "Toy Story 2 (1999)");
  CHECK(toy.similar[0].genres == std::vector<std::string>{"Animation", "Children", "Comedy"});
  CHECK(toy.similar[1].movie.movie_id == kAmelie);

  const json event = to_json(ReplEvent(toy));
  CHECK(event["event"] == "similar");
  CHECK(event["movie_id"] == kToyStory);
  CHECK(event["similar"][0]["movie_id"] == kToyStory2);
  CHECK(event["similar"][0]["genres"] == json({"Animation", "Children", "Comedy"}));
  CHECK(event.dump().find("\"similarity\":") != std::string::npos);

  const ErrorEvent outside = only<ErrorEvent>(f.say("m Heat (1972)"));
  CHECK(outside.code == ErrorCode::kNotInCatalog);
  CHECK(outside.message.find("3 ratings") != std::string::npos);
  CHECK(only<ErrorEvent>(f.say("m qwxzv")).code == ErrorCode::kNotFound);
  // "heat" is two films, but one in the catalog; "toy story" is two in it.
  CHECK(only<SimilarEvent>(f.say("m heat")).movie.movie_id == kHeat);
  const ErrorEvent several = only<ErrorEvent>(f.say("m toy story"));
  CHECK(several.message.find("Several movies match") != std::string::npos);
  CHECK(several.message.find("Toy Story 2 (1999)") != std::string::npos);
}

TEST_CASE("films sharing a title and year are both offered, told apart, never one picked") {
  const Model model = shared_title_model();
  LineHandler handler(model, TitleIndex(title_entries(model.catalog())), fixture_policy(), 1);
  const ChoicesEvent choices = only<ChoicesEvent>(handler.handle("Emma (1996)"));
  CHECK(choices.reason == ChoicesReason::kAmbiguous);
  REQUIRE(choices.options.size() == 2);
  CHECK(choices.options[0].movie_id == 838);  // the more rated first
  REQUIRE(choices.notes.size() == 2);
  CHECK(choices.notes[0] == "Comedy, Drama, Romance; IMDb tt0116191");
  CHECK(choices.notes[1] == "Romance; IMDb tt0118308");
  const json event = to_json(ReplEvent(choices));
  CHECK(event["options"][1]["note"] == "Romance; IMDb tt0118308");
  CHECK(only<FavouriteEvent>(handler.handle("2")).movie.movie_id == 26958);

  // A namesake outside the catalog is not offered, but the one offered says which it is.
  const Model one = shared_title_model(false);
  LineHandler single(one, TitleIndex(title_entries(one.catalog())), fixture_policy(), 1);
  const ChoicesEvent offered = only<ChoicesEvent>(single.handle("emma 1996"));
  REQUIRE(offered.options.size() == 1);
  CHECK(offered.outside_catalog);
  REQUIRE(offered.notes.size() == 1);
  CHECK(offered.notes[0] == "Comedy, Drama, Romance; IMDb tt0116191");

  // A list without shared titles has no notes, and no "note" keys.
  Fixture f;
  const ChoicesEvent plain = only<ChoicesEvent>(f.say("toy story"));
  CHECK(plain.notes.empty());
  CHECK(to_json(ReplEvent(plain)).dump().find("\"note\"") == std::string::npos);
}

TEST_CASE("m is a title while favourites are asked for") {
  Fixture f;
  for (const ReplEvent& event : f.say("m")) CHECK_FALSE(std::holds_alternative<SimilarEvent>(event));
}

TEST_CASE("a known user's session asks no favourites and recommends what they did not rate") {
  Fixture f;
  const KnownUsers users(f.model, fixture_train());
  CHECK(f.handler.opening().empty());
  f.handler.start_known(*users.start(f.model, 1));
  const std::vector<ReplEvent> opening = f.handler.opening();
  const RecommendationEvent first = only<RecommendationEvent>(opening);
  CHECK(first.number == 1);
  CHECK(first.movie.movie_id != kMatrix);
  CHECK(first.movie.movie_id != kAlien);
  CHECK(first.movie.movie_id != kToyStory);
  CHECK(f.handler.opening().empty());  // once
  CHECK(f.handler.prompt().kind == ReplPrompt::Kind::kAnswer);
  CHECK(holds<RecommendationEvent>(f.say("y"), 0));
}

}  // namespace
}  // namespace movierec

namespace movierec {
namespace {

TEST_CASE("i says how much evidence the movie's vector has") {
  test::Fixture f;
  const RecommendationEvent first = test::only<RecommendationEvent>(f.start(), 1);
  const InfoEvent info = test::only<InfoEvent>(f.say("i"));
  const std::size_t row = *f.model.artifacts().movie_map.row(first.movie.movie_id);
  CHECK(info.evidence.ratings == f.model.popularity()[row]);
  CHECK(info.evidence.ratings > 0);
  CHECK(info.evidence.source == Evidence::kTrained);
  CHECK(to_json(ReplEvent(info))["evidence_ratings"] == info.evidence.ratings);
  CHECK(to_json(ReplEvent(info))["evidence"] == "trained");
}

}  // namespace
}  // namespace movierec
