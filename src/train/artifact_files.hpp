// The names of the files in artifacts/ (artifacts.hpp), shared by the writer and the reader.
#pragma once

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
inline constexpr const char* kManifest = "manifest.json";

}  // namespace movierec::artifact_files
