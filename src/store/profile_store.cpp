#include "movierec/store/profile_store.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "postgres_profile_store.hpp"
#include "sqlite_profile_store.hpp"

namespace movierec {
namespace {

constexpr std::array<std::string_view, kAnswerKinds> kKindNames = {"favourite", "like", "dislike",
                                                                   "skip", "watch"};
constexpr std::size_t kShownChars = 40;  // of a bad name or spec in a message

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// `text` quoted for a message: printable ASCII as is, other bytes as \xNN, cut after kShownChars.
std::string shown(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kShownChars; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  if (text.size() > kShownChars) out += "...";
  return out + "\"";
}

// "scheme://" at the start: letters, then letters, digits, '+', '-', '.'.
bool has_scheme(std::string_view spec) {
  const std::size_t at = spec.find("://");
  if (at == std::string_view::npos || at == 0) return false;
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(spec[0])) return false;
  return std::all_of(spec.begin(), spec.begin() + static_cast<std::ptrdiff_t>(at), [&](char c) {
    return letter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  });
}

// The URL's parts without its password, for messages: postgresql://USER@HOST:PORT/DB.
std::string postgres_where(std::string_view url) {
  char* error = nullptr;
  const std::string text(url);
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    std::string problem = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!problem.empty() && problem.back() == '\n') problem.pop_back();
    throw ProfileInputError("--profiles: not a PostgreSQL URL libpq understands (" + problem +
                            "); expected postgresql://USER@HOST:PORT/DATABASE");
  }
  std::string user, host, port, dbname;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "user") user = option->val;
    if (keyword == "host") host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") dbname = option->val;
  }
  PQconninfoFree(options);
  std::string where = "postgresql://";
  if (!user.empty()) where += user + "@";
  where += host;
  if (!port.empty()) where += ":" + port;
  return where + "/" + dbname;
}

}  // namespace

std::string_view answer_kind_name(AnswerKind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}

std::optional<AnswerKind> parse_answer_kind(std::string_view text) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<AnswerKind>(i);
  }
  return std::nullopt;
}

std::array<std::optional<Answer>, kFavouriteSlots> Profile::favourites() const {
  std::array<std::optional<Answer>, kFavouriteSlots> out;
  for (const Answer& answer : answers) {
    if (answer.kind == AnswerKind::kFavourite && answer.slot >= 1 &&
        answer.slot <= kFavouriteSlots) {
      out[static_cast<std::size_t>(answer.slot - 1)] = answer;
    }
  }
  return out;
}

bool Profile::has_all_favourites() const {
  const auto slots = favourites();
  return std::all_of(slots.begin(), slots.end(), [](const auto& slot) { return slot.has_value(); });
}

std::size_t Profile::count(AnswerKind kind) const {
  return static_cast<std::size_t>(std::count_if(
      answers.begin(), answers.end(), [&](const Answer& answer) { return answer.kind == kind; }));
}

bool is_valid_profile_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxProfileName &&
         std::all_of(name.begin(), name.end(), name_char);
}

void check_profile_name(std::string_view name) {
  if (is_valid_profile_name(name)) return;
  const std::string rule = "a profile name is 1 to 64 letters, digits, '-', '_' or '.'";
  if (name.empty()) throw ProfileInputError("empty profile name: " + rule);
  if (name.size() > kMaxProfileName) {
    throw ProfileInputError("profile name " + shown(name) + " has " + std::to_string(name.size()) +
                            " characters: " + rule);
  }
  const auto bad = std::find_if_not(name.begin(), name.end(), name_char);
  throw ProfileInputError("profile name " + shown(name) + ": " + rule + "; character " +
                          std::to_string(bad - name.begin() + 1) + " is " +
                          shown(std::string_view(&*bad, 1)));
}

std::vector<ConfigField> StoreOptions::fields() {
  return {
      {"store.busy_timeout_ms",
       &busy_timeout_ms,
       0,
       600000,
       {},
       "SQLite: how long a write waits for another program's write, per try (milliseconds)"},
      {"store.busy_retries",
       &busy_retries,
       0,
       100,
       {},
       "SQLite: further tries after a wait for another writer runs out"},
      {"store.connect_timeout_s",
       &connect_timeout_s,
       1,
       600,
       {},
       "PostgreSQL: seconds to wait for the server when connecting"},
      {"store.reconnect_attempts",
       &reconnect_attempts,
       0,
       10,
       {},
       "PostgreSQL: times a call reconnects and runs again after losing its connection"},
  };
}

std::vector<ProfileSummary> ProfileStore::list_profiles() {
  std::vector<ProfileSummary> profiles = do_list();
  std::sort(profiles.begin(), profiles.end(),
            [](const ProfileSummary& a, const ProfileSummary& b) { return a.name < b.name; });
  return profiles;
}

std::optional<Profile> ProfileStore::load_profile(std::string_view name) {
  check_profile_name(name);
  return do_load(std::string(name));
}

namespace {

void check_answer(std::int32_t movie_id, std::int64_t answered_at) {
  if (movie_id <= 0) {
    throw ProfileInputError("movie id " + std::to_string(movie_id) + ": must be above 0");
  }
  if (answered_at < 0) {
    throw ProfileInputError("answered_at " + std::to_string(answered_at) +
                            ": must be Unix seconds, 0 or more");
  }
}

}  // namespace

Answer ProfileStore::append_answer(std::string_view name, AnswerKind kind, std::int32_t movie_id,
                                   std::int64_t answered_at) {
  check_profile_name(name);
  check_answer(movie_id, answered_at);
  if (kind == AnswerKind::kFavourite) {
    throw ProfileInputError(
        "a favourite is set with set_favourite (it takes a slot), not appended");
  }
  return do_append(std::string(name), Answer{0, kind, movie_id, answered_at, 0});
}

Answer ProfileStore::set_favourite(std::string_view name, int slot, std::int32_t movie_id,
                                   std::int64_t answered_at) {
  check_profile_name(name);
  check_answer(movie_id, answered_at);
  if (slot < 1 || slot > kFavouriteSlots) {
    throw ProfileInputError("favourite slot " + std::to_string(slot) + ": must be from 1 to " +
                            std::to_string(kFavouriteSlots));
  }
  return do_set_favourite(std::string(name),
                          Answer{0, AnswerKind::kFavourite, movie_id, answered_at, slot});
}

std::optional<Answer> ProfileStore::remove_answer(std::string_view name, std::int64_t seq) {
  check_profile_name(name);
  if (seq <= 0) return std::nullopt;  // seqs start at 1
  return do_remove(std::string(name), seq);
}

bool ProfileStore::delete_profile(std::string_view name) {
  check_profile_name(name);
  return do_delete(std::string(name));
}

StoreSpec parse_store_spec(std::string_view spec) {
  if (spec.empty()) {
    throw ProfileInputError("--profiles is empty: give a file path or a postgresql:// URL");
  }
  if (std::any_of(spec.begin(), spec.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    throw ProfileInputError("--profiles " + shown(spec) +
                            " holds control characters: give a file path or a postgresql:// URL");
  }
  StoreSpec out;
  out.target = std::string(spec);
  if (spec.starts_with("postgresql://") || spec.starts_with("postgres://")) {
    out.kind = StoreSpec::Kind::kPostgres;
    out.where = postgres_where(spec);
  } else if (has_scheme(spec)) {
    throw ProfileInputError("--profiles " + shown(spec.substr(0, spec.find("://") + 3)) +
                            "...: unknown kind of database; give a file path (SQLite) or a "
                            "postgresql:// URL");
  } else if (spec == ":memory:") {
    out.kind = StoreSpec::Kind::kSqliteMemory;
    out.where = "SQLite in memory";
  } else {
    out.kind = StoreSpec::Kind::kSqliteFile;
    out.where = out.target;
  }
  return out;
}

std::unique_ptr<ProfileStore> open_profile_store(std::string_view spec_text,
                                                 const StoreOptions& options, StoreOpen mode) {
  const StoreSpec spec = parse_store_spec(spec_text);
  if (spec.kind == StoreSpec::Kind::kPostgres) {
    return std::make_unique<PostgresProfileStore>(spec, options);
  }
  return std::make_unique<SqliteProfileStore>(spec, options, mode);
}

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace movierec
