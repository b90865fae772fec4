// write_processed (processed.hpp): the whole processed/ folder at once. The rating files are
// most of the work (at 25 million ratings, 3.9 GB of text, most of it shortest round-trip
// doubles), so they are formatted in blocks by every core while one thread writes the blocks
// formatted before, in order.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <future>
#include <memory>
#include <sstream>
#include <thread>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/data/metadata.hpp"
#include "movierec/io/parallel.hpp"
#include "movierec/data/processed.hpp"
#include "movierec/data/processed_files.hpp"
#include "row_format.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

using namespace processed_files;

constexpr std::size_t kBlockRows = 1 << 15;  // rows a thread formats at a time
constexpr std::size_t kBlocksPerThread = 4;  // blocks formatted between two writes
// Bytes written between two requests to start writing back to disk, so that the final sync
// of the folder has little left to do.
constexpr std::size_t kWritebackBytes = std::size_t{64} << 20;
// A large file's bytes are gathered into blocks of this size, aligned to this boundary, and
// written past the page cache (O_DIRECT).
constexpr std::size_t kDirectBlockBytes = std::size_t{8} << 20;
constexpr std::size_t kDirectAlignment = 4096;

// A file written with POSIX calls, checksummed on the way (no second read for the manifest).
//
// With `direct`, the bytes go to the disk without passing through the page cache: on the 2-core
// virtual machine of the README's figures, putting each 4 KB page of a 4.4 GB folder into the
// cache costs more than the disk's own writing (dd: 368 MB/s through the cache and fsync, 973
// MB/s direct). A file system that refuses direct writes (tmpfs) gets ordinary ones.
class OutputFile {
 public:
  explicit OutputFile(fs::path path, bool direct = false) : path_(std::move(path)) {
    constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    if (direct) {
      fd_ = ::open(path_.c_str(), kFlags | O_DIRECT, 0644);
      if (fd_ >= 0) {
        block_.reset(static_cast<char*>(std::aligned_alloc(kDirectAlignment, kDirectBlockBytes)));
        if (!block_) fail();
      }
    }
    if (fd_ < 0) fd_ = ::open(path_.c_str(), kFlags, 0644);
    if (fd_ < 0) fail();
  }
  ~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes) {
    sum_.update(bytes);
    if (!block_) {
      write_through(bytes);
      return;
    }
    while (!bytes.empty()) {
      const std::size_t take = std::min(bytes.size(), kDirectBlockBytes - held_);
      std::memcpy(block_.get() + held_, bytes.data(), take);
      held_ += take;
      bytes.remove_prefix(take);
      if (held_ == kDirectBlockBytes) {
        write_through({block_.get(), held_});
        held_ = 0;
      }
    }
  }
  std::string close() {
    if (block_ && held_ > 0) {
      const std::size_t whole = held_ / kDirectAlignment * kDirectAlignment;
      write_through({block_.get(), whole});
      // The last bytes fill no whole block: written through the cache.
      buffered();
      write_through({block_.get() + whole, held_ - whole});
    }
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail();
    return sum_.hex();
  }

 private:
  void write_through(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t done = ::write(fd_, bytes.data(), bytes.size());
      if (done < 0 && errno == EINTR) continue;
      if (done < 0 && errno == EINVAL && block_) {
        buffered();  // a file system that takes O_DIRECT at open but not these blocks
        continue;
      }
      if (done <= 0) fail();
      bytes.remove_prefix(static_cast<std::size_t>(done));
      size_ += static_cast<std::size_t>(done);
    }
    if (!block_ && size_ - written_back_ >= kWritebackBytes) {
      // Only a hint: the folder's commit syncs every file anyway.
      ::sync_file_range(fd_, static_cast<off_t>(written_back_),
                        static_cast<off_t>(size_ - written_back_), SYNC_FILE_RANGE_WRITE);
      written_back_ = size_;
    }
  }
  // Ordinary writes from here on.
  void buffered() {
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) fail();
  }
  [[noreturn]] void fail() const {
    throw Error("cannot write " + path_.string() + ": " + std::strerror(errno));
  }

  struct Free {
    void operator()(char* p) const { std::free(p); }
  };

  fs::path path_;
  int fd_ = -1;
  std::unique_ptr<char, Free> block_;  // direct writes: the block being filled
  std::size_t held_ = 0;               // bytes in it
  std::size_t size_ = 0;
  std::size_t written_back_ = 0;
  Checksum sum_;
};

// {"<id>": value, ...} with one entry a line, ids in increasing order.
template <typename Value>
std::string id_object(std::vector<std::pair<std::int32_t, Value>> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text = "{";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    text += i == 0 ? "\n  \"" : ",\n  \"";
    text += std::to_string(entries[i].first) + "\": ";
    char number[32];
    text.append(number, std::to_chars(number, number + sizeof number, entries[i].second).ptr);
  }
  text += entries.empty() ? "}\n" : "\n}\n";
  return text;
}

// The small files, as text, with their row counts.
struct SmallFile {
  std::string name;
  std::string text;
  std::size_t rows;
};

std::vector<SmallFile> small_files(const ProcessedData& data) {
  std::ostringstream metadata;
  write_movie_metadata(metadata, data.metadata);
  std::ostringstream movies;
  {
    CsvWriter csv(movies);
    csv.row("movieId", "title", "genres");
    for (const Movie& m : data.movies) csv.row(std::int64_t{m.id}, m.title, m.genres);
  }
  std::vector<std::pair<std::int32_t, std::int64_t>> popularity;
  for (const Movie& m : data.movies) {
    const auto found = data.stats.movie_counts.find(m.id);
    popularity.emplace_back(m.id, found == data.stats.movie_counts.end() ? 0 : found->second);
  }
  const auto& means = data.stats.user_means;
  return {
      {kMovieMetadata, metadata.str(), data.metadata.size()},
      {kMoviesFiltered, movies.str(), data.movies.size()},
      {kUserMeans,
       id_object(std::vector<std::pair<std::int32_t, double>>(means.begin(), means.end())),
       means.size()},
      {kMoviePopularity, id_object(std::move(popularity)), data.movies.size()},
      {kTrainMaxTimestamp, std::to_string(data.stats.max_timestamp) + "\n", 1},
  };
}

struct RatingFile {
  std::string name;
  const RatingPieces* ratings;
  bool transformed;
};

// Text buffers of one batch of blocks, allocated once (and never zero-filled).
struct Batch {
  explicit Batch(std::size_t blocks)
      : room(max_rows_text(kBlockRows, true)),
        text(std::make_unique_for_overwrite<char[]>(blocks * room)),
        ends(blocks, nullptr) {}
  char* block(std::size_t i) const { return text.get() + i * room; }

  std::size_t room;  // characters per block
  std::unique_ptr<char[]> text;
  std::vector<char*> ends;  // where each block's text ends
};

// Formats blocks of rows on every thread into one of two batches while a writer thread writes
// the other batch, in order; returns the file's checksum.
std::string write_rating_file(const fs::path& path, const RatingFile& file,
                              const Transformer& transformer, Batch (&batches)[2],
                              const std::function<void(std::size_t)>& report) {
  OutputFile out(path, true);
  out.write(rating_header(file.transformed));
  const RatingPieces& rows = *file.ratings;
  const std::size_t batch_blocks = batches[0].ends.size();
  const std::size_t block_count = (rows.size() + kBlockRows - 1) / kBlockRows;
  std::future<void> writing;
  for (std::size_t first = 0, set = 0; first < block_count; first += batch_blocks, set ^= 1) {
    Batch& batch = batches[set];
    const std::size_t count = std::min(batch_blocks, block_count - first);
    parallel_for(count, [&](std::size_t i) {
      const std::size_t begin = (first + i) * kBlockRows;
      char* end = batch.block(i);
      for (const auto part : rows.range(begin, std::min(kBlockRows, rows.size() - begin))) {
        end = file.transformed ? put_rows(end, part, transformer) : put_rows(end, part);
      }
      batch.ends[i] = end;
    });
    if (writing.valid()) writing.get();  // the other batch is free again
    writing = std::async(std::launch::async, [&out, &batch, count] {
      for (std::size_t i = 0; i < count; ++i) {
        out.write({batch.block(i), static_cast<std::size_t>(batch.ends[i] - batch.block(i))});
      }
    });
    report(std::min(rows.size(), (first + count) * kBlockRows) - first * kBlockRows);
  }
  if (writing.valid()) writing.get();
  return out.close();
}

}  // namespace

void write_processed(const fs::path& dir, const ProcessedData& data, const PipelineConfig& config,
                     nlohmann::json manifest,
                     const std::function<void(std::size_t rows)>& progress) {
  AtomicDirectory folder(dir);
  std::size_t rows_written = 0;
  const auto report = [&](std::size_t rows) {
    rows_written += rows;
    if (progress) progress(rows_written);
  };
  const RatingPieces filtered(data.filtered.ratings), rare_train(data.rare_train);
  const std::vector<RatingFile> rating_files = {
      {kRatingsFiltered, &filtered, false},
      {kTrain, &data.split.train, false},
      {kVal, &data.split.val, false},
      {kTest, &data.split.test, false},
      {kTrainTransformed, &data.split.train, true},
      {kValTransformed, &data.split.val, true},
      {kTestTransformed, &data.split.test, true},
      {kRareTrainTransformed, &rare_train, true},
  };
  const Transformer transformer(data.stats, config);
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t batch_blocks = threads * kBlocksPerThread;
  {
    Batch batches[2] = {Batch(batch_blocks), Batch(batch_blocks)};
    for (const RatingFile& file : rating_files) {
      const std::string checksum =
          write_rating_file(folder.path() / file.name, file, transformer, batches, report);
      manifest["files"][file.name] = {{"rows", file.ratings->size()}, {"checksum", checksum}};
    }
  }
  for (const SmallFile& file : small_files(data)) {
    OutputFile out(folder.path() / file.name);
    out.write(file.text);
    manifest["files"][file.name] = {{"rows", file.rows}, {"checksum", out.close()}};
  }

  manifest["format_version"] = kProcessedFormatVersion;
  manifest["program"] = "preprocess";
  manifest["created"] = utc_now();
  manifest["config"] = config.to_json();
  OutputFile out(folder.path() / kManifest);
  out.write(manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  out.close();
  folder.commit();
}

}  // namespace movierec
