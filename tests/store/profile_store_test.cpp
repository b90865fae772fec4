// The profile store's one suite, run against every backend (store_backends.hpp): what is
// stored and read back, in order; undo and changed favourites; idempotent retries; refused names;
// many threads on one store object.
#include "movierec/store/profile_store.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "store_backends.hpp"

using namespace movierec;
using movierec::testing::Backend;
using movierec::testing::StoreFixture;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000;

std::vector<std::int32_t> movies_of(const Profile& profile, AnswerKind kind) {
  std::vector<std::int32_t> movies;
  for (const Answer& answer : profile.answers) {
    if (answer.kind == kind) movies.push_back(answer.movie_id);
  }
  return movies;
}

void new_store_is_empty(Backend backend) {
  const StoreFixture fixture(backend);
  const auto store = fixture.open();
  CHECK(store->list_profiles().empty());
  CHECK_FALSE(store->load_profile("ana").has_value());
  CHECK_FALSE(store->delete_profile("ana"));
  CHECK_FALSE(store->remove_answer("ana", 1).has_value());
  CHECK(store->list_profiles().empty());  // none of the calls above created a profile
}

void answers_come_back_in_order(Backend backend) {
  const StoreFixture fixture(backend);
  const auto store = fixture.open();
  std::vector<Answer> written;
  for (int slot = 1; slot <= kFavouriteSlots; ++slot) {
    written.push_back(store->set_favourite("ana", slot, 100 + slot, kT0 + slot));
  }
  written.push_back(store->append_answer("ana", AnswerKind::kLike, 7, kT0 + 10));
  written.push_back(store->append_answer("ana", AnswerKind::kDislike, 3, kT0 + 11));
  written.push_back(store->append_answer("ana", AnswerKind::kSkip, 9, kT0 + 11));
  written.push_back(store->append_answer("ana", AnswerKind::kWatch, 5, kT0 + 12));
  written.push_back(store->append_answer("ana", AnswerKind::kLike, 2, kT0 + 9));  // clock went back
  store->append_answer("bo.b_2-x", AnswerKind::kLike, 7, kT0);

  for (std::size_t i = 0; i < written.size(); ++i) {
    CHECK(written[i].seq == static_cast<std::int64_t>(i + 1));
  }
  const auto profile = store->load_profile("ana");
  REQUIRE(profile.has_value());
  CHECK(profile->name == "ana");
  CHECK(profile->created_at == kT0 + 1);
  CHECK(profile->answers == written);
  CHECK(profile->has_all_favourites());
  CHECK(profile->favourites()[2]->movie_id == 103);
  CHECK(profile->favourites()[2]->slot == 3);
  CHECK(movies_of(*profile, AnswerKind::kLike) == std::vector<std::int32_t>{7, 2});
  CHECK(profile->count(AnswerKind::kWatch) == 1);

  const auto list = store->list_profiles();
  REQUIRE(list.size() == 2);
  CHECK(list[0].name == "ana");
  CHECK(list[1].name == "bo.b_2-x");
  CHECK(list[0].count(AnswerKind::kFavourite) == 4);
  CHECK(list[0].count(AnswerKind::kLike) == 2);
  CHECK(list[0].count(AnswerKind::kDislike) == 1);
  CHECK(list[0].count(AnswerKind::kSkip) == 1);
  CHECK(list[0].count(AnswerKind::kWatch) == 1);
  CHECK(list[0].last_answer_at == kT0 + 12);
  CHECK(list[1].count(AnswerKind::kLike) == 1);
}

void append_is_idempotent(Backend backend) {
  const StoreFixture fixture(backend);
  const auto store = fixture.open();
  const Answer first = store->append_answer("ana", AnswerKind::kLike, 7, kT0);
  const Answer again = store->append_answer("ana", AnswerKind::kLike, 7, kT0);
  CHECK(again == first);
  // The same movie answered otherwise, or later, is a new answer.
  CHECK(store->append_answer("ana", AnswerKind::kDislike, 7, kT0).seq == 2);
  CHECK(store->append_answer("ana", AnswerKind::kLike, 7, kT0 + 1).seq == 3);
  CHECK(store->load_profile("ana")->answers.size() == 3);
}

void favourites_change(Backend backend) {
  const StoreFixture fixture(backend);
  const auto store = fixture.open();
  for (int slot = 1; slot <= kFavouriteSlots; ++slot) store->set_favourite("ana", slot, slot, kT0);
  store->append_answer("ana", AnswerKind::kLike, 50, kT0 + 1);
  const Answer changed = store->set_favourite("ana", 2, 20, kT0 + 2);
  CHECK(changed.seq == 6);
  CHECK(changed.slot == 2);
  CHECK(store->set_favourite("ana", 2, 20, kT0 + 3) == changed);  // a retry changes nothing
  CHECK_THROWS_AS(store->set_favourite("ana", 3, 1, kT0), ProfileInputError);  // slot 1 has it
  const auto profile = store->load_profile("ana");
  REQUIRE(profile.has_value());
  CHECK(movies_of(*profile, AnswerKind::kFavourite) == std::vector<std::int32_t>{1, 3, 4, 20});
  CHECK(profile->favourites()[1] == changed);
  CHECK(profile->answers.size() == 5);
  CHECK_FALSE(store->load_profile("bo").has_value());
  store->set_favourite("bo", 4, 1, kT0);
  CHECK_FALSE(store->load_profile("bo")->has_all_favourites());
}

void undo_removes_the_named_answer(Backend backend) {
  const StoreFixture fixture(backend);
  const auto store = fixture.open();
  store->set_favourite("ana", 1, 1, kT0);
  const Answer like = store->append_answer("ana", AnswerKind::kLike, 7, kT0 + 1);
  const Answer dislike = store->append_answer("ana", AnswerKind::kDislike, 8, kT0 + 2);
  CHECK(store->remove_answer("ana", dislike.seq) == dislike);
  CHECK_FALSE(store->remove_answer("ana", dislike.seq).has_value());   // a retry: already gone
  CHECK_FALSE(store->remove_answer("bo", like.seq).has_value());       // another profile's seq
  CHECK_THROWS_AS(store->remove_answer("ana", 1), ProfileInputError);  // a favourite
  // The seq of an undone answer is never handed out again.
  CHECK(store->append_answer("ana", AnswerKind::kSkip, 8, kT0 + 3).seq == dislike.seq + 1);
  const auto profile = store->load_profile("ana");
  REQUIRE(profile->answers.size() == 3);
  CHECK(profile->answers[1] == like);
  CHECK(profile->answers[2].kind == AnswerKind::kSkip);
}

void delete_removes_one_profile(Backend backend) {
  const StoreFixture fixture(backend);
  const auto store = fixture.open();
  store->append_answer("ana", AnswerKind::kLike, 7, kT0);
  store->set_favourite("ana", 1, 8, kT0);
  store->append_answer("bo", AnswerKind::kLike, 7, kT0);
  CHECK(store->delete_profile("ana"));
  CHECK_FALSE(store->delete_profile("ana"));
  CHECK_FALSE(store->load_profile("ana").has_value());
  REQUIRE(store->list_profiles().size() == 1);
  CHECK(store->load_profile("bo")->answers.size() == 1);
  // A deleted name starts afresh.
  CHECK(store->append_answer("ana", AnswerKind::kSkip, 1, kT0).seq == 1);
}

void bad_input_is_refused(Backend backend) {
  const StoreFixture fixture(backend);
  const auto store = fixture.open();
  store->append_answer("ana", AnswerKind::kLike, 7, kT0);
  const std::vector<std::string> names = {
      "",         std::string(65, 'a'),   "a b", "ana'--", "x;DROP TABLE answers",
      "\xc3\xa4", std::string("a\0b", 3), "a/b"};
  for (const std::string& name : names) {
    INFO("name: " << name);
    CHECK_THROWS_AS(store->append_answer(name, AnswerKind::kLike, 1, kT0), ProfileInputError);
    CHECK_THROWS_AS(store->load_profile(name), ProfileInputError);
    CHECK_THROWS_AS(store->delete_profile(name), ProfileInputError);
  }
  CHECK_THROWS_WITH(store->append_answer("a b", AnswerKind::kLike, 1, kT0),
                    Catch::Contains("1 to 64 letters, digits, '-', '_' or '.'") &&
                        Catch::Contains("character 2"));
  CHECK_THROWS_AS(store->append_answer("ana", AnswerKind::kFavourite, 1, kT0), ProfileInputError);
  CHECK_THROWS_AS(store->append_answer("ana", AnswerKind::kLike, 0, kT0), ProfileInputError);
  CHECK_THROWS_AS(store->append_answer("ana", AnswerKind::kLike, 1, -1), ProfileInputError);
  CHECK_THROWS_AS(store->set_favourite("ana", 0, 1, kT0), ProfileInputError);
  CHECK_THROWS_AS(store->set_favourite("ana", kFavouriteSlots + 1, 1, kT0), ProfileInputError);
  CHECK(store->append_answer(std::string(64, 'z'), AnswerKind::kLike, 1, kT0).seq == 1);
  const auto list = store->list_profiles();
  REQUIRE(list.size() == 2);
  CHECK(store->load_profile("ana")->answers.size() == 1);
}

void threads_share_one_store(Backend backend) {
  const StoreFixture fixture(backend);
  const auto store = fixture.open();
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        store->append_answer("ana", AnswerKind::kLike, t * 1000 + i + 1, kT0 + i);
        store->load_profile("ana");
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const auto profile = store->load_profile("ana");
  REQUIRE(profile->answers.size() == kThreads * kEach);
  for (std::size_t i = 0; i < profile->answers.size(); ++i) {
    CHECK(profile->answers[i].seq == static_cast<std::int64_t>(i + 1));
  }
  // Each thread's answers in its own order.
  std::vector<int> next(kThreads, 1);
  for (const Answer& answer : profile->answers) {
    const int t = answer.movie_id / 1000;
    CHECK(answer.movie_id % 1000 == next[static_cast<std::size_t>(t)]++);
  }
}

void reopening_finds_everything(Backend backend) {
  const StoreFixture fixture(backend);
  std::vector<Answer> written;
  {
    const auto store = fixture.open();
    written.push_back(store->set_favourite("ana", 1, 5, kT0));
    written.push_back(store->append_answer("ana", AnswerKind::kWatch, 6, kT0 + 1));
  }
  CHECK(fixture.version() == std::to_string(kStoreSchemaVersion));
  const auto store = fixture.open();
  CHECK(store->load_profile("ana")->answers == written);
  CHECK(store->append_answer("ana", AnswerKind::kLike, 7, kT0 + 2).seq == 3);
}

}  // namespace

STORE_SUITE_CASE("a new store is empty and reads create nothing", new_store_is_empty)
STORE_SUITE_CASE("favourites and answers come back in order", answers_come_back_in_order)
STORE_SUITE_CASE("an answer appended twice is stored once", append_is_idempotent)
STORE_SUITE_CASE("a favourite can be changed, and is a favourite once", favourites_change)
STORE_SUITE_CASE("undo removes the answer it names", undo_removes_the_named_answer)
STORE_SUITE_CASE("delete_profile removes one profile and its answers", delete_removes_one_profile)
STORE_SUITE_CASE("bad names and arguments are refused and write nothing", bad_input_is_refused)
STORE_SUITE_CASE("threads share one store object", threads_share_one_store)
STORE_SHARED_CASE("a store opened again finds everything", reopening_finds_everything)

TEST_CASE("profile names: 1-64 letters, digits, '-', '_', '.'", "[store]") {
  CHECK(is_valid_profile_name("a"));
  CHECK(is_valid_profile_name("Ana-Maria_2.0"));
  CHECK(is_valid_profile_name(std::string(64, '9')));
  CHECK_FALSE(is_valid_profile_name(""));
  CHECK_FALSE(is_valid_profile_name(std::string(65, '9')));
  CHECK_FALSE(is_valid_profile_name("ana maria"));
  CHECK_FALSE(is_valid_profile_name("\xc3\xa9mile"));
  CHECK_THROWS_WITH(check_profile_name("ana\n"),
                    Catch::Contains("\"ana\\x0a\"") && Catch::Contains("character 4"));
  CHECK_THROWS_WITH(check_profile_name(std::string(70, 'x')), Catch::Contains("70 characters"));
  CHECK_THROWS_WITH(check_profile_name(""), Catch::Contains("empty profile name"));
}

TEST_CASE("answer kinds read and print as the schema spells them", "[store]") {
  for (std::size_t k = 0; k < kAnswerKinds; ++k) {
    const auto kind = static_cast<AnswerKind>(k);
    CHECK(parse_answer_kind(answer_kind_name(kind)) == kind);
  }
  CHECK(answer_kind_name(AnswerKind::kFavourite) == "favourite");
  CHECK_FALSE(parse_answer_kind("Like").has_value());
}

TEST_CASE("store specs (--profiles): a path, :memory: or a postgresql:// URL", "[store]") {
  CHECK(parse_store_spec("data/profiles.sqlite").kind == StoreSpec::Kind::kSqliteFile);
  CHECK(parse_store_spec("weird:name.sqlite").kind == StoreSpec::Kind::kSqliteFile);
  CHECK(parse_store_spec(":memory:").kind == StoreSpec::Kind::kSqliteMemory);
  const StoreSpec pg = parse_store_spec("postgresql://ana:s3cret@db.example:5433/movies");
  CHECK(pg.kind == StoreSpec::Kind::kPostgres);
  CHECK(pg.where == "postgresql://ana@db.example:5433/movies");  // no password in messages
  CHECK(parse_store_spec("postgres://h/d").kind == StoreSpec::Kind::kPostgres);
  CHECK_THROWS_AS(parse_store_spec("POSTGRES://h/d"), ProfileInputError);  // as libpq
  CHECK_THROWS_WITH(parse_store_spec(""), Catch::Contains("empty"));
  CHECK_THROWS_WITH(parse_store_spec("mysql://h/d"), Catch::Contains("unknown kind of database"));
  CHECK_THROWS_WITH(parse_store_spec("a\nb"), Catch::Contains("control characters"));
  CHECK_THROWS_AS(parse_store_spec("postgresql://h:notaport/d?%zz"), ProfileInputError);
}

TEST_CASE("store options are config keys with ranges", "[store]") {
  StoreOptions options;
  const auto fields = options.fields();
  apply_value(fields, "busy_timeout_ms", "250", "test");
  CHECK(options.busy_timeout_ms == 250);
  CHECK_THROWS_AS(apply_value(fields, "busy_retries", "-1", "test"), ConfigError);
}
