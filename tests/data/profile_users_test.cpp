// Profiles as users of a release (preprocess --profiles): kept whatever the user filter says,
// every rating in train, the stars config checked.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "movierec/data/pipeline.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

// Users 1-3 rate movies 1-6 on days 1-6; user 100 (a profile) rates movies 1, 2 and 9.
std::vector<Rating> release_and_profile() {
  std::vector<Rating> ratings;
  for (std::int32_t user = 1; user <= 3; ++user) {
    for (std::int32_t movie = 1; movie <= 6; ++movie) {
      ratings.push_back({user, movie, 3.0f, movie * 86400});
    }
  }
  ratings.push_back({100, 9, 4.5f, 10 * 86400});  // a movie no one else rated
  ratings.push_back({100, 2, 5.0f, 8 * 86400});
  ratings.push_back({100, 1, 1.5f, 9 * 86400});
  return ratings;
}

PipelineConfig config_with(int min_user, int min_movie, int min_split) {
  PipelineConfig config;
  config.min_user_ratings = min_user;
  config.min_movie_ratings = min_movie;
  config.min_split_ratings = min_split;
  return config;
}

}  // namespace

TEST_CASE("a profile is kept below the user filter; its movies are filtered like any") {
  const PipelineConfig config = config_with(5, 2, 3);
  const Filtered without = filter_ratings(release_and_profile(), config);
  CHECK(without.stats.users_kept == 3);  // user 100 has 3 ratings, below 5
  const Filtered with = filter_ratings(release_and_profile(), config, {100});
  CHECK(with.stats.users_kept == 4);
  std::vector<std::int32_t> movies;
  for (const Rating& r : with.ratings) {
    if (r.user == 100) movies.push_back(r.movie);
  }
  CHECK(movies == std::vector<std::int32_t>{2, 1});  // by time; movie 9 has 1 rating, below 2
  CHECK(with.stats.ratings_dropped_by_movie_threshold == 1);
}

TEST_CASE("every rating of a profile goes to train, however few") {
  const PipelineConfig config = config_with(1, 1, 3);
  std::vector<Rating> ratings = release_and_profile();
  ratings.push_back({200, 3, 4.0f, 86400});  // a profile of one rating
  const Filtered filtered = filter_ratings(ratings, config, {100, 200});
  const Split plain = split_by_time(filtered.ratings, config);
  const Split split = split_by_time(filtered.ratings, config, {100, 200});
  CHECK(plain.users_skipped == 1);  // user 200
  CHECK(split.users_skipped == 0);
  CHECK(split.users_split == 5);
  const auto count = [](const std::vector<Rating>& part, std::int32_t user) {
    return std::count_if(part.begin(), part.end(), [&](const Rating& r) { return r.user == user; });
  };
  CHECK(count(split.train, 100) == 3);
  CHECK(count(split.val, 100) + count(split.test, 100) == 0);
  CHECK(count(split.train, 200) == 1);
  // The release's users split as before.
  for (std::int32_t user = 1; user <= 3; ++user) {
    CHECK(count(split.train, user) == count(plain.train, user));
    CHECK(count(split.test, user) == count(plain.test, user));
  }
}

TEST_CASE("profile stars are 0 (left out) or 0.5 to 5; the section is recorded only when used") {
  PipelineConfig config;
  CHECK_FALSE(config.to_json().contains("profiles"));
  config.like_stars = 0.2;
  CHECK_THROWS_WITH(config.validate("test"), Catch::Contains("profiles.like_stars") &&
                                                 Catch::Contains("0 (left out) or stars"));
  config.like_stars = 0;
  config.validate("test");
  config.profiles_store = "data/profiles.sqlite";
  CHECK(config.to_json()["profiles"]["store"] == "data/profiles.sqlite");
  CHECK(config.to_json()["profiles"]["favourite_stars"] == 5.0);
}
