// write_processed (processed.hpp): the whole processed/ folder at once. The rating files are
// most of the work (at 25 million ratings, 3.9 GB of text, most of it shortest round-trip
// doubles), so they are formatted in blocks by every core while one thread writes the blocks
// formatted before, in order.

#include <algorithm>
#include <charconv>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "movierec/data/metadata.hpp"
#include "movierec/data/processed.hpp"
#include "movierec/data/processed_files.hpp"
#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/memory.hpp"
#include "movierec/io/parallel.hpp"
#include "row_format.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

using namespace processed_files;

constexpr std::size_t kBlockRows = 1 << 15;  // rows a thread formats at a time
constexpr std::size_t kBlocksPerThread = 4;  // blocks formatted between two writes
// Rating files of at least this many rows (50 MB and more) are written past the page cache
// (OutputFile's `direct`). Below, the writer's waits on each block cost more than the cache
// saves: on 1M ratings preprocess took 1.07-1.17 s writing direct, 0.93-1.01 s through the cache.
constexpr std::size_t kDirectRows = 2'000'000;

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
        ends(blocks, nullptr) {
    prefer_huge_pages(text.get(), blocks * room);  // 48 MB on 2 cores, written over and over
  }
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
  OutputFile out(path, file.ratings->size() >= kDirectRows);
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
      std::optional<TransformedRowWriter> writer;
      if (file.transformed) writer.emplace(transformer);
      for (const auto part : rows.range(begin, std::min(kBlockRows, rows.size() - begin))) {
        end = writer ? writer->put_rows(end, part) : put_rows(end, part);
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
