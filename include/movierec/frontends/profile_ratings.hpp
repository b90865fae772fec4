// What a profile's answers say as MovieLens ratings: the bridge from the profile store to the
// pipeline (preprocess --profiles) and to `profiles export`. The data layer never sees the store:
// it gets plain ratings from here.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <vector>

#include "movierec/data/pipeline_config.hpp"
#include "movierec/data/preprocess.hpp"
#include "movierec/store/profile_store.hpp"

namespace movierec {

// The stars config.profiles.*_stars gives an answer of `kind`; nothing when that is 0 (left out).
std::optional<float> profile_stars(AnswerKind kind, const PipelineConfig& config);

// Per movie the profile's latest answer (by seq), as a rating of `user` in its kind's stars at
// answered_at; movies whose latest answer is left out have none. Sorted by movie id.
std::vector<Rating> profile_ratings(const Profile& profile, const PipelineConfig& config,
                                    std::int32_t user);

// The watchlist: the watch answers whose movie was not answered otherwise since, oldest first.
std::vector<Answer> profile_watchlist(const Profile& profile);

// Every profile of `store`, by name, as preprocess takes them (ProfileRatings).
std::vector<ProfileRatings> read_profile_ratings(ProfileStore& store, const PipelineConfig& config);

// ml-latest's ratings.csv: "userId,movieId,rating,timestamp" and a row per rating, stars with
// one decimal ("4.5", "5.0").
void write_ratings_csv(std::ostream& out, const std::vector<Rating>& ratings);

}  // namespace movierec
