#include "sqlite_profile_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

namespace fs = std::filesystem;

namespace movierec {
namespace {

// STRICT tables refuse a value of the wrong type; SQLite's INTEGER holds 64 bits.
constexpr sql_schema::Dialect kSqliteDialect = {
    "INTEGER", "length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^A-Za-z0-9._-]*'", " STRICT"};

// Raised for SQLITE_BUSY and SQLITE_LOCKED: the transaction is rolled back and tried again.
class Busy : public StoreUnavailable {
 public:
  using StoreUnavailable::StoreUnavailable;
};

struct StatementCloser {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementCloser>;

// $1..$n as SQLite spells numbered parameters: ?1..?n.
std::string sqlite_placeholders(std::string_view sql) {
  std::string out(sql);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

std::string hex(std::int64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%08llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

SqliteProfileStore::SqliteProfileStore(const StoreSpec& spec, const StoreOptions& options,
                                       StoreOpen mode)
    : SqlProfileStore(spec.where), options_(options) {
  const bool memory = spec.kind == StoreSpec::Kind::kSqliteMemory;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (!memory) {
    std::error_code ec;
    const fs::file_status status = fs::status(spec.target, ec);
    if (fs::exists(status) && !fs::is_regular_file(status)) {
      throw StoreError(where() +
                       " is not a file: --profiles takes a SQLite file or a "
                       "postgresql:// URL");
    }
    if (!fs::exists(status) && mode == StoreOpen::kExisting) {
      throw StoreError("no profile store at " + where() + " (the file does not exist)");
    }
    const fs::path folder = fs::path(spec.target).parent_path();
    if (!fs::exists(status) && !folder.empty() && !fs::is_directory(folder, ec)) {
      throw StoreError("cannot create " + where() + ": the folder " + folder.string() +
                       " does not exist");
    }
    if (mode == StoreOpen::kCreate) flags |= SQLITE_OPEN_CREATE;
  }
  // Debian's SQLite reads a name that starts with "file:" as a URI (with options such as
  // mode=memory); a spec is a path, so such a name is given as "./file:...".
  const std::string name = spec.target.starts_with("file:") ? "./" + spec.target : spec.target;
  const int code = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  try {
    if (code != SQLITE_OK) fail(code, "cannot open it");
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
    // A file made by someone else must not run code or bend the schema's rules.
    sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    check_header();
    // Created or migrated before WAL mode is switched on, so that a migration refused half-way
    // leaves the file exactly as it was (its journal rolls it back and goes).
    if (check_schema(*this) != kStoreSchemaVersion) upgrade_schema();
    if (!memory) {
      const auto mode_rows = query("PRAGMA journal_mode = WAL");
      if (mode_rows.empty() || mode_rows[0][0].value_or("") != "wal") {
        throw StoreError(where() + ": cannot switch to WAL mode (journal_mode stays " +
                         (mode_rows.empty() ? "?" : mode_rows[0][0].value_or("?")) + ")");
      }
    }
    run_script("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
  } catch (...) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteProfileStore::~SqliteProfileStore() { sqlite3_close_v2(db_); }

void SqliteProfileStore::fail(int code, const std::string& doing) {
  const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Busy(where() + " is busy (" + message + ")");
    case SQLITE_NOTADB:
      throw StoreError(where() + " is not a SQLite database (" + message +
                       "); it was left as it is: --profiles needs a profile store");
    case SQLITE_CORRUPT:
      throw StoreError(where() + " is damaged (" + message +
                       "); it was left as it is: restore a copy or move it away");
    default:
      throw StoreError(where() + ": " + doing + ": " + message);
  }
}

// Reading the header and every page before anything is written: a file that is not a
// database, or a damaged one, is refused untouched.
void SqliteProfileStore::check_header() {
  query("PRAGMA application_id");
  const auto check = query("PRAGMA quick_check");
  if (check.empty() || check[0][0].value_or("") != "ok") {
    std::string problem = check.empty() ? "no answer" : check[0][0].value_or("NULL");
    if (check.size() > 1) problem += " and " + std::to_string(check.size() - 1) + " more";
    throw StoreError(where() + " is damaged (PRAGMA quick_check: " + problem +
                     "); it was left as it is: restore a copy or move it away");
  }
}

// The version of the schema, after checking that the file is a profile store this program
// can use (as it is, or once migrated). Reads only.
std::int64_t SqliteProfileStore::check_schema(SqlConnection& db) {
  const std::int64_t version = sql_integer(db.query("PRAGMA user_version")[0][0], where(),
                                           "user_version", INT32_MIN, INT32_MAX);
  const std::int64_t application = sql_integer(db.query("PRAGMA application_id")[0][0], where(),
                                               "application_id", INT32_MIN, INT32_MAX);
  std::set<std::string> tables;
  for (const SqlRow& row : db.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                                    "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")) {
    tables.insert(row[0].value_or(""));
  }
  const std::string left = "; it was left as it is";
  sql_schema::check_version(where(), version, true, "");  // newer first: its tables may differ
  if (application != 0 && application != kSqliteApplicationId) {
    throw StoreError(where() + " is a SQLite database of another program (application_id " +
                     hex(application) + ")" + left);
  }
  if (version == 0 && !tables.empty()) {
    throw StoreError(where() + " is a SQLite database with other tables (" + *tables.begin() +
                     (tables.size() > 1 ? ", ..." : "") + "), not a profile store" + left);
  }
  const bool has_tables =
      tables.count("answers") == 1 && (version == 1 || tables.count("profiles") == 1);
  sql_schema::check_version(where(), version,
                            version == 0 || (application == kSqliteApplicationId && has_tables),
                            "its tables or application_id");
  return version;
}

// Creates the tables in an empty database or migrates version 1, in one transaction.
void SqliteProfileStore::upgrade_schema() {
  transaction(Access::kWrite, [&](SqlConnection& db) {
    // Another program may have created or migrated it since the first check.
    const std::int64_t version = check_schema(db);
    if (version == kStoreSchemaVersion) return;
    if (version == 0) {
      db.run_script(sql_schema::create_v2(kSqliteDialect));
    } else {
      sql_schema::migrate_v1_to_v2(db, where(), kSqliteDialect);
    }
    db.run_script("PRAGMA application_id = " + std::to_string(kSqliteApplicationId) +
                  "; PRAGMA user_version = " + std::to_string(kStoreSchemaVersion));
  });
}

void SqliteProfileStore::rollback_quietly() {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteProfileStore::transaction(Access access,
                                     const std::function<void(SqlConnection&)>& work) {
  const std::lock_guard lock(mutex_);
  for (int attempt = 0;; ++attempt) {
    try {
      // IMMEDIATE takes the write lock at once (waiting for it under the busy timeout), so a
      // transaction never fails half-way when it starts writing.
      run_script(access == Access::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
      work(*this);
      run_script("COMMIT");
      return;
    } catch (const Busy& e) {
      rollback_quietly();
      if (attempt >= options_.busy_retries) {
        throw StoreUnavailable(where() + " stayed locked by another program for " +
                               std::to_string(attempt + 1) + " waits of " +
                               std::to_string(options_.busy_timeout_ms) +
                               " ms; nothing was written: try again");
      }
    } catch (...) {
      rollback_quietly();
      throw;
    }
  }
}

std::vector<SqlRow> SqliteProfileStore::run(std::string_view sql_text,
                                            std::span<const SqlParam> params) {
  const std::string sql = sqlite_placeholders(sql_text);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int code = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
  Statement statement(raw);
  if (code != SQLITE_OK) fail(code, "cannot prepare a statement");
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
      code = sqlite3_bind_int64(raw, index, *number);
    } else if (const auto* text = std::get_if<std::string_view>(&params[i])) {
      code = sqlite3_bind_text64(raw, index, text->data(), text->size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
    } else {
      code = sqlite3_bind_null(raw, index);
    }
    if (code != SQLITE_OK) fail(code, "cannot bind a parameter");
  }
  std::vector<SqlRow> rows;
  while ((code = sqlite3_step(raw)) == SQLITE_ROW) {
    SqlRow& row = rows.emplace_back(static_cast<std::size_t>(sqlite3_column_count(raw)));
    for (std::size_t c = 0; c < row.size(); ++c) {
      const int column = static_cast<int>(c);
      if (sqlite3_column_type(raw, column) == SQLITE_NULL) continue;
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, column));
      row[c] = std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(raw, column)));
    }
  }
  if (code != SQLITE_DONE) fail(code, "statement failed");
  return rows;
}

void SqliteProfileStore::run_script(std::string_view sql) {
  const std::string text(sql);
  const int code = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) fail(code, "statement failed");
}

}  // namespace movierec
