// The profile store: what each person told us, kept between sessions. One interface,
// ProfileStore, over two databases, chosen once from a `--profiles` spec by open_profile_store:
//
//   spec                              backend
//   data/profiles.sqlite (any path)   SQLite file (the embedded default), WAL mode
//   :memory:                          SQLite in memory, gone when the store is closed (tests)
//   postgresql://USER@HOST/DB         PostgreSQL (also postgres://; any libpq URL parameter,
//                                     e.g. ?host=/run/postgresql&port=5433), shared by several
//                                     serve processes
//
// Stored per profile: its four favourites (one per slot, a slot can be changed) and every
// answer (like, dislike, skip, watch) with its time, in order. Resuming a session reads them
// all back with load_profile; recommend and serve append answers one call at a time.
//
// Schema (version 2; the same tables in both databases, readable with sqlite3 or psql):
//
//   profiles(name TEXT PRIMARY KEY,        1-64 of [A-Za-z0-9._-]
//            created_at INTEGER NOT NULL,  Unix seconds of the first write
//            last_seq INTEGER NOT NULL)    the newest seq handed out (never goes back)
//   answers(profile TEXT NOT NULL,         profiles.name
//           seq INTEGER NOT NULL,          the profile's order: increasing in commit order,
//                                          never reused (undo and a changed favourite leave gaps)
//           movie_id INTEGER NOT NULL,     the MovieLens movieId
//           answer TEXT NOT NULL,          favourite | like | dislike | skip | watch
//           answered_at INTEGER NOT NULL,  Unix seconds
//           slot INTEGER,                  1-4 for a favourite, NULL for the other answers
//           PRIMARY KEY (profile, seq))
//   a profile has at most one favourite per slot and names a movie as a favourite once.
//   (PostgreSQL spells the times and seqs BIGINT.)
//
// e.g.  sqlite3 data/profiles.sqlite "SELECT movie_id, answer, datetime(answered_at,
//       'unixepoch') FROM answers WHERE profile = 'ana' ORDER BY seq"
//
// The version is PRAGMA user_version in SQLite (with PRAGMA application_id kSqliteApplicationId)
// and the one row of the table movierec_schema(version) in PostgreSQL. Version 1 had only
// answers(id, profile, movie_id, answer, answered_at), ordered by id, without watch; it is
// migrated to version 2 in one transaction when a store is opened. Opening refuses, naming the
// store and leaving it untouched: a file that is not a SQLite database or is damaged (PRAGMA
// quick_check), a database that holds other tables and is not a profile store, and a newer
// version than kStoreSchemaVersion.
//
// Durability: every write call commits one short transaction before it returns. When it returns,
// the change is on disk (SQLite: WAL mode with synchronous=FULL, the log synced at each commit;
// PostgreSQL: committed with the server's synchronous_commit, on by default), so a process killed
// at any moment (kill -9) loses nothing that a call acknowledged. A call that throws wrote
// nothing, except that a PostgreSQL commit whose acknowledgement was lost may have happened: write
// calls are idempotent for that reason (see each), so the same call can simply be retried.
//
// Sharing: several processes may use one store at once: recommend and serve one SQLite file
// (writers wait up to StoreOptions::busy_timeout_ms for each other and retry), several serve
// processes one PostgreSQL database. Each profile's answers stay in commit order (writers of one
// profile take turns on its profiles row).
//
// Threads: every member function may be called concurrently from several threads on one store
// object (serve's thread pool); the calls take turns on the store's one connection. Distinct
// store objects are independent connections.
//
// Errors: everything thrown derives from StoreError; a database's errors name the store. A bad
// name or argument throws ProfileInputError (nothing written); a database that cannot be reached
// or stays busy throws StoreUnavailable: nothing was lost on the caller's side, the store object
// stays usable, and the same call can be retried once the database is back (PostgreSQL
// reconnects by itself).
//
// For the front ends: a session resumes from load_profile (favourites by slot, then every
// answer by seq); each answer is stored with append_answer as it is given, and when that throws
// the person is told, the session keeps its state, and the same call can be retried; undo is
// remove_answer with the seq append_answer returned.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "movierec/io/config.hpp"
#include "movierec/io/error.hpp"

namespace movierec {

inline constexpr int kStoreSchemaVersion = 2;
inline constexpr int kFavouriteSlots = 4;                         // as Session::kFavourites
inline constexpr std::size_t kMaxProfileName = 64;                // characters
inline constexpr std::int32_t kSqliteApplicationId = 0x4d565243;  // "MVRC"

// A store refused a call or could not be opened; what() names the store.
class StoreError : public Error {
 public:
  using Error::Error;
};

// What the caller passed is not acceptable (a profile name, a slot, a movie id); nothing was
// written. Front ends report it as the person's mistake (a 4xx for serve).
class ProfileInputError : public StoreError {
 public:
  using StoreError::StoreError;
};

// The database cannot be reached now (PostgreSQL server gone, SQLite file locked by another
// writer beyond the busy timeout and retries). The store object stays usable: retry the same
// call later.
class StoreUnavailable : public StoreError {
 public:
  using StoreError::StoreError;
};

enum class AnswerKind { kFavourite, kLike, kDislike, kSkip, kWatch };
inline constexpr std::size_t kAnswerKinds = 5;

// The schema's text for a kind: "favourite", "like", "dislike", "skip", "watch".
std::string_view answer_kind_name(AnswerKind kind);
// The inverse; nothing for any other text.
std::optional<AnswerKind> parse_answer_kind(std::string_view text);

// One row of answers.
struct Answer {
  std::int64_t seq = 0;  // the profile's order (see the schema)
  AnswerKind kind = AnswerKind::kLike;
  std::int32_t movie_id = 0;     // MovieLens movieId, above 0
  std::int64_t answered_at = 0;  // Unix seconds
  int slot = 0;                  // 1..kFavouriteSlots for a favourite, 0 otherwise

  bool operator==(const Answer&) const = default;
};

struct Profile {
  std::string name;
  std::int64_t created_at = 0;  // Unix seconds
  std::vector<Answer> answers;  // favourites and answers, by seq

  // The favourite in each slot (index slot - 1), nothing for an empty slot.
  std::array<std::optional<Answer>, kFavouriteSlots> favourites() const;
  // Every slot holds a favourite: a session can resume without asking for them.
  bool has_all_favourites() const;
  std::size_t count(AnswerKind kind) const;
};

struct ProfileSummary {
  std::string name;
  std::int64_t created_at = 0;
  std::int64_t last_answer_at = 0;  // newest answered_at, created_at when there is none
  std::array<std::size_t, kAnswerKinds> counts{};  // per AnswerKind

  std::size_t count(AnswerKind kind) const { return counts[static_cast<std::size_t>(kind)]; }
};

// Names: 1 to kMaxProfileName ASCII letters, digits, '-', '_' or '.'.
bool is_valid_profile_name(std::string_view name);
// Throws ProfileInputError saying what is wrong with `name` (shown escaped and shortened).
void check_profile_name(std::string_view name);

// Tunable numbers of the backends (keys store.*, flags --busy-timeout-ms and so on).
struct StoreOptions {
  int busy_timeout_ms = 2000;  // SQLite: wait this long for another writer per try
  int busy_retries = 3;        // SQLite: further tries after a wait runs out
  int connect_timeout_s = 5;   // PostgreSQL: give up connecting after this many seconds
  int reconnect_attempts = 1;  // PostgreSQL: reconnect-and-rerun tries after a lost connection

  std::vector<ConfigField> fields();
};

enum class StoreOpen {
  kCreate,    // a missing SQLite file is created
  kExisting,  // a missing SQLite file is a StoreError (read-only commands never create one)
};  // A PostgreSQL database without the tables gets them either way.

class ProfileStore {
 public:
  virtual ~ProfileStore() = default;
  ProfileStore(const ProfileStore&) = delete;
  ProfileStore& operator=(const ProfileStore&) = delete;

  // The store for messages: the file's path, or the URL without its password.
  const std::string& where() const { return where_; }

  // Every profile, by name (byte order), with its counts.
  std::vector<ProfileSummary> list_profiles();
  // The profile's favourites and answers in order; nothing for an unknown profile.
  std::optional<Profile> load_profile(std::string_view name);

  // Appends an answer (any kind but kFavourite), creating the profile if it is new, and returns
  // the stored row. Idempotent: when the profile already has an answer of the same kind, movie
  // and answered_at, that one is returned and nothing is written, so a retried call stores the
  // answer once (pass the same answered_at when retrying).
  Answer append_answer(std::string_view name, AnswerKind kind, std::int32_t movie_id,
                       std::int64_t answered_at);
  // Puts `movie_id` in favourite slot `slot` (1..kFavouriteSlots), replacing the slot's earlier
  // favourite (the new row gets a new seq), creating the profile if it is new. Idempotent: a slot
  // that already holds the movie is returned unchanged. Throws ProfileInputError when the movie
  // is the favourite of another slot.
  Answer set_favourite(std::string_view name, int slot, std::int32_t movie_id,
                       std::int64_t answered_at);
  // Removes the answer `seq` (undo: the seq that append_answer returned) and returns it; nothing
  // when the profile has no such answer (already removed: a retried call that had succeeded).
  // Favourites are changed with set_favourite, not removed: ProfileInputError.
  std::optional<Answer> remove_answer(std::string_view name, std::int64_t seq);
  // Deletes the profile and all its answers; false when there was no such profile.
  bool delete_profile(std::string_view name);

 protected:
  explicit ProfileStore(std::string where) : where_(std::move(where)) {}

  // The backends' work, called with checked arguments.
  virtual std::vector<ProfileSummary> do_list() = 0;
  virtual std::optional<Profile> do_load(const std::string& name) = 0;
  virtual Answer do_append(const std::string& name, const Answer& answer) = 0;
  virtual Answer do_set_favourite(const std::string& name, const Answer& favourite) = 0;
  virtual std::optional<Answer> do_remove(const std::string& name, std::int64_t seq) = 0;
  virtual bool do_delete(const std::string& name) = 0;

 private:
  std::string where_;
};

// What a --profiles spec names.
struct StoreSpec {
  enum class Kind { kSqliteFile, kSqliteMemory, kPostgres };
  Kind kind = Kind::kSqliteFile;
  std::string target;  // the path, ":memory:" or the URL as given
  std::string where;   // for messages: the path, or the URL without its password
};

// Reads a spec (see the table above). Throws ProfileInputError for an empty spec, control
// characters, an unknown scheme ("mysql://...") or a PostgreSQL URL libpq cannot parse.
StoreSpec parse_store_spec(std::string_view spec);

// Opens (and creates or migrates, see above) the store a spec names. Throws ProfileInputError
// for a bad spec, StoreError for a store it refuses or a missing file with kExisting, and
// StoreUnavailable when a PostgreSQL server cannot be reached.
std::unique_ptr<ProfileStore> open_profile_store(std::string_view spec,
                                                 const StoreOptions& options = {},
                                                 StoreOpen mode = StoreOpen::kCreate);

// The current time as Unix seconds, for answered_at.
std::int64_t unix_seconds_now();

}  // namespace movierec
