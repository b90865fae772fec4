#include "movierec/processed.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fstream>
#include <limits>
#include <mutex>
#include <streambuf>

#include "movierec/csv.hpp"
#include "movierec/error.hpp"
#include "movierec/files.hpp"
#include "movierec/metadata.hpp"
#include "movierec/parallel.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

constexpr const char* kFixCommand = "build/bin/preprocess";
constexpr float kMinStars = 0.5f;
constexpr float kMaxStars = 5.0f;
// Rows between progress reports, and the grain at which the transform is done and written.
constexpr std::size_t kProgressRows = 1 << 16;

constexpr std::string_view kRatingColumns[] = {"userId", "movieId", "rating", "timestamp"};
constexpr std::string_view kTransformColumns[] = {"rating_norm", "pop_weight", "time_weight",
                                                  "final_rating"};

// Forwards bytes to another stream buffer and checksums them on the way, so a file's checksum
// costs no second read.
class ChecksumBuffer : public std::streambuf {
 public:
  explicit ChecksumBuffer(std::streambuf* target) : target_(target) {}
  std::string hex() const { return sum_.hex(); }

 protected:
  std::streamsize xsputn(const char* text, std::streamsize size) override {
    sum_.update(text, static_cast<std::size_t>(size));
    return target_->sputn(text, size);
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char byte = traits_type::to_char_type(c);
    sum_.update(&byte, 1);
    return target_->sputc(byte);
  }
  int sync() override { return target_->pubsync(); }

 private:
  std::streambuf* target_;
  Checksum sum_;
};

// "4.0", "4.5", "3.25": stars as MovieLens writes them, exact for any float.
std::string_view stars_text(float stars, char (&text)[32]) {
  auto [end, ec] = std::to_chars(text, text + sizeof text - 2, stars);
  if (std::find_if(text, end, [](char c) { return c == '.' || c == 'e'; }) == end) {
    *end++ = '.';
    *end++ = '0';
  }
  return {text, static_cast<std::size_t>(end - text)};
}

void write_header(CsvWriter& csv, bool transformed) {
  for (std::string_view name : kRatingColumns) csv.field(name);
  if (transformed) {
    for (std::string_view name : kTransformColumns) csv.field(name);
  }
  csv.end_row();
}

void rating_fields(CsvWriter& csv, const Rating& r) {
  char text[32];
  csv.field(std::int64_t{r.user}).field(std::int64_t{r.movie}).field(stars_text(r.rating, text));
  csv.field(r.timestamp);
}

void transformed_row(CsvWriter& csv, const TransformedRating& t) {
  rating_fields(csv, t.rating);
  csv.field(t.rating_norm).field(t.pop_weight).field(t.time_weight).field(t.final_rating);
  csv.end_row();
}

std::int32_t to_id(const CsvReader& reader, std::size_t column) {
  const std::int64_t value = reader.to_int(column);
  if (value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max()) {
    reader.fail("column '" + reader.header()[column] +
                "': id out of range: " + std::to_string(value));
  }
  return static_cast<std::int32_t>(value);
}

// Reads the rating columns of every row, and through `more` the `extra` columns into its result.
template <typename Row, typename More>
std::vector<Row> read_rows(std::istream& in, const std::string& source,
                           const std::vector<std::string_view>& extra, More more) {
  CsvReader reader(in, source);
  reader.read_header();
  std::size_t columns[4];
  for (std::size_t i = 0; i < 4; ++i) columns[i] = reader.column(kRatingColumns[i]);
  std::vector<std::size_t> extra_columns;
  for (std::string_view name : extra) extra_columns.push_back(reader.column(name));
  std::vector<Row> rows;
  while (reader.next()) {
    Rating r;
    r.user = to_id(reader, columns[0]);
    r.movie = to_id(reader, columns[1]);
    const double stars = reader.to_double(columns[2]);
    if (!(stars >= kMinStars && stars <= kMaxStars)) {
      reader.fail("column 'rating': expected stars from 0.5 to 5, found " +
                  std::string(reader.field(columns[2])));
    }
    r.rating = static_cast<float>(stars);
    r.timestamp = reader.to_int(columns[3]);
    rows.push_back(more(reader, r, extra_columns));
  }
  return rows;
}

// {"<id>": value, ...} with one entry a line, ids in increasing order.
template <typename Value>
std::size_t write_id_object(std::ostream& out,
                            std::vector<std::pair<std::int32_t, Value>> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text = "{";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    text += i == 0 ? "\n  \"" : ",\n  \"";
    text += std::to_string(entries[i].first) + "\": ";
    char number[32];
    auto [end, ec] = std::to_chars(number, number + sizeof number, entries[i].second);
    text.append(number, end);
  }
  text += entries.empty() ? "}\n" : "\n}\n";
  out << text;
  return entries.size();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// One file of the folder: its name and how to write it (returns its row count).
struct Output {
  std::string name;
  std::function<std::size_t(std::ostream&)> write;
};

}  // namespace

std::vector<Rating> read_ratings(std::istream& in, const std::string& source) {
  return read_rows<Rating>(in, source, {},
                           [](const CsvReader&, const Rating& r, const auto&) { return r; });
}

std::vector<TransformedRating> read_transformed(std::istream& in, const std::string& source) {
  const std::vector<std::string_view> extra(std::begin(kTransformColumns),
                                            std::end(kTransformColumns));
  return read_rows<TransformedRating>(
      in, source, extra,
      [](const CsvReader& reader, const Rating& r, const std::vector<std::size_t>& columns) {
        TransformedRating t;
        t.rating = r;
        t.rating_norm = reader.to_double(columns[0]);
        t.pop_weight = reader.to_double(columns[1]);
        t.time_weight = reader.to_double(columns[2]);
        t.final_rating = reader.to_double(columns[3]);
        return t;
      });
}

std::vector<Rating> read_ratings_file(const fs::path& path) {
  std::ifstream in = open_input(path);
  return read_ratings(in, path.string());
}

std::vector<TransformedRating> read_transformed_file(const fs::path& path) {
  std::ifstream in = open_input(path);
  return read_transformed(in, path.string());
}

void write_ratings(std::ostream& out, const std::vector<Rating>& ratings) {
  CsvWriter csv(out);
  write_header(csv, false);
  for (const Rating& r : ratings) {
    rating_fields(csv, r);
    csv.end_row();
  }
  csv.flush();
}

void write_transformed(std::ostream& out, const std::vector<TransformedRating>& ratings) {
  CsvWriter csv(out);
  write_header(csv, true);
  for (const TransformedRating& t : ratings) transformed_row(csv, t);
  csv.flush();
}

void write_processed(const fs::path& dir, const ProcessedData& data, const PipelineConfig& config,
                     nlohmann::json manifest,
                     const std::function<void(std::size_t rows)>& progress) {
  AtomicDirectory folder(dir);
  std::mutex progress_mutex;
  std::size_t rows_written = 0;
  const auto report = [&](std::size_t rows) {
    if (!progress) return;
    const std::lock_guard<std::mutex> lock(progress_mutex);
    rows_written += rows;
    progress(rows_written);
  };
  const Transformer transformer(data.stats, config);
  // Rating files, with or without the transform; rows are reported in batches.
  const auto ratings_file = [&](const std::vector<Rating>& ratings, bool transformed) {
    return [&ratings, transformed, &transformer, &report](std::ostream& out) {
      CsvWriter csv(out);
      write_header(csv, transformed);
      for (std::size_t i = 0; i < ratings.size(); ++i) {
        if (transformed) {
          transformed_row(csv, transformer(ratings[i]));
        } else {
          rating_fields(csv, ratings[i]);
          csv.end_row();
        }
        if ((i + 1) % kProgressRows == 0) report(kProgressRows);
      }
      csv.flush();
      report(ratings.size() % kProgressRows);
      return ratings.size();
    };
  };
  // Largest first, so the threads finish together.
  const std::vector<Output> outputs = {
      {"train_transformed.csv", ratings_file(data.split.train, true)},
      {"ratings_filtered.csv", ratings_file(data.filtered.ratings, false)},
      {"train.csv", ratings_file(data.split.train, false)},
      {"val_transformed.csv", ratings_file(data.split.val, true)},
      {"test_transformed.csv", ratings_file(data.split.test, true)},
      {"val.csv", ratings_file(data.split.val, false)},
      {"test.csv", ratings_file(data.split.test, false)},
      {"movie_metadata.csv",
       [&](std::ostream& out) {
         write_movie_metadata(out, data.metadata);
         return data.metadata.size();
       }},
      {"movies_filtered.csv",
       [&](std::ostream& out) {
         CsvWriter csv(out);
         csv.row("movieId", "title", "genres");
         for (const Movie& m : data.movies) csv.row(std::int64_t{m.id}, m.title, m.genres);
         csv.flush();
         return data.movies.size();
       }},
      {"user_means.json",
       [&](std::ostream& out) {
         return write_id_object(
             out, std::vector<std::pair<std::int32_t, double>>(data.stats.user_means.begin(),
                                                               data.stats.user_means.end()));
       }},
      {"movie_popularity.json",
       [&](std::ostream& out) {
         std::vector<std::pair<std::int32_t, std::int64_t>> counts;
         for (const Movie& m : data.movies) {
           const auto found = data.stats.movie_counts.find(m.id);
           counts.emplace_back(m.id, found == data.stats.movie_counts.end() ? 0 : found->second);
         }
         return write_id_object(out, std::move(counts));
       }},
      {"train_max_timestamp.txt",
       [&](std::ostream& out) {
         out << data.stats.max_timestamp << '\n';
         return std::size_t{1};
       }},
  };
  std::vector<nlohmann::json> written(outputs.size());
  parallel_for(outputs.size(), [&](std::size_t i) {
    std::ofstream file = folder.create(outputs[i].name);
    ChecksumBuffer buffer(file.rdbuf());
    std::ostream out(&buffer);
    const std::size_t rows = outputs[i].write(out);
    out.flush();
    file.close();
    if (!out || !file) throw Error("cannot write " + (folder.path() / outputs[i].name).string());
    written[i] = {{"rows", rows}, {"checksum", buffer.hex()}};
  });

  manifest["format_version"] = kProcessedFormatVersion;
  manifest["program"] = "preprocess";
  manifest["created"] = utc_now();
  manifest["config"] = config.to_json();
  for (std::size_t i = 0; i < outputs.size(); ++i) manifest["files"][outputs[i].name] = written[i];
  std::ofstream file = folder.create("manifest.json");
  file << manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  file.close();
  if (!file) throw Error("cannot write " + (folder.path() / "manifest.json").string());
  folder.commit();
}

nlohmann::json read_processed_manifest(const fs::path& processed_dir) {
  const fs::path path = processed_dir / "manifest.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ModelError(path.string() + " is missing: " + processed_dir.string() +
                         " has not been made by preprocess",
                     kFixCommand);
  }
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(path.string() + " is not valid JSON (" + e.what() + ")", kFixCommand);
  }
  const auto version = manifest.is_object() ? manifest.find("format_version") : manifest.end();
  if (!manifest.is_object() || version == manifest.end() || !version->is_number_integer()) {
    throw ModelError(path.string() + " has no format_version", kFixCommand);
  }
  if (*version != kProcessedFormatVersion) {
    throw ModelError(path.string() + " has format version " + version->dump() +
                         "; this build reads version " + std::to_string(kProcessedFormatVersion),
                     kFixCommand);
  }
  if (manifest.value("program", "") != "preprocess" || !manifest.contains("files") ||
      !manifest["files"].is_object()) {
    throw ModelError(path.string() + " was not written by preprocess (no program or files)",
                     kFixCommand);
  }
  return manifest;
}

}  // namespace movierec
