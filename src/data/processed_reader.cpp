// ProcessedFolder (processed_folder.hpp): the reading side of processed/; processed_folder.cpp
// writes the folder.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <streambuf>

#include "movierec/data/processed.hpp"
#include "movierec/data/processed_files.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/io/csv.hpp"
#include "movierec/io/files.hpp"

namespace fs = std::filesystem;

namespace movierec {
namespace {

using namespace processed_files;
constexpr std::size_t kReadChunk = std::size_t{1} << 20;
// The shortest data row ("1,1,1,1\n"), so that a damaged manifest cannot reserve more rows than
// a file holds.
constexpr std::size_t kMinRatingRowBytes = 8;

// Reads a file through this buffer to checksum exactly the bytes parsed, in the same pass, and
// to report progress in bytes.
class ChecksumInput : public std::streambuf {
 public:
  ChecksumInput(const fs::path& path, std::string step, const ProgressSink& progress)
      : path_(path),
        file_(open_input(path)),
        buffer_(kReadChunk),
        step_(std::move(step)),
        progress_(progress) {
    std::error_code ec;
    if (progress_) total_ = static_cast<std::size_t>(fs::file_size(path, ec));
  }

  // Reads whatever the parser left, and returns the checksum of the whole file.
  std::string finish() {
    while (underflow() != traits_type::eof()) setg(egptr(), egptr(), egptr());
    return sum_.hex();
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    file_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    if (file_.bad()) throw InputError(path_.string(), 0, "read error");
    const auto got = static_cast<std::size_t>(file_.gcount());
    if (got == 0) return traits_type::eof();
    sum_.update(buffer_.data(), got);
    bytes_ += got;
    if (progress_) progress_(step_, bytes_, total_);
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  fs::path path_;
  std::ifstream file_;
  std::vector<char> buffer_;
  Checksum sum_;
  std::size_t bytes_ = 0;
  std::size_t total_ = 0;
  std::string step_;
  const ProgressSink& progress_;
};

// The data rows the manifest records for a file (0 when it does not say), at most what the
// file's size could hold.
std::size_t expected_rows(const nlohmann::json& entry, const fs::path& path,
                          std::size_t min_row_bytes) {
  const auto rows = entry.find("rows");
  if (rows == entry.end() || !rows->is_number_unsigned()) return 0;
  std::error_code ec;
  const auto bytes = fs::file_size(path, ec);
  return ec ? 0
            : std::min(rows->get<std::size_t>(), static_cast<std::size_t>(bytes) / min_row_bytes);
}

}  // namespace

ProcessedFolder::ProcessedFolder(fs::path dir) : dir_(std::move(dir)) {
  const std::string path = (dir_ / kManifest).string();
  std::ifstream in(dir_ / kManifest, std::ios::binary);
  if (!in) {
    throw error(path + " is missing: " + dir_.string() + " has not been made by preprocess");
  }
  try {
    manifest_ = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw error(path + " is not valid JSON (" + e.what() + ")");
  }
  const auto version = manifest_.is_object() ? manifest_.find("format_version") : manifest_.end();
  if (!manifest_.is_object() || version == manifest_.end() || !version->is_number_integer()) {
    throw error(path + " has no format_version");
  }
  if (*version != kProcessedFormatVersion) {
    throw error(path + " has format version " + version->dump() + "; this build reads version " +
                std::to_string(kProcessedFormatVersion));
  }
  // Compared as JSON values, so that a "program" of another type is refused, not thrown on.
  const auto program = manifest_.find("program");
  const auto files = manifest_.find("files");
  if (program == manifest_.end() || *program != "preprocess" || files == manifest_.end() ||
      !files->is_object()) {
    throw error(path + " was not written by preprocess (no program or files)");
  }
}

std::string ProcessedFolder::fix() const {
  return fix_command("preprocess", {{"--out", dir_, kDefaultDir}});
}

ModelError ProcessedFolder::error(const std::string& problem) const {
  return ModelError(problem, fix());
}

const nlohmann::json* ProcessedFolder::listed(std::string_view name) const {
  const nlohmann::json& files = manifest_.at("files");
  const auto entry = files.find(std::string(name));
  if (entry == files.end() || !entry->is_object()) return nullptr;
  const auto checksum = entry->find("checksum");
  return checksum != entry->end() && checksum->is_string() ? &*entry : nullptr;
}

std::string ProcessedFolder::checksum(std::string_view name) const {
  const nlohmann::json* entry = listed(name);
  return entry != nullptr ? entry->at("checksum").get<std::string>() : "";
}

void ProcessedFolder::require(std::string_view name) const {
  if (listed(name) == nullptr) {
    throw error((dir_ / kManifest).string() + " lists no checksum for " + std::string(name));
  }
  const fs::path path = dir_ / name;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw error(path.string() + " is missing");
}

std::string ProcessedFolder::read(std::string_view name) const {
  require(name);
  const fs::path path = dir_ / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(path.string() + " is missing");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw error("cannot read " + path.string());
  Checksum sum;
  sum.update(bytes);
  const std::string expected = checksum(name);
  if (sum.hex() != expected) {
    throw error(fmt::format("{} has changed since preprocess wrote it (checksum {}, {} says {})",
                            path.string(), sum.hex(), (dir_ / kManifest).string(), expected));
  }
  return bytes;
}

void ProcessedFolder::read_streamed(
    std::string_view name, const std::function<void(std::istream&, const std::string&)>& parse,
    const ProgressSink& progress) const {
  require(name);
  const fs::path path = dir_ / name;
  std::optional<ChecksumInput> buffer;
  try {
    buffer.emplace(path, "reading " + std::string(name), progress);
  } catch (const InputError& e) {
    throw error(e.what());
  }
  std::istream in(&*buffer);
  try {
    parse(in, path.string());
  } catch (const InputError& e) {
    throw error(std::string(e.what()) + " (the file is not as preprocess wrote it)");
  }
  const std::string sum = buffer->finish();
  const std::string expected = checksum(name);
  if (sum != expected) {
    throw error(fmt::format("{} has changed since preprocess wrote it (checksum {}, {} says {})",
                            path.string(), sum, (dir_ / kManifest).string(), expected));
  }
}

std::vector<Rating> ProcessedFolder::read_ratings(std::string_view name) const {
  std::vector<Rating> rows;
  read_streamed(name, [&](std::istream& in, const std::string& source) {
    rows = movierec::read_ratings(in, source, expected_rows(name));
  });
  return rows;
}

std::vector<Rating> ProcessedFolder::read_train_ratings_of_every_movie() const {
  std::vector<Rating> rows = read_ratings(kTrain);
  if (listed(kRareTrainTransformed) != nullptr) {
    // Reserved: not a doubling of the train rows.
    rows.reserve(rows.size() + expected_rows(kRareTrainTransformed));
    read_rating_blocks(kRareTrainTransformed, [&](std::span<const Rating> block) {
      rows.insert(rows.end(), block.begin(), block.end());
    });
  }
  return rows;
}

std::vector<TransformedRating> ProcessedFolder::read_transformed(
    std::string_view name, const ProgressSink& progress) const {
  std::vector<TransformedRating> rows;
  read_transformed_blocks(
      name,
      [&](std::span<const TransformedRating> block) {
        if (rows.empty()) rows.reserve(expected_rows(name));
        rows.insert(rows.end(), block.begin(), block.end());
      },
      progress);
  return rows;
}

void ProcessedFolder::read_transformed_blocks(
    std::string_view name, const std::function<void(std::span<const TransformedRating>)>& consume,
    const ProgressSink& progress) const {
  read_streamed(
      name,
      [&](std::istream& in, const std::string& source) {
        movierec::read_transformed_blocks(in, source, consume);
      },
      progress);
}

void ProcessedFolder::read_rating_blocks(
    std::string_view name, const std::function<void(std::span<const Rating>)>& consume,
    const ProgressSink& progress) const {
  read_streamed(
      name,
      [&](std::istream& in, const std::string& source) {
        movierec::read_rating_blocks(in, source, consume);
      },
      progress);
}

std::size_t ProcessedFolder::expected_rows(std::string_view name) const {
  const nlohmann::json* entry = listed(name);
  return entry != nullptr ? movierec::expected_rows(*entry, dir_ / name, kMinRatingRowBytes) : 0;
}

Catalog ProcessedFolder::read_catalog() const {
  std::istringstream in(read(kMovieMetadata));
  try {
    return Catalog::read(in, (dir_ / kMovieMetadata).string());
  } catch (const Error& e) {
    throw error(e.what());
  }
}

std::unordered_map<std::int32_t, std::int64_t> ProcessedFolder::read_popularity() const {
  const std::string source = (dir_ / kMoviePopularity).string();
  const auto fail = [&](const std::string& problem) { return error(source + ": " + problem); };
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read(kMoviePopularity));
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("not valid JSON: ") + e.what());
  }
  if (!json.is_object()) throw fail("expected a JSON object {\"<movieId>\": train ratings}");
  std::unordered_map<std::int32_t, std::int64_t> popularity;
  popularity.reserve(json.size());
  for (const auto& [key, value] : json.items()) {
    const auto id = parse_int(key);
    if (!id || *id < std::numeric_limits<std::int32_t>::min() ||
        *id > std::numeric_limits<std::int32_t>::max()) {
      throw fail("key \"" + key + "\" is not a movie id");
    }
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      throw fail("movie " + key + ": " + value.dump() + " is not a count of ratings");
    }
    popularity.emplace(static_cast<std::int32_t>(*id), value.get<std::int64_t>());
  }
  return popularity;
}

}  // namespace movierec
