// The names of the files in artifacts/ (artifacts.hpp), shared by the writer and the reader.
#pragma once

#include <cstddef>

namespace movierec::artifact_files {

inline constexpr const char* kUserEmbeddings = "user_embeddings.npy";
inline constexpr const char* kMovieEmbeddings = "movie_embeddings.npy";
inline constexpr const char* kUserMap = "user_map.json";
inline constexpr const char* kMovieMap = "movie_map.json";
inline constexpr const char* kUserBias = "user_bias.npy";
inline constexpr const char* kMovieBias = "movie_bias.npy";
inline constexpr const char* kOutsideEmbeddings = "outside_movie_embeddings.npy";
inline constexpr const char* kOutsideMap = "outside_movie_map.json";
inline constexpr const char* kOutsideRatings = "outside_movie_ratings.npy";
// float32 holds every whole number below 2^24 exactly: the lead-in files' rows stay below it.
inline constexpr unsigned kLeadInRowBits = 24;
inline constexpr std::size_t kLeadInRowLimit = std::size_t{1} << kLeadInRowBits;
inline constexpr const char* kLeadInRows = "lead_in_rows.npy";
inline constexpr const char* kLeadInWeights = "lead_in_weights.npy";
inline constexpr const char* kManifest = "manifest.json";

}  // namespace movierec::artifact_files
