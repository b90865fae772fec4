// What the SQLite and PostgreSQL stores share: the store's operations written once in the SQL
// both databases speak (parameters $1..$n, always bound, never spliced into the text), over a
// small connection interface that each backend implements with its own C library. The backends
// own connecting, the schema's version and transactions (locking, retries, reconnecting).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "movierec/store/profile_store.hpp"

namespace movierec {

// A bound parameter: NULL, an integer or text.
using SqlParam = std::variant<std::nullptr_t, std::int64_t, std::string_view>;
// A result row: each value as text (integers in decimal), NULL as nothing.
using SqlRow = std::vector<std::optional<std::string>>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs one statement with $1..$n bound to `params` and returns its rows. Throws StoreError
  // (StoreUnavailable when the database is busy or the connection was lost).
  virtual std::vector<SqlRow> run(std::string_view sql, std::span<const SqlParam> params) = 0;
  // Runs statements without parameters, separated by ';' (the schema).
  virtual void run_script(std::string_view sql) = 0;

  std::vector<SqlRow> query(std::string_view sql, std::initializer_list<SqlParam> params = {}) {
    return run(sql, std::span<const SqlParam>(params.begin(), params.size()));
  }
};

// The integer in a result value; throws StoreError naming `where` and `what` for NULL or text
// that is not an integer in [min, max].
std::int64_t sql_integer(const std::optional<std::string>& value, const std::string& where,
                         const std::string& what, std::int64_t min, std::int64_t max);

// The schema, written once for both databases.
namespace sql_schema {
// How each database spells what the tables need.
struct Dialect {
  const char* int64;         // a 64-bit integer column: INTEGER (SQLite) or BIGINT
  const char* name_check;    // a condition on profiles.name: 1-64 of [A-Za-z0-9._-]
  const char* table_suffix;  // after each CREATE TABLE: " STRICT" (SQLite's typed tables) or ""
};
// The version-2 tables and indexes (profile_store.hpp) in `dialect`.
std::string create_v2(const Dialect& dialect);
// Refuses, naming the store `where`, a recorded `version` newer than this program's, below 0, or
// not `complete` (what that version needs is not all there; `missing` says what).
void check_version(const std::string& where, std::int64_t version, bool complete,
                   const std::string& missing);
// Moves a version-1 store's answers into the version-2 tables, within the caller's transaction.
// Throws StoreError ("cannot migrate") when a row breaks a rule of version 2 (an unknown
// answer, a bad name, a fifth favourite); the caller's rollback leaves the store as it was.
void migrate_v1_to_v2(SqlConnection& db, const std::string& where, const Dialect& dialect);
}  // namespace sql_schema

class SqlProfileStore : public ProfileStore {
 protected:
  using ProfileStore::ProfileStore;

  enum class Access { kRead, kWrite };
  // Runs `work` in one transaction: commits when it returns, rolls back when it throws. A backend
  // may run `work` again after a busy database or a lost connection, so `work` keeps its results
  // in variables it assigns afresh each time.
  virtual void transaction(Access access, const std::function<void(SqlConnection&)>& work) = 0;

  std::vector<ProfileSummary> do_list() override;
  std::optional<Profile> do_load(const std::string& name) override;
  Answer do_append(const std::string& name, const Answer& answer) override;
  Answer do_set_favourite(const std::string& name, const Answer& favourite) override;
  std::optional<Answer> do_remove(const std::string& name, std::int64_t seq) override;
  bool do_delete(const std::string& name) override;

 private:
  Answer answer_from_row(const SqlRow& row, const std::string& profile) const;
};

}  // namespace movierec
