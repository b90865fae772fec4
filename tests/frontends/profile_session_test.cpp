// Sessions kept in profiles, on an in-memory SQLite store and the line handler's fixture model:
// a session quit and resumed holds the same user vector bit for bit and recommends nothing
// answered; a store that fails leaves the session as it was and a retry stores the answer once;
// "f N TITLE" changes a stored favourite; a profile the model was trained with starts from its
// trained vector and folds in only the answers given since; serve's routes do the same.
#include "movierec/frontends/profile_session.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "movierec/frontends/http_api.hpp"
#include "movierec/frontends/repl.hpp"
#include "repl_fixture.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

// A store that can be made to fail: kDown throws StoreUnavailable before anything is written;
// kLostAck writes, then throws as if the acknowledgement had been lost.
class FlakyStore : public ProfileStore {
 public:
  enum class Mode { kUp, kDown, kLostAck };
  FlakyStore() : ProfileStore("flaky"), inner_(open_profile_store(":memory:")) {}
  Mode mode = Mode::kUp;
  ProfileStore& inner() { return *inner_; }

 protected:
  std::vector<ProfileSummary> do_list() override {
    check();
    return inner_->list_profiles();
  }
  std::optional<Profile> do_load(const std::string& name) override {
    check();
    return inner_->load_profile(name);
  }
  Answer do_append(const std::string& name, const Answer& answer) override {
    check();
    Answer stored = inner_->append_answer(name, answer.kind, answer.movie_id, answer.answered_at);
    lost();
    return stored;
  }
  Answer do_set_favourite(const std::string& name, const Answer& favourite) override {
    check();
    Answer stored =
        inner_->set_favourite(name, favourite.slot, favourite.movie_id, favourite.answered_at);
    lost();
    return stored;
  }
  std::optional<Answer> do_remove(const std::string& name, std::int64_t seq) override {
    check();
    return inner_->remove_answer(name, seq);
  }
  bool do_delete(const std::string& name) override {
    check();
    return inner_->delete_profile(name);
  }

 private:
  void check() const {
    if (mode == Mode::kDown) throw StoreUnavailable("flaky: the server is gone");
  }
  void lost() const {
    if (mode == Mode::kLostAck) throw StoreUnavailable("flaky: the acknowledgement was lost");
  }
  std::unique_ptr<ProfileStore> inner_;
};

Profile stored_profile(ProfileStore& store, const std::string& name) {
  std::optional<Profile> profile = store.load_profile(name);
  REQUIRE(profile.has_value());
  return std::move(*profile);
}

std::vector<Answer> answers_of(ProfileStore& store, const std::string& name) {
  const Profile profile = stored_profile(store, name);
  std::vector<Answer> out;
  for (const Answer& answer : profile.answers) {
    if (answer.kind != AnswerKind::kFavourite) out.push_back(answer);
  }
  return out;
}

// The movie in favourite slot `slot` (1-4); 0 for an empty slot.
std::int32_t favourite_in(ProfileStore& store, const std::string& name, int slot) {
  const Profile profile = stored_profile(store, name);
  const auto favourites = profile.favourites();
  const std::optional<Answer> favourite = favourites[static_cast<std::size_t>(slot - 1)];
  return favourite ? favourite->movie_id : 0;
}

std::int32_t current_movie(const std::vector<ReplEvent>& events) {
  return std::get<RecommendationEvent>(events.back()).movie.movie_id;
}

}  // namespace

TEST_CASE("a profile's session quit and resumed: the same state, nothing answered again") {
  const auto store = open_profile_store(":memory:");
  Fixture first;
  first.handler.keep_profile(*store, "ana");
  const auto opening = first.handler.opening();
  const auto& created = only<ProfileEvent>(opening);
  CHECK_FALSE(created.restore.found);
  CHECK_FALSE(created.restore.resumed);
  CHECK(first.handler.opening().empty());  // once
  std::set<std::int32_t> answered;
  std::int32_t movie = current_movie(first.start());
  for (const char* typed : {"y", "n", "s", "y"}) {
    answered.insert(movie);
    movie = current_movie(first.say(typed));
  }
  const auto end = first.say("q");
  CHECK(only<EndEvent>(end).profile == "ana");
  const Profile stored = stored_profile(*store, "ana");
  CHECK(stored.has_all_favourites());
  CHECK(stored.count(AnswerKind::kLike) == 2);
  CHECK(stored.count(AnswerKind::kDislike) == 1);
  CHECK(stored.count(AnswerKind::kSkip) == 1);

  Fixture second;
  second.handler.keep_profile(*store, "ana");
  const auto resumed = second.handler.opening();
  REQUIRE(resumed.size() == 2);
  const auto& restore = only<ProfileEvent>(resumed).restore;
  CHECK(restore.resumed);
  CHECK(restore.answers == 4);
  CHECK(restore.counts.likes == 2);
  CHECK_FALSE(restore.trained_user);
  CHECK(only<ProfileEvent>(resumed).favourites.size() == 4);
  const Session& before = first.handler.session();
  const Session& after = second.handler.session();
  CHECK(after.favourites() == before.favourites());
  CHECK(after.liked() == before.liked());
  CHECK(after.disliked() == before.disliked());
  CHECK(after.user_vector() == before.user_vector());  // bit for bit
  CHECK(current_movie(resumed) == movie);  // the movie that waited when the first session ended
  for (int i = 0; i < 6 && second.handler.session().candidates_left() > 1; ++i) {
    const auto events = second.say("s");
    if (!holds<RecommendationEvent>(events, 0)) break;
    CHECK(answered.count(current_movie(events)) == 0);
  }
}

TEST_CASE("without a profile nothing is kept and the end says so") {
  Fixture f;
  CHECK(f.handler.opening().empty());
  f.start();
  f.say("y");
  CHECK(only<EndEvent>(f.say("q")).profile.empty());
  CHECK(f.handler.profile() == nullptr);
}

TEST_CASE("a store that fails leaves the session as it was; a retry stores the answer once") {
  FlakyStore store;
  Fixture f;
  f.handler.keep_profile(store, "bo");
  f.handler.opening();
  const std::int32_t waiting = current_movie(f.start());

  SECTION("the server is gone") { store.mode = FlakyStore::Mode::kDown; }
  SECTION("the acknowledgement is lost") { store.mode = FlakyStore::Mode::kLostAck; }
  const auto error = f.say("y");
  CHECK(only<ErrorEvent>(error).code == ErrorCode::kStore);
  CHECK(only<ErrorEvent>(error).movie->movie_id == waiting);
  CHECK(f.handler.session().history().empty());
  CHECK(only<InfoEvent>(f.say("i")).movie.movie_id == waiting);

  store.mode = FlakyStore::Mode::kUp;
  const auto next = f.say("y");
  CHECK(current_movie(next) != waiting);
  CHECK(f.handler.session().counts().likes == 1);
  const auto stored = answers_of(store.inner(), "bo");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].movie_id == waiting);
  CHECK(stored[0].kind == AnswerKind::kLike);
}

TEST_CASE("a favourite that cannot be stored is not added") {
  FlakyStore store;
  Fixture f;
  f.handler.keep_profile(store, "cy");
  store.mode = FlakyStore::Mode::kDown;
  CHECK(only<ErrorEvent>(f.say("The Matrix (1999)")).code == ErrorCode::kStore);
  CHECK(f.handler.session().favourites().empty());
  store.mode = FlakyStore::Mode::kUp;
  CHECK(only<FavouriteEvent>(f.say("The Matrix (1999)")).number == 1);
  CHECK(favourite_in(store.inner(), "cy", 1) == kMatrix);
}

TEST_CASE("f N TITLE changes a favourite, in the session and in its slot") {
  const auto store = open_profile_store(":memory:");
  Fixture f;
  f.handler.keep_profile(*store, "di");
  f.start();
  const auto events = f.say("f 2 heat 1995");
  const auto& changed = only<FavouriteEvent>(events);
  CHECK(changed.number == 2);
  CHECK(changed.movie.movie_id == kHeat);
  REQUIRE(changed.replaced);
  CHECK(changed.replaced->movie_id == kPulpFiction);
  CHECK(holds<RecommendationEvent>(events, 1));
  CHECK(f.handler.session().favourites()[1] == *f.model.artifacts().movie_map.row(kHeat));
  CHECK(favourite_in(*store, "di", 2) == kHeat);

  CHECK(only<ErrorEvent>(f.say("f 1 heat 1995")).code == ErrorCode::kDuplicate);
  CHECK(only<ErrorEvent>(f.say("f 7 fargo")).code == ErrorCode::kUnknownAnswer);
  CHECK(only<ErrorEvent>(f.say("f")).code == ErrorCode::kUnknownAnswer);
  SECTION("an ambiguous title offers choices, and a number picks") {
    const auto choices = f.say("f 3 toy story");
    CHECK(only<ChoicesEvent>(choices).options.size() == 2);
    const auto picked = f.say("2");
    CHECK(only<FavouriteEvent>(picked).movie.movie_id == kToyStory2);
    CHECK(favourite_in(*store, "di", 3) == kToyStory2);
  }
  SECTION("after choices, an answer is still an answer") {
    f.say("f 3 toy story");
    CHECK(holds<RecommendationEvent>(f.say("y"), 0));
    CHECK(f.handler.session().counts().likes == 1);
  }
}

TEST_CASE("a profile the model was trained with starts from its vector, with the answers since") {
  ModelParts parts = fixture_parts();
  constexpr std::int32_t kUser = 1000;
  constexpr std::int64_t kTrainedAt = 1735689600;  // 2025-01-01T00:00:00Z
  parts.processed_manifest = {{"created", "2025-01-01T00:00:00Z"}, {"profiles", {{"eve", kUser}}}};
  parts.artifacts.user_map = IdMap(std::vector<std::int32_t>{kUser});
  parts.artifacts.user_embeddings.resize(1, 3);
  parts.artifacts.user_embeddings(0, 0) = 0.25f;
  parts.artifacts.user_embeddings(0, 1) = -0.5f;
  parts.artifacts.user_embeddings(0, 2) = 1.0f;
  const Model model = Model::build(std::move(parts));
  CHECK(trained_profile_user(model, "eve") == kUser);
  CHECK_FALSE(trained_profile_user(model, "someone"));
  CHECK(processed_time(model) == kTrainedAt);

  const auto store = open_profile_store(":memory:");
  const std::int32_t favourites[] = {kMatrix, kPulpFiction, kForrestGump, kFargo};
  for (int slot = 1; slot <= 4; ++slot) {
    store->set_favourite("eve", slot, favourites[slot - 1], kTrainedAt - 100);
  }
  store->append_answer("eve", AnswerKind::kLike, kHeat, kTrainedAt - 50);        // trained
  store->append_answer("eve", AnswerKind::kDislike, kToyStory, kTrainedAt + 5);  // since
  Session session(model, fixture_policy(), 1);
  const ProfileRestore restore = restore_profile(session, stored_profile(*store, "eve"));
  CHECK(restore.resumed);
  CHECK(restore.trained_user == kUser);
  CHECK(restore.answers == 2);
  CHECK(restore.since_training == 1);
  CHECK(restore.counts.likes == 1);
  CHECK(restore.counts.dislikes == 1);
  CHECK(session.history().size() == 1);  // only the answer since training is applied
  CHECK(session.seen(*model.artifacts().movie_map.row(kHeat)));
  CHECK(session.seen(*model.artifacts().movie_map.row(kToyStory)));

  // The same start by hand: the trained vector, then the dislike.
  Session by_hand(model, fixture_policy(), 1);
  KnownStart start;
  start.vector = Eigen::Vector3d(0.25, -0.5, 1.0);
  for (const std::int32_t id : favourites)
    start.favourites.push_back(*model.artifacts().movie_map.row(id));
  start.liked = start.favourites;
  start.seen = {*model.artifacts().movie_map.row(kHeat)};
  start.liked.push_back(start.seen[0]);
  by_hand.start_known(start);
  by_hand.answer(*model.artifacts().movie_map.row(kToyStory), Feedback::kDislike);
  CHECK(session.user_vector() == by_hand.user_vector());
}

TEST_CASE("u takes back this session's answers, in the store too, never a restored one") {
  const auto store = open_profile_store(":memory:");
  {
    Fixture first;
    first.handler.keep_profile(*store, "ana");
    first.handler.opening();
    first.start();
    first.say("y");
    first.say("q");
  }
  REQUIRE(answers_of(*store, "ana").size() == 1);
  Fixture second;
  second.handler.keep_profile(*store, "ana");
  second.handler.opening();
  const auto refused = second.say("u");
  CHECK(only<ErrorEvent>(refused).code == ErrorCode::kNothingToUndo);
  CHECK(answers_of(*store, "ana").size() == 1);
  CHECK(second.handler.session().liked().size() == 1);  // the restored like stays
  second.say("n");
  REQUIRE(answers_of(*store, "ana").size() == 2);
  const auto undone = second.say("u");
  CHECK(holds<UndoneEvent>(undone, 0));
  CHECK(answers_of(*store, "ana").size() == 1);
  CHECK(second.handler.session().disliked().empty());
  CHECK(only<ErrorEvent>(second.say("u")).code == ErrorCode::kNothingToUndo);
}

TEST_CASE("ProfileRecorder: a name checked, an undo removes the last answer stored") {
  const auto store = open_profile_store(":memory:");
  CHECK_THROWS_AS(ProfileRecorder(*store, "no spaces"), ProfileInputError);
  ProfileRecorder recorder(*store, "fay");
  CHECK_FALSE(recorder.forget_last());
  recorder.answer(kHeat, Feedback::kLike);
  recorder.answer(kFargo, Feedback::kWatch);
  const std::optional<Answer> removed = recorder.forget_last();
  REQUIRE(removed);
  CHECK(removed->movie_id == kFargo);
  CHECK(removed->kind == AnswerKind::kWatch);
  REQUIRE(answers_of(*store, "fay").size() == 1);
  CHECK(answers_of(*store, "fay")[0].movie_id == kHeat);
}

TEST_CASE("serve keeps sessions in profiles: resume, change a favourite, a store that fails") {
  using Json = nlohmann::json;
  const Model model = fixture_model();
  const TitleIndex titles(title_entries(model.catalog()));
  HttpApi api(model, titles, fixture_policy(), ServeOptions{});
  FlakyStore store;
  const auto call = [&](const std::string& method, const std::string& path, const Json& body,
                        int status) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body.dump();
    const HttpResponse response = api.handle(request);
    INFO(response.body);
    CHECK(response.status == status);
    return Json::parse(response.body);
  };
  const Json four = {kMatrix, kPulpFiction, kForrestGump, kFargo};
  call("POST", "/api/sessions", {{"profile", "gil"}, {"favourites", four}}, 400);  // no store
  api.use_profiles(store);
  call("POST", "/api/sessions", {{"profile", "gil"}}, 404);
  call("POST", "/api/sessions", {{"profile", "a b"}, {"favourites", four}}, 400);
  const Json created =
      call("POST", "/api/sessions", {{"profile", "gil"}, {"favourites", four}, {"seed", 1}}, 201);
  CHECK(created["profile"]["found"] == false);
  const std::string sid = created["session_id"];
  const Json first = created["recommendation"];
  const Json next = call("POST", "/api/sessions/" + sid + "/answers",
                         {{"movie_id", first["movie_id"]}, {"answer", "like"}}, 200);
  call("POST", "/api/sessions", {{"profile", "gil"}, {"favourites", four}}, 409);

  // A movie neither answered nor a favourite, for the new favourite 2.
  std::int32_t fresh = 0;
  for (const std::int32_t id : {kHeat, kAmelie, kDieHard, kBladeRunner}) {
    if (id != first["movie_id"] && id != next["recommendation"]["movie_id"]) {
      fresh = id;
      break;
    }
  }
  store.mode = FlakyStore::Mode::kDown;
  call("POST", "/api/sessions/" + sid + "/answers",
       {{"movie_id", next["recommendation"]["movie_id"]}, {"answer", "dislike"}}, 503);
  CHECK(call("GET", "/api/sessions/" + sid, Json::object(), 200)["counts"]["dislikes"] == 0);
  call("PUT", "/api/sessions/" + sid + "/favourites/2", {{"movie_id", fresh}}, 503);
  store.mode = FlakyStore::Mode::kUp;
  call("POST", "/api/sessions/" + sid + "/answers",
       {{"movie_id", next["recommendation"]["movie_id"]}, {"answer", "dislike"}}, 200);

  const Json changed =
      call("PUT", "/api/sessions/" + sid + "/favourites/2", {{"movie_id", fresh}}, 200);
  CHECK(changed["replaced"]["movie_id"] == kPulpFiction);
  CHECK(changed["favourites"][1]["movie_id"] == fresh);
  call("PUT", "/api/sessions/" + sid + "/favourites/2", {{"movie_id", kMatrix}}, 409);
  call("PUT", "/api/sessions/" + sid + "/favourites/5", {{"movie_id", kToyStory}}, 400);
  CHECK(favourite_in(store.inner(), "gil", 2) == fresh);

  const Json resumed = call("POST", "/api/sessions", {{"profile", "gil"}}, 201);
  CHECK(resumed["profile"]["resumed"] == true);
  CHECK(resumed["profile"]["answers"] == 2);
  CHECK(resumed["favourites"][1]["movie_id"] == fresh);
  CHECK(resumed["recommendation"]["movie_id"] != first["movie_id"]);
  CHECK(resumed["recommendation"]["movie_id"] != next["recommendation"]["movie_id"]);
  const std::string again = resumed["session_id"];
  CHECK(call("GET", "/api/sessions/" + again, Json::object(), 200)["profile"] == "gil");

  // Undo: never a restored answer; this session's, from the store too (a store that fails
  // leaves both as they were).
  call("POST", "/api/sessions/" + again + "/undo", Json::object(), 409);
  call("POST", "/api/sessions/" + again + "/answers",
       {{"movie_id", resumed["recommendation"]["movie_id"]}, {"answer", "like"}}, 200);
  REQUIRE(answers_of(store.inner(), "gil").size() == 3);
  store.mode = FlakyStore::Mode::kDown;
  call("POST", "/api/sessions/" + again + "/undo", Json::object(), 503);
  CHECK(call("GET", "/api/sessions/" + again, Json::object(), 200)["counts"]["likes"] == 2);
  store.mode = FlakyStore::Mode::kUp;
  call("POST", "/api/sessions/" + again + "/undo", Json::object(), 200);
  CHECK(answers_of(store.inner(), "gil").size() == 2);
  CHECK(call("GET", "/api/sessions/" + again, Json::object(), 200)["counts"]["likes"] == 1);
}
