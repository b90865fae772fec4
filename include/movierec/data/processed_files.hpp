// The names of the files in processed/ (processed.hpp describes each), once for every program
// that writes or reads them.
#pragma once

namespace movierec::processed_files {

inline constexpr const char* kRatingsFiltered = "ratings_filtered.csv";
inline constexpr const char* kMoviesFiltered = "movies_filtered.csv";
inline constexpr const char* kTrain = "train.csv";
inline constexpr const char* kVal = "val.csv";
inline constexpr const char* kTest = "test.csv";
inline constexpr const char* kTrainTransformed = "train_transformed.csv";
inline constexpr const char* kValTransformed = "val_transformed.csv";
inline constexpr const char* kTestTransformed = "test_transformed.csv";
inline constexpr const char* kRareTrainTransformed = "rare_train_transformed.csv";
inline constexpr const char* kUserMeans = "user_means.json";
inline constexpr const char* kMoviePopularity = "movie_popularity.json";
inline constexpr const char* kTrainMaxTimestamp = "train_max_timestamp.txt";
inline constexpr const char* kMovieMetadata = "movie_metadata.csv";
inline constexpr const char* kManifest = "manifest.json";

}  // namespace movierec::processed_files
