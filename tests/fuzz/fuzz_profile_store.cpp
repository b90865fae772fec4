// Fuzzes what the profile store takes from outside (profile_store.hpp). The input's first byte
// picks what the rest is:
//   0  a profile name: is_valid_profile_name must agree with the rule (1-64 of [A-Za-z0-9._-])
//      and with check_profile_name, which may only throw ProfileInputError;
//   1  a --profiles spec: parse_store_spec returns one of its kinds (a postgresql:// or
//      postgres:// URL only for PostgreSQL) or throws ProfileInputError (nothing is connected);
//   2  the bytes of a SQLite file: open_profile_store refuses it (StoreError) or opens it, and
//      then every call (list, load, append, favourite, undo, delete) returns or throws StoreError,
//      what was appended reads back and undo removes it.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_support.hpp"
#include "movierec/store/profile_store.hpp"

namespace {

using movierec::fuzz::check;

bool follows_the_rule(std::string_view name) {
  if (name.empty() || name.size() > movierec::kMaxProfileName) return false;
  for (const char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!allowed) return false;
  }
  return true;
}

void fuzz_name(std::string_view name) {
  const bool valid = movierec::is_valid_profile_name(name);
  check(valid == follows_the_rule(name), "is_valid_profile_name disagrees with the rule");
  try {
    movierec::check_profile_name(name);
    check(valid, "check_profile_name accepted an invalid name");
  } catch (const movierec::ProfileInputError&) {
    check(!valid, "check_profile_name refused a valid name");
  }
}

void fuzz_spec(std::string_view spec) {
  try {
    const movierec::StoreSpec parsed = movierec::parse_store_spec(spec);
    const bool url = spec.starts_with("postgresql://") || spec.starts_with("postgres://");
    check(url == (parsed.kind == movierec::StoreSpec::Kind::kPostgres),
          "a spec's kind does not follow its scheme");
    check(parsed.target == spec, "the spec's target is not the spec");
    check(!parsed.where.empty(), "a spec without a name for messages");
  } catch (const movierec::ProfileInputError&) {
  }
}

// Every call on an opened store; only StoreError may escape them.
void exercise(movierec::ProfileStore& store) {
  using movierec::AnswerKind;
  for (const auto& summary : store.list_profiles()) {
    try {
      store.load_profile(summary.name);
    } catch (const movierec::StoreError&) {
    }
  }
  const movierec::Answer added = store.append_answer("fuzz", AnswerKind::kLike, 7, 1000);
  const auto profile = store.load_profile("fuzz");
  check(profile.has_value() &&
            std::find(profile->answers.begin(), profile->answers.end(), added) !=
                profile->answers.end(),
        "an appended answer does not read back");
  store.set_favourite("fuzz", 1, 8, 1001);
  const auto removed = store.remove_answer("fuzz", added.seq);
  check(removed.has_value() && *removed == added, "undo removed another answer");
  check(store.delete_profile("fuzz"), "delete_profile lost the profile");
}

void fuzz_database(std::string_view bytes) {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("fuzz_profile_store-" + std::to_string(::getpid()) + ".sqlite"))
                                      .string();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  try {
    const auto store = movierec::open_profile_store(path, {}, movierec::StoreOpen::kExisting);
    try {
      exercise(*store);
    } catch (const movierec::StoreError&) {
      // A store that opened but is damaged further in: refused on use, never a crash.
    }
  } catch (const movierec::StoreError&) {
  }
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = movierec::fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: fuzz_name(rest); break;
    case 1: fuzz_spec(rest); break;
    default: fuzz_database(rest); break;
  }
  return 0;
}
