// The backends the one store suite runs against: SQLite in memory, SQLite in a temporary file,
// and PostgreSQL in a schema of its own on the server that MOVIEREC_TEST_POSTGRES names (a
// libpq URL; tests/e2e/store_postgres.sh starts a throwaway cluster and sets it, with
// MOVIEREC_TEST_POSTGRES_STOP and MOVIEREC_TEST_POSTGRES_START, the commands that stop and start
// that server). PostgreSQL cases carry the hidden tag [postgres]: ctest's unit tests leave
// hidden cases out (~[.]) and the script runs them.
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "movielens_test_support.hpp"
#include "movierec/store/profile_store.hpp"

namespace movierec::testing {

enum class Backend { kSqliteMemory, kSqliteFile, kPostgres };

// The PostgreSQL server of the tests; fails the test when none is configured.
inline std::string postgres_url() {
  const char* url = std::getenv("MOVIEREC_TEST_POSTGRES");
  if (url == nullptr || *url == '\0') {
    FAIL(
        "MOVIEREC_TEST_POSTGRES is not set: run tests/e2e/store_postgres.sh, which starts a "
        "PostgreSQL server for these cases");
  }
  return url;
}

// Runs a command of the environment (MOVIEREC_TEST_POSTGRES_STOP, ..._START).
inline void run_env_command(const char* variable) {
  const char* command = std::getenv(variable);
  if (command == nullptr) FAIL(std::string(variable) + " is not set (tests/e2e/store_postgres.sh)");
  REQUIRE(std::system(command) == 0);
}

// A fresh, empty place for a store, removed after the test.
class StoreFixture {
 public:
  explicit StoreFixture(Backend backend) : backend_(backend) {
    static int count = 0;
    switch (backend) {
      case Backend::kSqliteMemory:
        spec_ = ":memory:";
        break;
      case Backend::kSqliteFile:
        spec_ = (dir_.path() / "profiles.sqlite").string();
        break;
      case Backend::kPostgres: {
        const std::string url = postgres_url();
        schema_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(count++);
        admin_ = PQconnectdb(url.c_str());
        if (PQstatus(admin_) != CONNECTION_OK) FAIL("cannot connect to " << url);
        raw("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
        spec_ = url + (url.find('?') == std::string::npos ? "?" : "&") +
                "options=-csearch_path%3D" + schema_;
        break;
      }
    }
  }
  ~StoreFixture() {
    if (admin_ != nullptr) {
      PQclear(PQexec(admin_, ("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE").c_str()));
      PQfinish(admin_);
    }
  }
  StoreFixture(const StoreFixture&) = delete;
  StoreFixture& operator=(const StoreFixture&) = delete;

  Backend backend() const { return backend_; }
  const std::string& spec() const { return spec_; }
  // The file of a SQLite file store.
  std::filesystem::path file() const { return spec_; }
  std::unique_ptr<ProfileStore> open(const StoreOptions& options = {}) const {
    return open_profile_store(spec_, options);
  }

  // Runs SQL on the database directly, around the store (fixtures: old versions, foreign
  // tables), and returns the first value of the last row it returned ("" if none).
  std::string raw(const std::string& sql) const {
    if (backend_ == Backend::kPostgres) {
      const std::string text = "SET search_path TO " + schema_ + "; " + sql;
      PGresult* result = PQexec(admin_, text.c_str());
      const ExecStatusType status = PQresultStatus(result);
      std::string value;
      if (status == PGRES_TUPLES_OK && PQntuples(result) > 0) value = PQgetvalue(result, 0, 0);
      const std::string error = PQresultErrorMessage(result);
      PQclear(result);
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) FAIL(sql << ": " << error);
      return value;
    }
    REQUIRE(backend_ == Backend::kSqliteFile);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(spec_.c_str(), &db) == SQLITE_OK);
    std::string value;
    char* error = nullptr;
    const int code = sqlite3_exec(
        db, sql.c_str(),
        [](void* out, int, char** values, char**) {
          *static_cast<std::string*>(out) = values[0] != nullptr ? values[0] : "";
          return 0;
        },
        &value, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    if (code != SQLITE_OK) FAIL(sql << ": " << message);
    return value;
  }

  // The schema version as the database records it.
  std::string version() const {
    return backend_ == Backend::kPostgres ? raw("SELECT version FROM movierec_schema")
                                          : raw("PRAGMA user_version");
  }

 private:
  Backend backend_;
  TempDir dir_;
  std::string spec_;
  std::string schema_;
  PGconn* admin_ = nullptr;
};

// Runs `body` in a child process; returns its pid. The child exits 0 when `body` returns, 1
// (saying why) when it throws.
inline pid_t fork_child(const std::function<void()>& body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int status = 0;
    try {
      body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      status = 1;
    }
    ::_exit(status);
  }
  return pid;
}

inline int wait_child(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

// One store test body, run against every backend.
#define STORE_SUITE_CASE(title, body)                                                              \
  TEST_CASE("SQLite in memory: " title, "[store]") {                                               \
    body(::movierec::testing::Backend::kSqliteMemory);                                             \
  }                                                                                                \
  TEST_CASE("SQLite file: " title, "[store]") { body(::movierec::testing::Backend::kSqliteFile); } \
  TEST_CASE("PostgreSQL: " title, "[store][.postgres]") {                                          \
    body(::movierec::testing::Backend::kPostgres);                                                 \
  }

// One store test body for the backends that several connections share (not memory).
#define STORE_SHARED_CASE(title, body)                                                             \
  TEST_CASE("SQLite file: " title, "[store]") { body(::movierec::testing::Backend::kSqliteFile); } \
  TEST_CASE("PostgreSQL: " title, "[store][.postgres]") {                                          \
    body(::movierec::testing::Backend::kPostgres);                                                 \
  }

}  // namespace movierec::testing
