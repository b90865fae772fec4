#include "sql_profile_store.hpp"

#include <charconv>
#include <limits>
#include <utility>

namespace movierec {
namespace {

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMaxMovieId = std::numeric_limits<std::int32_t>::max();

// The columns answer_from_row reads, in its order.
constexpr const char* kAnswerColumns = "seq, answer, movie_id, answered_at, slot";

std::string kind_text(AnswerKind kind) { return std::string(answer_kind_name(kind)); }

// Adds the profile if it is new; its created_at is the time of its first write.
void ensure_profile(SqlConnection& db, const std::string& name, std::int64_t at) {
  db.query(
      "INSERT INTO profiles (name, created_at, last_seq) VALUES ($1, $2, 0) "
      "ON CONFLICT (name) DO NOTHING",
      {name, at});
}

// The profile's next seq. Updating its row also makes concurrent writers of the profile take
// turns (PostgreSQL locks the row until commit; SQLite's writers hold the whole file), so seqs
// increase in commit order.
std::int64_t next_seq(SqlConnection& db, const std::string& name, const std::string& where) {
  const auto rows = db.query(
      "UPDATE profiles SET last_seq = last_seq + 1 WHERE name = $1 RETURNING last_seq", {name});
  if (rows.size() != 1) throw StoreError(where + ": profile " + name + " vanished while writing");
  return sql_integer(rows[0][0], where, "profiles.last_seq of " + name, 1, kMaxInt64);
}

void insert_answer(SqlConnection& db, const std::string& name, const Answer& answer) {
  const std::string kind = kind_text(answer.kind);
  db.query(
      "INSERT INTO answers (profile, seq, movie_id, answer, answered_at, slot) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {name, answer.seq, std::int64_t{answer.movie_id}, kind, answer.answered_at,
       answer.slot > 0 ? SqlParam{std::int64_t{answer.slot}} : SqlParam{nullptr}});
}

}  // namespace

std::int64_t sql_integer(const std::optional<std::string>& value, const std::string& where,
                         const std::string& what, std::int64_t min, std::int64_t max) {
  std::int64_t out = 0;
  if (value) {
    const char* end = value->data() + value->size();
    const auto [at, error] = std::from_chars(value->data(), end, out);
    if (error == std::errc() && at == end && out >= min && out <= max) return out;
  }
  throw StoreError(where + ": " + what + " is " + (value ? "'" + *value + "'" : "NULL") +
                   ", not a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max) + " (the store is damaged)");
}

std::string sql_schema::create_v2(const Dialect& dialect) {
  // The CHECKs keep rows that people add with sqlite3 or psql to the rules the store keeps.
  std::string sql = R"sql(
CREATE TABLE profiles (
  name TEXT PRIMARY KEY NOT NULL CHECK (@NAME_CHECK),
  created_at @INT64 NOT NULL,
  last_seq @INT64 NOT NULL DEFAULT 0
)@SUFFIX;
CREATE TABLE answers (
  profile TEXT NOT NULL REFERENCES profiles (name) ON DELETE CASCADE,
  seq @INT64 NOT NULL,
  movie_id INTEGER NOT NULL CHECK (movie_id > 0),
  answer TEXT NOT NULL CHECK (answer IN ('favourite', 'like', 'dislike', 'skip', 'watch')),
  answered_at @INT64 NOT NULL,
  slot INTEGER CHECK ((answer = 'favourite') = (slot IS NOT NULL) AND
                      (slot IS NULL OR slot BETWEEN 1 AND 4)),
  PRIMARY KEY (profile, seq)
)@SUFFIX;
CREATE UNIQUE INDEX answers_favourite_slot ON answers (profile, slot) WHERE slot IS NOT NULL;
CREATE UNIQUE INDEX answers_favourite_movie ON answers (profile, movie_id) WHERE slot IS NOT NULL;
CREATE INDEX answers_movie ON answers (profile, movie_id)
)sql";
  const std::pair<std::string_view, std::string_view> words[] = {
      {"@NAME_CHECK", dialect.name_check},
      {"@INT64", dialect.int64},
      {"@SUFFIX", dialect.table_suffix}};
  for (const auto& [word, text] : words) {
    for (std::size_t at = sql.find(word); at != std::string::npos; at = sql.find(word, at)) {
      sql.replace(at, word.size(), text);
    }
  }
  return sql;
}

void sql_schema::check_version(const std::string& where, std::int64_t version, bool complete,
                               const std::string& missing) {
  const std::string left = "; it was left as it is";
  if (version > kStoreSchemaVersion) {
    throw StoreError(where + " has profile store version " + std::to_string(version) +
                     ", newer than this program's " + std::to_string(kStoreSchemaVersion) + left +
                     ": use a newer movierec");
  }
  if (version < 0 || !complete) {
    throw StoreError(where + " says profile store version " + std::to_string(version) +
                     " but lacks " + missing + " (damaged?)" + left);
  }
}

void sql_schema::migrate_v1_to_v2(SqlConnection& db, const std::string& where,
                                  const Dialect& dialect) {
  try {
    db.run_script(
        "CREATE TEMP TABLE answers_v1 AS "
        "SELECT id, profile, movie_id, answer, answered_at FROM answers;"
        "DROP TABLE answers");
    db.run_script(create_v2(dialect));
    db.run_script(
        "INSERT INTO profiles (name, created_at, last_seq) "
        "SELECT profile, MIN(answered_at), COUNT(*) FROM answers_v1 GROUP BY profile;"
        "INSERT INTO answers (profile, seq, movie_id, answer, answered_at, slot) "
        "SELECT profile, ROW_NUMBER() OVER (PARTITION BY profile ORDER BY id), movie_id, "
        "answer, answered_at, CASE WHEN answer = 'favourite' THEN ROW_NUMBER() OVER "
        "(PARTITION BY profile, answer = 'favourite' ORDER BY id) END FROM answers_v1;"
        "DROP TABLE answers_v1");
  } catch (const StoreUnavailable&) {
    throw;
  } catch (const StoreError& e) {
    throw StoreError("cannot migrate " + where + " from profile store version 1 to " +
                     std::to_string(kStoreSchemaVersion) + " (" + e.what() +
                     "); it was left as it is");
  }
}

Answer SqlProfileStore::answer_from_row(const SqlRow& row, const std::string& profile) const {
  const std::string what = "answer of " + profile + " ";
  Answer answer;
  answer.seq = sql_integer(row[0], where(), what + "seq", 1, kMaxInt64);
  const std::string seq = std::to_string(answer.seq);
  const auto kind = row[1] ? parse_answer_kind(*row[1]) : std::nullopt;
  if (!kind) {
    throw StoreError(where() + ": " + what + seq + " has answer '" + row[1].value_or("NULL") +
                     "', not one of favourite, like, dislike, skip, watch (the store is damaged)");
  }
  answer.kind = *kind;
  answer.movie_id = static_cast<std::int32_t>(
      sql_integer(row[2], where(), what + seq + " movie_id", 1, kMaxMovieId));
  answer.answered_at = sql_integer(row[3], where(), what + seq + " answered_at", 0, kMaxInt64);
  if (*kind == AnswerKind::kFavourite) {
    answer.slot = static_cast<int>(
        sql_integer(row[4], where(), what + seq + " favourite slot", 1, kFavouriteSlots));
  } else if (row[4]) {
    throw StoreError(where() + ": " + what + seq + " is a " + kind_text(*kind) +
                     " with a favourite slot (the store is damaged)");
  }
  return answer;
}

std::vector<ProfileSummary> SqlProfileStore::do_list() {
  std::vector<ProfileSummary> out;
  transaction(Access::kRead, [&](SqlConnection& db) {
    out.clear();
    std::string sql = "SELECT p.name, p.created_at, MAX(a.answered_at)";
    for (std::size_t k = 0; k < kAnswerKinds; ++k) {
      sql += ", SUM(CASE WHEN a.answer = '" + kind_text(static_cast<AnswerKind>(k)) +
             "' THEN 1 ELSE 0 END)";
    }
    sql +=
        " FROM profiles p LEFT JOIN answers a ON a.profile = p.name "
        "GROUP BY p.name, p.created_at";
    for (const SqlRow& row : db.query(sql)) {
      ProfileSummary summary;
      summary.name = row[0].value_or("");
      summary.created_at =
          sql_integer(row[1], where(), "created_at of " + summary.name, 0, kMaxInt64);
      summary.last_answer_at =
          row[2] ? sql_integer(row[2], where(), "answered_at of " + summary.name, 0, kMaxInt64)
                 : summary.created_at;
      for (std::size_t k = 0; k < kAnswerKinds; ++k) {
        summary.counts[k] = static_cast<std::size_t>(
            sql_integer(row[3 + k], where(), "answer count of " + summary.name, 0, kMaxInt64));
      }
      out.push_back(std::move(summary));
    }
  });
  return out;
}

std::optional<Profile> SqlProfileStore::do_load(const std::string& name) {
  std::optional<Profile> out;
  transaction(Access::kRead, [&](SqlConnection& db) {
    out.reset();
    const auto head = db.query("SELECT created_at FROM profiles WHERE name = $1", {name});
    if (head.empty()) return;
    Profile profile;
    profile.name = name;
    profile.created_at = sql_integer(head[0][0], where(), "created_at of " + name, 0, kMaxInt64);
    const auto rows = db.query(
        std::string("SELECT ") + kAnswerColumns + " FROM answers WHERE profile = $1 ORDER BY seq",
        {name});
    for (const SqlRow& row : rows) profile.answers.push_back(answer_from_row(row, name));
    out = std::move(profile);
  });
  return out;
}

Answer SqlProfileStore::do_append(const std::string& name, const Answer& answer) {
  Answer out = answer;
  transaction(Access::kWrite, [&](SqlConnection& db) {
    out = answer;
    ensure_profile(db, name, answer.answered_at);
    const std::string kind = kind_text(answer.kind);
    const auto same = db.query(std::string("SELECT ") + kAnswerColumns +
                                   " FROM answers WHERE profile = $1 AND movie_id = $2 AND "
                                   "answer = $3 AND answered_at = $4 ORDER BY seq LIMIT 1",
                               {name, std::int64_t{answer.movie_id}, kind, answer.answered_at});
    if (!same.empty()) {
      out = answer_from_row(same[0], name);  // stored by an earlier try of this call
      return;
    }
    out.seq = next_seq(db, name, where());
    insert_answer(db, name, out);
  });
  return out;
}

Answer SqlProfileStore::do_set_favourite(const std::string& name, const Answer& favourite) {
  Answer out = favourite;
  transaction(Access::kWrite, [&](SqlConnection& db) {
    out = favourite;
    ensure_profile(db, name, favourite.answered_at);
    const std::int64_t slot = favourite.slot;
    const auto current = db.query(
        std::string("SELECT ") + kAnswerColumns + " FROM answers WHERE profile = $1 AND slot = $2",
        {name, slot});
    if (!current.empty()) {
      const Answer held = answer_from_row(current[0], name);
      if (held.movie_id == favourite.movie_id) {
        out = held;
        return;
      }
    }
    const auto elsewhere = db.query(
        "SELECT slot FROM answers WHERE profile = $1 AND answer = 'favourite' AND movie_id = $2",
        {name, std::int64_t{favourite.movie_id}});
    if (!elsewhere.empty()) {
      throw ProfileInputError("profile " + name + ": movie " + std::to_string(favourite.movie_id) +
                              " is already favourite " + elsewhere[0][0].value_or("?"));
    }
    out.seq = next_seq(db, name, where());
    db.query("DELETE FROM answers WHERE profile = $1 AND slot = $2", {name, slot});
    insert_answer(db, name, out);
  });
  return out;
}

std::optional<Answer> SqlProfileStore::do_remove(const std::string& name, std::int64_t seq) {
  std::optional<Answer> out;
  transaction(Access::kWrite, [&](SqlConnection& db) {
    out.reset();
    const auto removed = db.query(std::string("DELETE FROM answers WHERE profile = $1 AND "
                                              "seq = $2 AND slot IS NULL RETURNING ") +
                                      kAnswerColumns,
                                  {name, seq});
    if (!removed.empty()) {
      out = answer_from_row(removed[0], name);
      return;
    }
    const auto favourite =
        db.query("SELECT slot FROM answers WHERE profile = $1 AND seq = $2", {name, seq});
    if (!favourite.empty()) {
      throw ProfileInputError("profile " + name + ": answer " + std::to_string(seq) +
                              " is favourite " + favourite[0][0].value_or("?") +
                              "; a favourite is changed, not removed");
    }
  });
  return out;
}

bool SqlProfileStore::do_delete(const std::string& name) {
  bool deleted = false;
  transaction(Access::kWrite, [&](SqlConnection& db) {
    db.query("DELETE FROM answers WHERE profile = $1", {name});
    deleted = !db.query("DELETE FROM profiles WHERE name = $1 RETURNING name", {name}).empty();
  });
  return deleted;
}

}  // namespace movierec
