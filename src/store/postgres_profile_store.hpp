// The profile store in a PostgreSQL database, shared by several serve processes. One connection
// per store object; a call that finds it lost reconnects and runs again (calls are idempotent,
// profile_store.hpp), and throws StoreUnavailable while the server stays away. See
// profile_store.hpp for the contract and the schema.
#pragma once

#include <mutex>

#include "sql_profile_store.hpp"

struct pg_conn;

namespace movierec {

class PostgresProfileStore final : public SqlProfileStore, private SqlConnection {
 public:
  // Connects to spec.target (a postgresql:// URL), creates the tables in a database that has
  // none (in the first schema of its search_path) and migrates version 1. Throws StoreUnavailable
  // when the server cannot be reached, StoreError when the database is refused.
  PostgresProfileStore(const StoreSpec& spec, const StoreOptions& options);
  ~PostgresProfileStore() override;

 private:
  void transaction(Access access, const std::function<void(SqlConnection&)>& work) override;
  std::vector<SqlRow> run(std::string_view sql, std::span<const SqlParam> params) override;
  void run_script(std::string_view sql) override;

  void connect();
  std::string connection_problem() const;
  void prepare_schema(SqlConnection& db);

  std::string url_;
  pg_conn* connection_ = nullptr;
  StoreOptions options_;
  std::mutex mutex_;  // one call at a time on connection_
};

}  // namespace movierec
