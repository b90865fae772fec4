#include "postgres_profile_store.hpp"

#include <libpq-fe.h>

#include <memory>

namespace movierec {
namespace {

constexpr sql_schema::Dialect kPostgresDialect = {"BIGINT", "name ~ '^[A-Za-z0-9._-]{1,64}$'", ""};

// The connection went away (server stopped or restarted, network): reconnect and run again.
class ConnectionLost : public StoreUnavailable {
 public:
  using StoreUnavailable::StoreUnavailable;
};

struct ResultCloser {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultCloser>;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

PostgresProfileStore::PostgresProfileStore(const StoreSpec& spec, const StoreOptions& options)
    : SqlProfileStore(spec.where), url_(spec.target), options_(options) {
  try {
    connect();
    transaction(Access::kWrite, [this](SqlConnection& db) { prepare_schema(db); });
  } catch (...) {
    PQfinish(connection_);
    connection_ = nullptr;
    throw;
  }
}

PostgresProfileStore::~PostgresProfileStore() { PQfinish(connection_); }

std::string PostgresProfileStore::connection_problem() const {
  return trimmed(connection_ != nullptr ? PQerrorMessage(connection_) : "out of memory");
}

// Connects, or reconnects a connection that was lost, with the same parameters.
void PostgresProfileStore::connect() {
  if (connection_ != nullptr && PQstatus(connection_) == CONNECTION_OK) return;
  if (connection_ == nullptr) {
    // Ours first: the URL's own parameters (expanded from dbname) override them.
    const std::string timeout = std::to_string(options_.connect_timeout_s);
    const char* keywords[] = {"application_name", "connect_timeout", "dbname", nullptr};
    const char* values[] = {"movierec", timeout.c_str(), url_.c_str(), nullptr};
    connection_ = PQconnectdbParams(keywords, values, 1);
  } else {
    PQreset(connection_);
  }
  if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK) {
    throw StoreUnavailable("cannot reach the profile store " + where() + " (" +
                           connection_problem() +
                           "); nothing was written: retry when the server is back");
  }
  // Notices (e.g. of implicit index names) are not for the person at the terminal.
  PQsetNoticeProcessor(
      connection_, [](void*, const char*) {}, nullptr);
}

void PostgresProfileStore::prepare_schema(SqlConnection& db) {
  // Serialises the creation and migration of the tables between processes opening one database.
  db.query("SELECT pg_advisory_xact_lock($1)", {std::int64_t{kSqliteApplicationId}});
  const SqlRow tables = db.query(
      "SELECT to_regclass('movierec_schema') IS NOT NULL, to_regclass('profiles') IS NOT NULL, "
      "to_regclass('answers') IS NOT NULL")[0];
  const auto present = [&](std::size_t i) { return tables[i].value_or("") == "t"; };
  const std::string left = "; it was left as it is";
  if (!present(0)) {
    if (present(1) || present(2)) {
      throw StoreError(where() +
                       " has tables named profiles or answers but is not a profile "
                       "store (no table movierec_schema)" +
                       left);
    }
    db.run_script(sql_schema::create_v2(kPostgresDialect));
    db.run_script(
        "CREATE TABLE movierec_schema (version INTEGER NOT NULL);"
        "INSERT INTO movierec_schema VALUES (" +
        std::to_string(kStoreSchemaVersion) + ")");
    return;
  }
  const auto versions = db.query("SELECT version FROM movierec_schema");
  if (versions.size() != 1) {
    throw StoreError(where() + ": movierec_schema has " + std::to_string(versions.size()) +
                     " rows instead of one (damaged?)" + left);
  }
  const std::int64_t version =
      sql_integer(versions[0][0], where(), "movierec_schema.version", INT32_MIN, INT32_MAX);
  sql_schema::check_version(
      where(), version, version >= 1 && present(2) && (version == 1 || present(1)), "its tables");
  if (version == kStoreSchemaVersion) return;
  sql_schema::migrate_v1_to_v2(db, where(), kPostgresDialect);
  db.query("UPDATE movierec_schema SET version = $1", {std::int64_t{kStoreSchemaVersion}});
}

void PostgresProfileStore::transaction(Access access,
                                       const std::function<void(SqlConnection&)>& work) {
  const std::lock_guard lock(mutex_);
  for (int attempt = 0;; ++attempt) {
    try {
      connect();
      run_script(access == Access::kWrite ? "BEGIN"
                                          : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      work(*this);
      run_script("COMMIT");
      return;
    } catch (const ConnectionLost& e) {
      // Every call is idempotent, so running it again is safe even when the lost COMMIT had
      // gone through.
      if (attempt >= options_.reconnect_attempts) {
        throw StoreUnavailable(std::string(e.what()) +
                               "; nothing is lost on this side: retry when the server is back");
      }
    } catch (...) {
      if (PQstatus(connection_) == CONNECTION_OK &&
          PQtransactionStatus(connection_) != PQTRANS_IDLE) {
        PQclear(PQexec(connection_, "ROLLBACK"));
      }
      throw;
    }
  }
}

namespace {

// Throws for a result that is not a success: ConnectionLost when the connection is gone (SQLSTATE
// class 08, or 57P0x: the server shutting down), StoreError otherwise.
Result checked(PGresult* raw, pg_conn* connection, const std::string& where) {
  Result result(raw);
  const ExecStatusType status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const std::string message =
      trimmed(raw != nullptr ? PQresultErrorMessage(raw) : PQerrorMessage(connection));
  const char* field = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field != nullptr ? field : "";
  if (PQstatus(connection) == CONNECTION_BAD || state.rfind("08", 0) == 0 ||
      state.rfind("57P0", 0) == 0) {
    throw ConnectionLost("lost the connection to the profile store " + where + " (" + message +
                         ")");
  }
  throw StoreError(where + ": " + message);
}

}  // namespace

std::vector<SqlRow> PostgresProfileStore::run(std::string_view sql,
                                              std::span<const SqlParam> params) {
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
      texts[i] = std::to_string(*number);
      values[i] = texts[i].c_str();
    } else if (const auto* text = std::get_if<std::string_view>(&params[i])) {
      texts[i] = std::string(*text);
      values[i] = texts[i].c_str();
    }
  }
  const std::string statement(sql);
  const Result result =
      checked(PQexecParams(connection_, statement.c_str(), static_cast<int>(params.size()), nullptr,
                           values.data(), nullptr, nullptr, 0),
              connection_, where());
  std::vector<SqlRow> rows(static_cast<std::size_t>(PQntuples(result.get())));
  const int columns = PQnfields(result.get());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    rows[r].resize(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      const int row = static_cast<int>(r);
      if (PQgetisnull(result.get(), row, c) == 0) {
        rows[r][static_cast<std::size_t>(c)] =
            std::string(PQgetvalue(result.get(), row, c),
                        static_cast<std::size_t>(PQgetlength(result.get(), row, c)));
      }
    }
  }
  return rows;
}

void PostgresProfileStore::run_script(std::string_view sql) {
  const std::string text(sql);
  checked(PQexec(connection_, text.c_str()), connection_, where());
}

}  // namespace movierec
