// Files in and out: opening with clear errors, checksums that identify a run's inputs, and
// atomic output (a whole folder or a single file appears complete or not at all).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace movierec {

// A folder as a fix command names it: the program's flag for it, the folder in use, and the
// program's default for that flag.
struct FolderFlag {
  std::string_view flag;  // "--out"
  std::filesystem::path dir;
  std::string_view default_dir;  // "processed"
};

// The command that remakes a data folder, as ModelError names it: "build/bin/<program>" and
// " <flag> <dir>" for each folder that is not the flag's default ("processed/" is the default
// "processed"). The one place that spells where the programs are.
std::string fix_command(std::string_view program, std::initializer_list<FolderFlag> folders);

// Opens `path` for binary reading. Throws InputError(path, 0, "cannot open: <reason>").
std::ifstream open_input(const std::filesystem::path& path);

// Incremental 64-bit checksum (XXH3) of a byte stream; hex() gives 16 lowercase hex digits.
class Checksum {
 public:
  Checksum();
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  std::uint64_t value() const;
  std::string hex() const;

 private:
  void* state_;
};

// Checksum of a whole file's bytes; throws InputError if it cannot be read.
std::string file_checksum(const std::filesystem::path& path);

// The current time in UTC, ISO 8601 to the second ("2026-11-21T18:33:29Z"): the "created" of
// every manifest.
std::string utc_now();

// A file written with POSIX calls and checksummed on the way (no second read for a manifest).
// Throws Error naming the path when it cannot be opened or written. Ordinary writes ask the
// kernel to start writing back every 64 MB and the rest at close(), so that a later fsync has
// little left to do.
//
// With `direct`, the bytes go to the disk past the page cache (O_DIRECT), gathered into aligned
// 8 MB blocks, the last part through the cache: on the virtual machine of the README's figures
// putting each 4 KB page into the cache costs more than the disk's own writing (dd: 368 MB/s
// through the cache and fsync, 973 MB/s direct), so it pays for files of tens of megabytes and
// more. A file system that refuses direct writes (tmpfs) gets ordinary ones. Either way the
// file is durable only once synced (AtomicDirectory::commit).
class OutputFile {
 public:
  explicit OutputFile(std::filesystem::path path, bool direct = false);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes);
  // Writes what is held, closes the file, and returns the checksum of every byte written.
  std::string close();

 private:
  void write_through(std::string_view bytes);
  void stop_direct();
  [[noreturn]] void fail() const;

  struct Free {
    void operator()(char* p) const;
  };

  std::filesystem::path path_;
  int fd_ = -1;
  std::unique_ptr<char, Free> block_;  // direct writes: the block being filled
  std::size_t held_ = 0;               // bytes in it
  std::size_t size_ = 0;
  std::size_t written_back_ = 0;
  Checksum sum_;
};

// A folder of outputs that replaces `target` in one step. Files are written into path(), a hidden
// sibling of the target (".<name>.tmp-<pid>"). commit() syncs them to disk and exchanges the two
// folders atomically (renameat2 RENAME_EXCHANGE), so a reader or a killed run only ever sees the
// old folder or the new one, whole. The old folder's README.md and dotfiles (.gitkeep) are
// carried over; its other files are outputs of an older run and are dropped. Without commit(), the
// destructor deletes the temporary folder and the target stays as it was. Leftover temporary
// folders of killed runs are removed.
class AtomicDirectory {
 public:
  explicit AtomicDirectory(std::filesystem::path target);
  ~AtomicDirectory();
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;

  const std::filesystem::path& path() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }
  // Opens path()/name for binary writing; throws Error if it cannot.
  std::ofstream create(const std::string& name) const;
  // Throws Error if syncing or renaming fails (the target is then unchanged).
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

// Writes one file atomically: `write` fills a temporary sibling, which is synced and renamed
// over `path`. Throws Error on failure, leaving any previous file intact. A `path` that exists
// and is neither a regular file nor a folder (a device such as /dev/null or /dev/stdout, a FIFO,
// also through a symlink) is written into directly, since renaming over it would replace it;
// a folder is refused with Error.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

}  // namespace movierec
