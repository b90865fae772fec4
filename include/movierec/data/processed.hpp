// The processed/ folder: the seed's file contract, written by preprocess and read by train_svd,
// recommend and evaluate. Every CSV has a header, LF line endings, RFC 4180 quoting, UTF-8, and
// reads in pandas.
//
//   ratings_filtered.csv       userId,movieId,rating,timestamp (the filtered ratings)
//   movies_filtered.csv        movieId,title,genres (the movies kept)
//   train.csv val.csv test.csv userId,movieId,rating,timestamp
//   {train,val,test}_transformed.csv
//                              userId,movieId,rating,timestamp,rating_norm,pop_weight,
//                              time_weight,final_rating
//   rare_train_transformed.csv the train_transformed.csv columns, for the kept users' ratings
//                              of the movies the filter dropped, in each user's train period
//                              (pipeline.hpp, train_period): what folds those movies in
//   user_means.json            {"<userId>": mean train stars, ...}
//   movie_popularity.json      {"<movieId>": ratings in train, ...} for every kept movie (0 when
//                              a kept movie has no train rating)
//   train_max_timestamp.txt    the newest train timestamp, Unix seconds, one line
//   movie_metadata.csv         movieId,title,year,genres,rating_count,rating_mean,imdbId,tmdbId,
//                              tags,overview,release_date,runtime: every movie of the data set
//                              (kept or not), counts and means over all its valid ratings, tags
//                              most used first joined by "|", TMDB fields empty when unknown
//                              (each column is described in metadata.hpp)
//   manifest.json              {"format_version": 1, "program": "preprocess", "created": UTC ISO
//                              8601, "data": {"dir", "layout", "checksum" (XXH3 of the input
//                              files' bytes, in order), "files"}, "tmdb": {"file", "checksum"} or
//                              null, "config": PipelineConfig::to_json(), "counts": {...}, and
//                              "files": {"<name>": {"rows": data rows (entries for
//                              JSON, 1 for the .txt), "checksum": file_checksum()}} for each file
//                              above}
//
// Timestamps are Unix seconds. Ratings are stars, written with one decimal at least ("4.0",
// "4.5"); other numbers as the shortest text that reads back to the same double. Rating rows are
// sorted by userId, then timestamp, then movieId; movie rows and JSON keys by id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "movierec/data/catalog.hpp"
#include "movierec/data/movielens.hpp"
#include "movierec/data/pipeline.hpp"

namespace movierec {

inline constexpr int kProcessedFormatVersion = 1;

// Readers of the rating files (ProcessedFolder reads them checked against the manifest); each
// throws InputError naming file and line for a missing column or a bad value.
// `expected_rows`, when known (processed/manifest.json has it), is reserved up front, so that
// tens of millions of rows are not copied while the vector grows.
std::vector<Rating> read_ratings(std::istream& in, const std::string& source,
                                 std::size_t expected_rows = 0);
std::vector<TransformedRating> read_transformed(std::istream& in, const std::string& source,
                                                std::size_t expected_rows = 0);

// The rows of a transformed file handed to `consume` block by block, in file order, without the
// whole file ever held as rows: parsed in pieces on up to `threads` threads (0: one per core;
// parse_csv_pieces, io/csv_pieces.hpp). The rows and the errors (InputError naming the file's
// line) are those of read_transformed. `piece_bytes`: the text each thread parses at a time
// (0: 1 MB; tests cut finer).
void read_transformed_blocks(std::istream& in, const std::string& source,
                             const std::function<void(std::span<const TransformedRating>)>& consume,
                             unsigned threads = 0, std::size_t piece_bytes = 0);
// The same for the rating columns alone, as read_ratings reads them: of a rating file, or of a
// transformed one (its other columns are skipped).
void read_rating_blocks(std::istream& in, const std::string& source,
                        const std::function<void(std::span<const Rating>)>& consume,
                        unsigned threads = 0, std::size_t piece_bytes = 0);

// Writers of the two row formats.
void write_ratings(std::ostream& out, const std::vector<Rating>& ratings);
void write_transformed(std::ostream& out, const std::vector<TransformedRating>& ratings);

// Everything preprocess writes into processed/.
struct ProcessedData {
  Filtered filtered;
  std::vector<Movie> movies;        // the movies kept, sorted by id (movies_filtered.csv)
  SplitRows split;                  // views into filtered.ratings (split_rows): a copy
                                    // of ProcessedData still points into the original's
  std::vector<Rating> rare_train;   // train_period(filtered.rare, split.train)
  TrainStatistics stats;            // from split.train
  std::vector<MovieInfo> metadata;  // every movie of the release (movie_metadata.csv)
};

// Writes every file listed above into `dir` at once (AtomicDirectory), so a failure or a kill
// leaves a previous `dir` as it was. manifest.json is `manifest` (the caller's "data", "counts"
// and anything else) with format_version, program, created, config and files (rows and
// file_checksum of each file) added. Rows are formatted on every core; `progress`, if set, is
// called on the calling thread with the rating rows written so far. Throws Error on failure.
void write_processed(const std::filesystem::path& dir, const ProcessedData& data,
                     const PipelineConfig& config, nlohmann::json manifest,
                     const std::function<void(std::size_t rows)>& progress = {});

}  // namespace movierec
