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
//   user_means.json            {"<userId>": mean train stars, ...}
//   movie_popularity.json      {"<movieId>": ratings in train, ...} for every kept movie (0 when
//                              a kept movie has no train rating)
//   train_max_timestamp.txt    the newest train timestamp, Unix seconds, one line
//   movie_metadata.csv         movieId,title,year,genres,rating_count,rating_mean,imdbId,tmdbId,
//                              tags,overview,release_date,runtime: every movie of the data set
//                              (kept or not), counts and means over all its valid ratings, tags
//                              most used first joined by "|", TMDB fields empty when unknown
//   manifest.json              format_version, the program, the data folder, its layout and the
//                              checksum of its files, the config, the counts, and for each file
//                              above its rows and checksum
//
// Timestamps are Unix seconds. Ratings are stars. Rows are sorted by userId, then timestamp,
// then movieId.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "movierec/movielens.hpp"
#include "movierec/pipeline.hpp"

namespace movierec {

inline constexpr int kProcessedFormatVersion = 1;

// Readers; each throws InputError naming file and line for a missing column or a bad value.
std::vector<Rating> read_ratings(std::istream& in, const std::string& source);
std::vector<TransformedRating> read_transformed(std::istream& in, const std::string& source);
std::vector<Rating> read_ratings_file(const std::filesystem::path& path);
std::vector<TransformedRating> read_transformed_file(const std::filesystem::path& path);

// Writers of the two row formats.
void write_ratings(std::ostream& out, const std::vector<Rating>& ratings);
void write_transformed(std::ostream& out, const std::vector<TransformedRating>& ratings);

// processed/manifest.json. Throws ModelError (fix: preprocess) if missing, unreadable or of
// another format version.
nlohmann::json read_processed_manifest(const std::filesystem::path& processed_dir);

}  // namespace movierec
