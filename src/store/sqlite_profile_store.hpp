// The profile store in one SQLite file (or in memory): WAL mode, synchronous=FULL, a busy
// timeout and retries for the other programs that write the same file. See profile_store.hpp for
// the contract and the schema.
#pragma once

#include <mutex>

#include "sql_profile_store.hpp"

struct sqlite3;

namespace movierec {

class SqliteProfileStore final : public SqlProfileStore, private SqlConnection {
 public:
  // Opens spec.target (a path or ":memory:"), checks that it is a profile store of a version this
  // program knows, creates the schema in a new or empty database and migrates an older one.
  // Throws StoreError naming the file when it refuses it (nothing is written then).
  SqliteProfileStore(const StoreSpec& spec, const StoreOptions& options, StoreOpen mode);
  ~SqliteProfileStore() override;

 private:
  void transaction(Access access, const std::function<void(SqlConnection&)>& work) override;
  std::vector<SqlRow> run(std::string_view sql, std::span<const SqlParam> params) override;
  void run_script(std::string_view sql) override;

  [[noreturn]] void fail(int code, const std::string& doing);
  void check_header();
  std::int64_t check_schema(SqlConnection& db);
  void upgrade_schema();
  void rollback_quietly();

  sqlite3* db_ = nullptr;
  StoreOptions options_;
  std::mutex mutex_;  // one call at a time on db_
};

}  // namespace movierec
