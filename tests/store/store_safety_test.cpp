// Nothing lost, nothing let in: a writer killed with SIGKILL right after acknowledged writes, two
// writer processes on one store, files that are not profile stores (foreign, damaged, newer),
// the migration of version 1, a SQLite file locked by another writer, and a PostgreSQL server
// that goes away and comes back.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "movierec/store/profile_store.hpp"
#include "store_backends.hpp"

using namespace movierec;
using movierec::testing::Backend;
using movierec::testing::StoreFixture;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kSafetyT0 = 1'700'000'000;

// Reads whole int64 values from a pipe until it is closed.
std::vector<std::int64_t> read_all_values(int fd) {
  std::vector<std::int64_t> values;
  std::int64_t value = 0;
  while (::read(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value)) {
    values.push_back(value);
  }
  return values;
}

void killed_writer_loses_nothing_acknowledged(Backend backend) {
  const StoreFixture fixture(backend);
  fixture.open()->set_favourite("ana", 1, 1, kSafetyT0);  // the tables exist before the child starts
  int acks[2];
  REQUIRE(::pipe(acks) == 0);
  const pid_t child = testing::fork_child([&] {
    ::close(acks[0]);
    const auto store = fixture.open();
    for (std::int32_t movie = 2;; ++movie) {
      const Answer answer = store->append_answer("ana", AnswerKind::kLike, movie, kSafetyT0 + movie);
      if (::write(acks[1], &answer.seq, sizeof answer.seq) != sizeof answer.seq) return;
    }
  });
  ::close(acks[1]);
  // Kill it right after its 20th acknowledgement, in the middle of whatever it does next.
  std::vector<std::int64_t> acknowledged;
  std::int64_t seq = 0;
  while (acknowledged.size() < 20 && ::read(acks[0], &seq, sizeof seq) == sizeof seq) {
    acknowledged.push_back(seq);
  }
  ::kill(child, SIGKILL);
  const int status = testing::wait_child(child);
  CHECK(WIFSIGNALED(status));
  for (std::int64_t more : read_all_values(acks[0])) acknowledged.push_back(more);
  ::close(acks[0]);
  REQUIRE(acknowledged.size() >= 20);

  const auto profile = fixture.open()->load_profile("ana");
  REQUIRE(profile.has_value());
  std::set<std::int64_t> stored;
  for (const Answer& answer : profile->answers) stored.insert(answer.seq);
  for (std::int64_t ack : acknowledged) {
    INFO("acknowledged seq " << ack);
    CHECK(stored.count(ack) == 1);
  }
  // In order, and at most the one unacknowledged answer beyond them.
  CHECK(profile->answers.size() <= acknowledged.size() + 2);
  for (std::size_t i = 1; i < profile->answers.size(); ++i) {
    CHECK(profile->answers[i].seq > profile->answers[i - 1].seq);
    CHECK(profile->answers[i].movie_id == static_cast<std::int32_t>(i + 1));
  }
}

void two_writer_processes(Backend backend) {
  const StoreFixture fixture(backend);
  fixture.open();  // the tables exist before the children start
  constexpr int kEach = 40;
  int start[2];
  REQUIRE(::pipe(start) == 0);
  std::vector<pid_t> children;
  for (int writer = 0; writer < 2; ++writer) {
    children.push_back(testing::fork_child([&, writer] {
      ::close(start[1]);
      char go = 0;
      if (::read(start[0], &go, 1) != 0) return;  // both start when the pipe closes
      const auto store = fixture.open();
      for (int i = 1; i <= kEach; ++i) {
        store->append_answer("shared", AnswerKind::kLike, writer * 1000 + i, kSafetyT0 + i);
        store->append_answer("own-" + std::to_string(writer), AnswerKind::kSkip, i, kSafetyT0 + i);
      }
    }));
  }
  ::close(start[0]);
  ::close(start[1]);
  for (pid_t child : children) CHECK(testing::wait_child(child) == 0);

  const auto store = fixture.open();
  const auto shared = store->load_profile("shared");
  REQUIRE(shared.has_value());
  REQUIRE(shared->answers.size() == 2 * kEach);
  int next[2] = {1, 1};
  for (std::size_t i = 0; i < shared->answers.size(); ++i) {
    const Answer& answer = shared->answers[i];
    CHECK(answer.seq == static_cast<std::int64_t>(i + 1));
    CHECK(answer.movie_id % 1000 == next[answer.movie_id / 1000]++);
  }
  CHECK(next[0] == kEach + 1);
  CHECK(next[1] == kEach + 1);
  CHECK(store->load_profile("own-0")->answers.size() == kEach);
  CHECK(store->load_profile("own-1")->answers.size() == kEach);
}

// A version-1 store: answers(id, profile, movie_id, answer, answered_at), ordered by id.
void make_version_1(const StoreFixture& fixture, const std::string& rows) {
  if (fixture.backend() == Backend::kPostgres) {
    fixture.raw(
        "CREATE TABLE movierec_schema (version INTEGER NOT NULL);"
        "INSERT INTO movierec_schema VALUES (1);"
        "CREATE TABLE answers (id BIGSERIAL PRIMARY KEY, profile TEXT NOT NULL, "
        "movie_id INTEGER NOT NULL, answer TEXT NOT NULL, answered_at BIGINT NOT NULL);" +
        rows);
  } else {
    fixture.raw("PRAGMA application_id = " + std::to_string(kSqliteApplicationId) +
                "; PRAGMA user_version = 1;"
                "CREATE TABLE answers (id INTEGER PRIMARY KEY, profile TEXT NOT NULL, "
                "movie_id INTEGER NOT NULL, answer TEXT NOT NULL, answered_at INTEGER NOT NULL);" +
                rows);
  }
}

std::string v1_row(const std::string& profile, int movie, const std::string& answer, int at) {
  return "INSERT INTO answers (profile, movie_id, answer, answered_at) VALUES ('" + profile +
         "', " + std::to_string(movie) + ", '" + answer + "', " + std::to_string(kSafetyT0 + at) + ");";
}

void version_1_is_migrated(Backend backend) {
  const StoreFixture fixture(backend);
  std::string rows;
  for (int m = 1; m <= 4; ++m) rows += v1_row("ana", m, "favourite", m);
  rows += v1_row("bo", 9, "like", 0) + v1_row("ana", 10, "like", 20) +
          v1_row("ana", 11, "dislike", 8) + v1_row("bo", 12, "skip", 1) +
          v1_row("ana", 13, "skip", 30);
  make_version_1(fixture, rows);
  CHECK(fixture.version() == "1");
  const auto store = fixture.open();
  CHECK(fixture.version() == std::to_string(kStoreSchemaVersion));
  const auto ana = store->load_profile("ana");
  REQUIRE(ana.has_value());
  CHECK(ana->created_at == kSafetyT0 + 1);
  REQUIRE(ana->answers.size() == 7);
  std::vector<std::int32_t> movies;
  for (std::size_t i = 0; i < ana->answers.size(); ++i) {
    CHECK(ana->answers[i].seq == static_cast<std::int64_t>(i + 1));
    movies.push_back(ana->answers[i].movie_id);
  }
  CHECK(movies == std::vector<std::int32_t>{1, 2, 3, 4, 10, 11, 13});  // by id, not by time
  CHECK(ana->has_all_favourites());
  CHECK(ana->favourites()[3]->movie_id == 4);
  CHECK(ana->answers[5].kind == AnswerKind::kDislike);
  CHECK(store->load_profile("bo")->answers.size() == 2);
  CHECK(store->append_answer("ana", AnswerKind::kWatch, 14, kSafetyT0 + 40).seq == 8);
  // Opened again: version 2 as it is.
  CHECK(fixture.open()->load_profile("ana")->answers.size() == 8);
}

void bad_version_1_is_refused(Backend backend) {
  const StoreFixture fixture(backend);
  std::string rows;
  for (int m = 1; m <= 5; ++m) rows += v1_row("ana", m, "favourite", m);  // a fifth favourite
  make_version_1(fixture, rows);
  CHECK_THROWS_WITH(fixture.open(),
                    Catch::Contains("cannot migrate") && Catch::Contains("it was left as it is"));
  CHECK(fixture.version() == "1");  // rolled back whole
  CHECK(fixture.raw("SELECT COUNT(*) FROM answers") == "5");
}

void newer_or_foreign_is_refused(Backend backend) {
  {
    const StoreFixture fixture(backend);
    fixture.open()->append_answer("ana", AnswerKind::kLike, 1, kSafetyT0);
    fixture.raw(backend == Backend::kPostgres ? "UPDATE movierec_schema SET version = 3"
                                              : "PRAGMA user_version = 3");
    CHECK_THROWS_WITH(fixture.open(), Catch::Contains("version 3, newer than") &&
                                          Catch::Contains("use a newer movierec"));
    CHECK(fixture.version() == "3");
  }
  {
    const StoreFixture fixture(backend);
    fixture.raw("CREATE TABLE answers (question TEXT); INSERT INTO answers VALUES ('42')");
    CHECK_THROWS_WITH(fixture.open(), Catch::Contains("not a profile store"));
    CHECK(fixture.raw("SELECT question FROM answers") == "42");
  }
}

}  // namespace

STORE_SHARED_CASE("a writer killed with SIGKILL loses no acknowledged answer",
                  killed_writer_loses_nothing_acknowledged)
STORE_SHARED_CASE("two writer processes at once: ordered, nothing lost", two_writer_processes)
STORE_SHARED_CASE("a version-1 store is migrated in one transaction", version_1_is_migrated)
STORE_SHARED_CASE("a version-1 store that breaks version 2's rules is refused untouched",
                  bad_version_1_is_refused)
STORE_SHARED_CASE("a newer version or another program's tables are refused untouched",
                  newer_or_foreign_is_refused)

namespace {

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Opening `path` throws a StoreError naming it, and leaves it byte for byte as it was, with no
// WAL beside it.
void check_refused(const fs::path& path, const std::string& why) {
  const std::string before = file_bytes(path);
  CHECK_THROWS_WITH(open_profile_store(path.string()),
                    Catch::Contains(path.string()) && Catch::Contains(why));
  CHECK(file_bytes(path) == before);
  CHECK_FALSE(fs::exists(path.string() + "-wal"));
}

}  // namespace

TEST_CASE("SQLite files that are not profile stores are refused untouched", "[store]") {
  const testing::TempDir dir;
  const fs::path path = dir.path() / "profiles.sqlite";
  SECTION("a text file") {
    write_bytes(path, "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n");
    check_refused(path, "is not a SQLite database");
  }
  SECTION("random bytes") {
    std::string bytes(8192, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7919 % 251);
    write_bytes(path, bytes);
    check_refused(path, "is not a SQLite database");
  }
  SECTION("another program's database") {
    testing::StoreFixture other(Backend::kSqliteFile);
    other.raw("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    check_refused(other.file(), "not a profile store");
  }
  SECTION("another program's application_id") {
    testing::StoreFixture other(Backend::kSqliteFile);
    other.raw("PRAGMA application_id = 1234; PRAGMA user_version = 2;");
    check_refused(other.file(), "another program (application_id 0x000004d2)");
  }
  SECTION("a damaged store") {
    testing::StoreFixture fixture(Backend::kSqliteFile);
    {
      const auto store = fixture.open();
      for (int i = 1; i <= 400; ++i) {
        store->append_answer("profile-with-a-long-name-" + std::to_string(i % 7), AnswerKind::kLike,
                             i, kSafetyT0 + i);
      }
    }
    std::string bytes = file_bytes(fixture.file());
    REQUIRE(bytes.size() > 4 * 4096);
    for (std::size_t i = 2 * 4096; i < 3 * 4096; ++i) bytes[i] = static_cast<char>(0xa5);
    write_bytes(fixture.file(), bytes);
    check_refused(fixture.file(), "is damaged");
  }
  SECTION("a folder") {
    fs::create_directories(path);
    CHECK_THROWS_WITH(open_profile_store(path.string()), Catch::Contains("is not a file"));
  }
  SECTION("a missing file when it must exist") {
    CHECK_THROWS_WITH(open_profile_store(path.string(), {}, StoreOpen::kExisting),
                      Catch::Contains("no profile store at " + path.string()));
    CHECK_FALSE(fs::exists(path));
    CHECK_THROWS_WITH(open_profile_store((dir.path() / "no" / "p.sqlite").string()),
                      Catch::Contains("does not exist"));
  }
  SECTION("an empty file becomes a store") {
    write_bytes(path, "");
    open_profile_store(path.string())->append_answer("ana", AnswerKind::kLike, 1, kSafetyT0);
    CHECK(open_profile_store(path.string())->load_profile("ana")->answers.size() == 1);
  }
}

TEST_CASE("SQLite: a write waits for another writer, then asks for a retry", "[store]") {
  const StoreFixture fixture(Backend::kSqliteFile);
  StoreOptions options;
  options.busy_timeout_ms = 50;
  options.busy_retries = 1;
  const auto store = fixture.open(options);
  store->append_answer("ana", AnswerKind::kLike, 1, kSafetyT0);
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(fixture.spec().c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK_THROWS_AS(store->append_answer("ana", AnswerKind::kLike, 2, kSafetyT0), StoreUnavailable);
  CHECK_THROWS_WITH(store->append_answer("ana", AnswerKind::kLike, 2, kSafetyT0),
                    Catch::Contains("stayed locked") && Catch::Contains("try again"));
  CHECK(store->load_profile("ana")->answers.size() == 1);  // WAL: readers are not blocked
  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  CHECK(store->append_answer("ana", AnswerKind::kLike, 2, kSafetyT0).seq == 2);
}

TEST_CASE("PostgreSQL: a server that goes away and comes back", "[store][.postgres]") {
  const StoreFixture fixture(Backend::kPostgres);
  const auto store = fixture.open();
  store->set_favourite("ana", 1, 1, kSafetyT0);
  const Answer before = store->append_answer("ana", AnswerKind::kLike, 2, kSafetyT0 + 1);
  testing::run_env_command("MOVIEREC_TEST_POSTGRES_STOP");
  // The caller keeps its state: the call fails with a clear, typed error...
  CHECK_THROWS_AS(store->append_answer("ana", AnswerKind::kDislike, 3, kSafetyT0 + 2), StoreUnavailable);
  CHECK_THROWS_WITH(store->load_profile("ana"), Catch::Contains("retry when the server is back"));
  CHECK_THROWS_AS(open_profile_store(fixture.spec()), StoreUnavailable);
  testing::run_env_command("MOVIEREC_TEST_POSTGRES_START");
  // ...and the same call works once the server is back (the store reconnects by itself).
  const Answer after = store->append_answer("ana", AnswerKind::kDislike, 3, kSafetyT0 + 2);
  CHECK(after.seq == before.seq + 1);
  const auto profile = store->load_profile("ana");
  REQUIRE(profile->answers.size() == 3);
  CHECK(profile->answers[2] == after);
}
