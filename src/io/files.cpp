#include "movierec/io/files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <system_error>

#include "movierec/io/error.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

std::string errno_text() { return std::strerror(errno); }

void sync_path(const fs::path& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + path.string() + " to sync it: " + errno_text());
  const int rc = ::fsync(fd);
  const std::string reason = rc != 0 ? errno_text() : "";
  ::close(fd);
  if (rc != 0) throw Error("cannot sync " + path.string() + ": " + reason);
}

// The folder a path lives in, as something open() accepts ("." for a bare name).
fs::path parent_of(const fs::path& path) {
  fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

bool process_alive(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// Removes ".<name>.tmp-<pid>" folders whose process is gone (left by a killed run).
void remove_stale_temporaries(const fs::path& target) {
  const fs::path parent = parent_of(target);
  const std::string prefix = "." + target.filename().string() + ".tmp-";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    char* end = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (*end == '\0' && !process_alive(pid)) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

std::string fix_command(std::string_view program, std::initializer_list<FolderFlag> folders) {
  std::string command = "build/bin/" + std::string(program);
  for (const FolderFlag& folder : folders) {
    fs::path normal = folder.dir.lexically_normal();
    if (normal.filename().empty()) normal = normal.parent_path();  // "processed/"
    if (normal != fs::path(folder.default_dir)) {
      command += " " + std::string(folder.flag) + " " + folder.dir.string();
    }
  }
  return command;
}

std::ifstream open_input(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string reason = fs::is_directory(path) ? "is a folder, not a file" : errno_text();
    throw InputError(path.string(), 0, "cannot open: " + reason);
  }
  return in;
}

// ---------------------------------------------------------------------------------------------
// Checksum

Checksum::Checksum() : state_(XXH3_createState()) {
  if (state_ == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(state_));
}

Checksum::~Checksum() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void Checksum::update(const void* data, std::size_t size) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), data, size);
}

std::uint64_t Checksum::value() const {
  return XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_));
}

std::string Checksum::hex() const {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value()));
  return text;
}

std::string file_checksum(const fs::path& path) {
  std::ifstream in = open_input(path);
  Checksum sum;
  std::string chunk(1 << 20, '\0');
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    sum.update(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw InputError(path.string(), 0, "read error");
  return sum.hex();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// ---------------------------------------------------------------------------------------------
// AtomicDirectory

AtomicDirectory::AtomicDirectory(fs::path target) : target_(std::move(target)) {
  while (!target_.empty() && target_.filename().empty()) target_ = target_.parent_path();
  if (target_.empty()) throw Error("output folder name is empty");
  std::error_code ec;
  fs::create_directories(parent_of(target_), ec);
  if (ec) throw Error("cannot create " + parent_of(target_).string() + ": " + ec.message());
  remove_stale_temporaries(target_);
  temp_ = parent_of(target_) /
          ("." + target_.filename().string() + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(temp_, ec);
  if (!fs::create_directory(temp_, ec) || ec) {
    throw Error("cannot create temporary folder " + temp_.string() + ": " + ec.message());
  }
}

AtomicDirectory::~AtomicDirectory() {
  std::error_code ec;
  fs::remove_all(temp_, ec);
}

std::ofstream AtomicDirectory::create(const std::string& name) const {
  std::ofstream out(temp_ / name, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write " + (temp_ / name).string() + ": " + errno_text());
  return out;
}

void AtomicDirectory::commit() {
  if (committed_) return;
  std::error_code ec;
  const bool had_target = fs::is_directory(target_, ec);
  if (had_target) {
    for (const auto& entry : fs::directory_iterator(target_)) {
      // Only files people keep there travel on; a stale output of an older run must not.
      const std::string name = entry.path().filename().string();
      const bool kept = name == "README.md" || name.front() == '.';
      const fs::path mine = temp_ / name;
      if (!kept || fs::exists(mine)) continue;
      fs::copy(entry.path(), mine, fs::copy_options::recursive, ec);
      if (ec) throw Error("cannot carry over " + entry.path().string() + ": " + ec.message());
    }
  } else if (fs::exists(target_, ec)) {
    throw Error(target_.string() + " exists and is not a folder");
  }
  for (const auto& entry : fs::directory_iterator(temp_)) {
    if (entry.is_regular_file()) sync_path(entry.path(), false);
  }
  sync_path(temp_, true);
  const int rc =
      had_target ? ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE)
                 : ::rename(temp_.c_str(), target_.c_str());
  if (rc != 0) {
    throw Error("cannot move " + temp_.string() + " into place as " + target_.string() + ": " +
                errno_text());
  }
  committed_ = true;
  sync_path(parent_of(target_), true);
  // temp_ now holds the previous outputs (or nothing); the destructor removes it.
}

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);  // follows symlinks: /dev/stdout
  if (fs::is_directory(status)) throw Error("cannot write " + path.string() + ": it is a folder");
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    // A rename would put a regular file where the device or pipe was (/dev/null for everyone).
    std::ofstream out(path, std::ios::binary);
    if (!out) throw Error("cannot write " + path.string() + ": " + errno_text());
    write(out);
    out.flush();
    if (!out) throw Error("cannot write " + path.string() + ": " + errno_text());
    return;
  }
  const fs::path temp =
      parent_of(path) / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()));
  try {
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      if (!out) throw Error("cannot write " + temp.string() + ": " + errno_text());
      write(out);
      out.flush();
      if (!out) throw Error("cannot write " + temp.string() + " (disk full?)");
    }
    sync_path(temp, false);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      throw Error("cannot rename " + temp.string() + " to " + path.string() + ": " + errno_text());
    }
  } catch (...) {
    fs::remove(temp, ec);
    throw;
  }
}

}  // namespace movierec
