// processed/ as its readers see it (train_svd, recommend, evaluate): the manifest read and checked
// once, every file it lists handed out only as the bytes preprocess recorded, and the command
// that remakes the folder named in every refusal. processed.hpp describes the files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "movierec/data/catalog.hpp"
#include "movierec/data/movielens.hpp"
#include "movierec/data/pipeline.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/progress.hpp"

namespace movierec {

class ProcessedFolder {
 public:
  static constexpr std::string_view kDefaultDir = "processed";  // preprocess's default --out

  // Reads and checks dir/manifest.json: present, valid JSON, this build's format version,
  // written by preprocess, with a "files" object. Throws ModelError (fix: fix()) otherwise.
  explicit ProcessedFolder(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }
  const nlohmann::json& manifest() const { return manifest_; }
  // "build/bin/preprocess", with " --out DIR" when the folder is not the default one.
  std::string fix() const;
  // A refusal of this folder: `problem`, then fix().
  ModelError error(const std::string& problem) const;

  // The checksum the manifest records for `name`, or "" when it lists none.
  std::string checksum(std::string_view name) const;
  // Throws ModelError unless the manifest lists `name` with a checksum and the file is there:
  // lets a caller refuse a missing input before a long step.
  void require(std::string_view name) const;

  // The bytes of `name`, checked against its recorded checksum before anyone parses them. Throws
  // ModelError when the manifest lists no checksum for it, or the file is missing, unreadable or
  // changed since preprocess wrote it.
  std::string read(std::string_view name) const;
  // Streams `name` into `parse` (given the stream and the file's path as its source) while
  // checksumming exactly the bytes read, in one pass; `progress` gets the bytes read ("reading
  // <name>"). Throws ModelError as read() does, after parse() returns, and also when parse()
  // throws InputError: a file preprocess wrote always parses, so it was damaged.
  void read_streamed(std::string_view name,
                     const std::function<void(std::istream&, const std::string&)>& parse,
                     const ProgressSink& progress = {}) const;

  // The files, parsed (rating files streamed with read_streamed, the others read whole with
  // read()). Parse errors become ModelError naming file, line and fix().
  std::vector<Rating> read_ratings(std::string_view name) const;
  // Every train-period rating of the release's movies: train.csv's, then those of the movies the
  // filter dropped (rare_train_transformed.csv, when the folder has it). What a known user has
  // seen, whichever of their movies ended up outside the trained catalog.
  std::vector<Rating> read_train_ratings_of_every_movie() const;
  std::vector<TransformedRating> read_transformed(std::string_view name,
                                                  const ProgressSink& progress = {}) const;
  // A transformed rating file handed to `consume` block by block in file order, parsed on every
  // core (read_transformed_blocks, processed.hpp), checked as read_transformed does: for the
  // large files, whose rows need not all be held at once.
  void read_transformed_blocks(
      std::string_view name, const std::function<void(std::span<const TransformedRating>)>& consume,
      const ProgressSink& progress = {}) const;
  // The rating columns of any rating file (read_rating_blocks, processed.hpp), likewise.
  void read_rating_blocks(std::string_view name,
                          const std::function<void(std::span<const Rating>)>& consume,
                          const ProgressSink& progress = {}) const;
  // The rows the manifest records for the rating file `name` (0 when it says none), at most
  // what its size could hold: what a reader may reserve.
  std::size_t expected_rows(std::string_view name) const;
  Catalog read_catalog() const;  // movie_metadata.csv
  // movie_popularity.json: movieId -> train ratings, for every movie the filter kept.
  std::unordered_map<std::int32_t, std::int64_t> read_popularity() const;

 private:
  const nlohmann::json* listed(std::string_view name) const;

  std::filesystem::path dir_;
  nlohmann::json manifest_;
};

}  // namespace movierec
