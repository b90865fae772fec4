#include "movierec/data/pipeline.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

constexpr std::int64_t kDay = 86400;

PipelineConfig thresholds(int min_user, int min_movie) {
  PipelineConfig config;
  config.min_user_ratings = min_user;
  config.min_movie_ratings = min_movie;
  return config;
}

// n ratings of one user, one a day, each of a different movie.
std::vector<Rating> user_history(std::int32_t user, std::size_t n) {
  std::vector<Rating> ratings;
  for (std::size_t i = 0; i < n; ++i) {
    ratings.push_back({user, static_cast<std::int32_t>(i + 1), 3.0f,
                       1000000 + static_cast<std::int64_t>(i) * kDay});
  }
  return ratings;
}

std::string pipeline_error(const std::vector<Rating>& ratings, const PipelineConfig& config) {
  try {
    filter_ratings(ratings, config);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("filter drops users first, then movies among the users kept") {
  // Users 1 and 2 rate movies 10, 11, 12; user 3 rates only movie 13 and 10.
  // min_user 3: user 3 (2 ratings) goes. Then movie 13 has no rating left, and with min_movie 2
  // movies 10, 11 (2 each) stay while 12 (1, from user 1 only) goes.
  std::vector<Rating> ratings = {
      {2, 10, 4.0f, 50}, {1, 10, 5.0f, 30}, {1, 11, 3.0f, 10}, {3, 13, 2.0f, 5},
      {1, 12, 1.0f, 20}, {2, 11, 2.5f, 40}, {3, 10, 2.0f, 6},  {2, 14, 3.5f, 45},
  };
  const Filtered filtered = filter_ratings(ratings, thresholds(3, 2));
  const FilterStats& s = filtered.stats;
  CHECK(s.ratings_in == 8);
  CHECK(s.users_in == 3);
  CHECK(s.movies_in == 5);
  CHECK(s.ratings_dropped_by_user_threshold == 2);
  CHECK(s.ratings_dropped_by_movie_threshold == 2);  // movie 12 (user 1), movie 14 (user 2)
  CHECK(s.ratings_kept == 4);
  CHECK(s.users_kept == 2);
  CHECK(s.movies_kept == 2);
  REQUIRE(filtered.ratings.size() == 4);
  // Sorted by user, then timestamp.
  CHECK(filtered.ratings[0].user == 1);
  CHECK(filtered.ratings[0].movie == 11);
  CHECK(filtered.ratings[1].movie == 10);
  CHECK(filtered.ratings[2].user == 2);
  CHECK(filtered.ratings[2].movie == 11);
  CHECK(filtered.ratings[3].movie == 10);
  CHECK(filtered.ratings[3].rating == 4.0f);
}

TEST_CASE("filter is one pass each: a user may fall below the threshold after movies go") {
  // min_user 2 keeps all three users; min_movie 3 then keeps only movie 1, which leaves users
  // 2 and 3 with one rating each. They stay: the seed does not filter again.
  std::vector<Rating> ratings = user_history(1, 3);  // movies 1, 2, 3
  ratings.push_back({2, 1, 4.0f, 10});
  ratings.push_back({2, 4, 4.0f, 11});
  ratings.push_back({3, 1, 4.0f, 10});
  ratings.push_back({3, 4, 4.0f, 11});
  const Filtered filtered = filter_ratings(ratings, thresholds(2, 3));
  CHECK(filtered.stats.users_kept == 3);
  CHECK(filtered.stats.movies_kept == 1);
  CHECK(filtered.stats.ratings_dropped_by_user_threshold == 0);
  CHECK(filtered.stats.ratings_dropped_by_movie_threshold == 4);
  CHECK(filtered.ratings.size() == 3);
}

TEST_CASE("filter sorts ties in time by movie id and handles sparse ids") {
  std::vector<Rating> ratings = {{2000000000, 9, 4.0f, 100},
                                 {2000000000, 3, 4.0f, 100},
                                 {-5, 3, 1.0f, 7},
                                 {2000000000, 5, 4.0f, 99}};
  const Filtered filtered = filter_ratings(ratings, thresholds(1, 1));
  REQUIRE(filtered.ratings.size() == 4);
  CHECK(filtered.ratings[0].user == -5);
  CHECK(filtered.ratings[1].movie == 5);
  CHECK(filtered.ratings[2].movie == 3);
  CHECK(filtered.ratings[3].movie == 9);
}

TEST_CASE("filter names the threshold that emptied the data") {
  std::vector<Rating> ratings = user_history(1, 5);
  CHECK(pipeline_error(ratings, thresholds(20, 1)) ==
        "no user has at least 20 ratings (filter.min_user_ratings); the most any user has is 5");
  CHECK(pipeline_error(ratings, thresholds(5, 2)).find("(filter.min_movie_ratings)") !=
        std::string::npos);
  CHECK(pipeline_error({}, thresholds(1, 1)).find("no ratings") != std::string::npos);
  CHECK(pipeline_error(ratings, thresholds(5, 1)).empty());
}

TEST_CASE("split boundaries follow floor(n * ratio + 1e-9)") {
  struct Case {
    std::size_t n;
    double train, val;
    std::size_t a, b;
  };
  const Case cases[] = {
      {3, 0.7, 0.15, 2, 2},     {4, 0.7, 0.15, 2, 3}, {10, 0.7, 0.15, 7, 8},
      {20, 0.7, 0.15, 14, 17},  // 20 * 0.85 is exactly 17: val gets 3, test 3
      {90, 0.7, 0.15, 63, 76},  // 90 * 0.7 is 62.99999999999999 in doubles
      {30, 0.7, 0.2, 21, 27},   // 30 * 0.9 is 26.999999999999996
      {100, 0.8, 0.2, 80, 100}, {7, 0.5, 0.0, 3, 3},
  };
  for (const Case& c : cases) {
    PipelineConfig config;
    config.train_ratio = c.train;
    config.val_ratio = c.val;
    const Split split = split_by_time(user_history(1, c.n), config);
    INFO("n = " << c.n << ", ratios " << c.train << " " << c.val);
    CHECK(split.train.size() == c.a);
    CHECK(split.val.size() == c.b - c.a);
    CHECK(split.test.size() == c.n - c.b);
    CHECK(split.users_split == 1);
  }
}

TEST_CASE("split agrees with exact arithmetic for every n up to 2000") {
  PipelineConfig config;  // 0.70 and 0.15
  for (std::size_t n = 3; n <= 2000; ++n) {
    const Split split = split_by_time(user_history(1, n), config);
    INFO("n = " << n);
    REQUIRE(split.train.size() == n * 70 / 100);
    REQUIRE(split.train.size() + split.val.size() == n * 85 / 100);
  }
}

TEST_CASE("split is chronological per user, ties by movie, and skips small users") {
  // Sorted as filter_ratings leaves it: user 1 has 10 ratings, user 2 only 2.
  std::vector<Rating> ratings = user_history(1, 10);
  ratings[8].timestamp = ratings[9].timestamp;  // movies 9 and 10 at the same second
  ratings.push_back({2, 1, 4.0f, 5});
  ratings.push_back({2, 2, 4.0f, 6});
  const Split split = split_by_time(ratings, PipelineConfig{});
  CHECK(split.users_split == 1);
  CHECK(split.users_skipped == 1);
  REQUIRE(split.train.size() == 7);
  REQUIRE(split.val.size() == 1);
  REQUIRE(split.test.size() == 2);
  CHECK(split.train.back().movie == 7);
  CHECK(split.val[0].movie == 8);
  CHECK(split.test[0].movie == 9);
  CHECK(split.test[1].movie == 10);
  for (const Rating& r : split.train) CHECK(r.timestamp <= split.val[0].timestamp);

  std::vector<Rating> unsorted = user_history(1, 4);
  std::swap(unsorted[0], unsorted[1]);
  CHECK_THROWS_AS(split_by_time(unsorted, PipelineConfig{}), Error);
  std::vector<Rating> tie_wrong = {{1, 5, 3.0f, 10}, {1, 4, 3.0f, 10}};
  CHECK_THROWS_AS(split_by_time(tie_wrong, PipelineConfig{}), Error);
}

TEST_CASE("train statistics: user means, movie counts, global mean, newest timestamp") {
  const std::vector<Rating> train = {
      {1, 10, 4.0f, 100}, {1, 11, 2.0f, 300}, {2, 10, 5.0f, 200}, {2, 12, 3.5f, 50}};
  const TrainStatistics stats = train_statistics(train);
  CHECK(stats.user_means.at(1) == 3.0);
  CHECK(stats.user_means.at(2) == 4.25);
  CHECK(stats.movie_counts.at(10) == 2);
  CHECK(stats.movie_counts.at(11) == 1);
  CHECK(stats.movie_counts.at(12) == 1);
  CHECK(stats.movie_counts.size() == 3);
  CHECK(stats.global_mean == Approx(14.5 / 4));
  CHECK(stats.max_timestamp == 300);
}

TEST_CASE("transform follows the seed's formulas with train statistics") {
  // User 1 rates movie 10 (4 stars) and movie 11 (2 stars) in train; user 2 movie 10 (5 stars).
  const std::int64_t newest = 1000 * kDay;
  const std::vector<Rating> train = {{1, 10, 4.0f, newest - 365 * kDay},
                                     {1, 11, 2.0f, newest},
                                     {2, 10, 5.0f, newest - 730 * kDay}};
  PipelineConfig config;  // exponent 0.5, half life 365 days
  const TrainStatistics stats = train_statistics(train);
  const auto rows = transform(train, stats, config);
  REQUIRE(rows.size() == 3);
  // User 1's mean is 3: 4 - 3 = 1; movie 10 has 2 train ratings: 2^-0.5; one half-life old: 0.5.
  CHECK(rows[0].rating_norm == Approx(1.0));
  CHECK(rows[0].pop_weight == Approx(1.0 / std::sqrt(2.0)));
  CHECK(rows[0].time_weight == Approx(0.5));
  CHECK(rows[0].final_rating == Approx(0.5 / std::sqrt(2.0)));
  CHECK(rows[1].rating_norm == Approx(-1.0));
  CHECK(rows[1].pop_weight == Approx(1.0));
  CHECK(rows[1].time_weight == Approx(1.0));
  CHECK(rows[2].rating_norm == Approx(0.0).margin(1e-12));
  CHECK(rows[2].time_weight == Approx(0.25));

  // Val/test rows: newer than train (weight 1), an unseen movie (count 1), an unknown user
  // (global mean 11/3), 10 days before the newest train rating.
  const std::vector<Rating> later = {{1, 99, 5.0f, newest + 30 * kDay},
                                     {7, 10, 2.0f, newest - 10 * kDay}};
  const auto val = transform(later, stats, config);
  CHECK(val[0].rating_norm == Approx(2.0));
  CHECK(val[0].pop_weight == 1.0);
  CHECK(val[0].time_weight == 1.0);
  CHECK(val[0].final_rating == Approx(2.0));
  CHECK(val[1].rating_norm == Approx(2.0 - 11.0 / 3.0));
  CHECK(val[1].time_weight == Approx(std::exp(-std::log(2.0) * 10.0 / 365.0)));
  CHECK(val[1].final_rating ==
        Approx((2.0 - 11.0 / 3.0) / std::sqrt(2.0) * std::exp(-std::log(2.0) * 10.0 / 365.0)));
  CHECK(val[1].rating.user == 7);

  config.popularity_exponent = 1.0;
  config.half_life_days = 10.0;
  const auto tuned = transform(later, stats, config);
  CHECK(tuned[1].pop_weight == Approx(0.5));
  CHECK(tuned[1].time_weight == Approx(0.5));
}

TEST_CASE("train_period keeps the rare ratings of each user's train time") {
  using movierec::Rating;
  // User 1 trains until t = 20, user 2 until t = 5; user 3 has no train rating at all.
  const std::vector<Rating> train = {{1, 10, 4, 10}, {1, 11, 4, 20}, {2, 10, 3, 5}};
  const std::vector<Rating> rare = {
      {1, 90, 5, 1}, {1, 91, 2, 20}, {1, 92, 3, 21}, {2, 90, 4, 6}, {3, 90, 4, 1}};
  const std::vector<Rating> kept = movierec::train_period(rare, train);
  REQUIRE(kept.size() == 2);
  CHECK((kept[0].user == 1 && kept[0].movie == 90));
  CHECK((kept[1].user == 1 && kept[1].movie == 91));
  CHECK(movierec::train_period({}, train).empty());
}
