// RatingPieces, split_rows' views, and filter_ratings' grouping in place (pipeline.hpp).
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <span>

#include "movierec/data/pipeline.hpp"

using namespace movierec;

namespace {

std::vector<Rating> numbered(std::size_t n) {
  std::vector<Rating> ratings;
  for (std::size_t i = 0; i < n; ++i) {
    ratings.push_back({1, static_cast<std::int32_t>(i), 3.0f, static_cast<std::int64_t>(i)});
  }
  return ratings;
}

std::vector<std::int32_t> movies_of(const std::vector<Rating>& ratings) {
  std::vector<std::int32_t> movies;
  for (const Rating& r : ratings) movies.push_back(r.movie);
  return movies;
}

// Users 1..users, each rating a pseudo-random number of movies at pseudo-random times.
std::vector<Rating> release(std::int32_t users, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<Rating> ratings;
  for (std::int32_t user = 1; user <= users; ++user) {
    const std::int32_t count = 1 + static_cast<std::int32_t>(random() % 12);
    for (std::int32_t movie = 1; movie <= count; ++movie) {
      ratings.push_back({user, movie * 3 + static_cast<std::int32_t>(random() % 3), 4.0f,
                         static_cast<std::int64_t>(random() % 5)});  // ties on time
    }
  }
  return ratings;
}

bool same(const std::vector<Rating>& a, const std::vector<Rating>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Rating& x, const Rating& y) {
    return x.user == y.user && x.movie == y.movie && x.rating == y.rating &&
           x.timestamp == y.timestamp;
  });
}

}  // namespace

TEST_CASE("RatingPieces joins pieces that continue each other and walks ranges across pieces") {
  const std::vector<Rating> all = numbered(10);
  const std::span<const Rating> span(all);
  RatingPieces rows;
  CHECK(rows.empty());
  CHECK(rows.begin() == rows.end());
  rows.add(span.subspan(0, 2));
  rows.add(span.subspan(2, 1));  // continues the first piece
  rows.add(span.subspan(5, 0));  // empty: ignored
  rows.add(span.subspan(6, 3));
  rows.add(span.subspan(4, 1));  // out of order: a piece of its own
  REQUIRE(rows.size() == 7);
  CHECK(rows.pieces().size() == 3);
  CHECK(movies_of(rows.to_vector()) == std::vector<std::int32_t>{0, 1, 2, 6, 7, 8, 4});
  std::vector<std::int32_t> walked;
  for (const Rating& r : rows) walked.push_back(r.movie);
  CHECK(walked == movies_of(rows.to_vector()));

  const auto range = rows.range(2, 4);  // rows 2..5: movies 2 | 6, 7, 8
  REQUIRE(range.size() == 2);
  CHECK(range[0].size() == 1);
  CHECK(range[0][0].movie == 2);
  CHECK(range[1].size() == 3);
  CHECK(range[1][2].movie == 8);
  CHECK(rows.range(6, 1)[0][0].movie == 4);
  CHECK(rows.range(7, 0).empty());
  CHECK(RatingPieces(all).pieces().size() == 1);
}

TEST_CASE("split_rows names inside the ratings what split_by_time copies") {
  std::vector<Rating> ratings = release(40, 7);
  std::sort(ratings.begin(), ratings.end(), [](const Rating& a, const Rating& b) {
    if (a.user != b.user) return a.user < b.user;
    if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    return a.movie < b.movie;
  });
  const SplitRows rows = split_rows(ratings, PipelineConfig{}, {5});
  const Split split = split_by_time(ratings, PipelineConfig{}, {5});
  CHECK(same(rows.train.to_vector(), split.train));
  CHECK(same(rows.val.to_vector(), split.val));
  CHECK(same(rows.test.to_vector(), split.test));
  CHECK(rows.users_split == split.users_split);
  CHECK(rows.users_skipped == split.users_skipped);
  CHECK(split.users_skipped > 0);
  const Rating* first = ratings.data();
  for (const auto& piece : rows.val.pieces()) {  // views, not copies
    CHECK(piece.data() >= first);
    CHECK(piece.data() + piece.size() <= first + ratings.size());
  }
}

TEST_CASE("filter_ratings groups by user in place whatever the input's order") {
  const std::vector<Rating> ratings = release(60, 11);
  std::vector<Rating> expected = ratings;  // sorted by user, then time, then movie, and kept
  std::sort(expected.begin(), expected.end(), [](const Rating& a, const Rating& b) {
    if (a.user != b.user) return a.user < b.user;
    if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    return a.movie < b.movie;
  });
  PipelineConfig config;
  config.min_user_ratings = 1;
  config.min_movie_ratings = 1;
  const Filtered grouped = filter_ratings(ratings, config);  // grouped by user already
  CHECK(same(grouped.ratings, expected));

  std::vector<Rating> shuffled = ratings;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
  const Filtered from_shuffled = filter_ratings(shuffled, config);
  CHECK(same(from_shuffled.ratings, expected));
  std::reverse(shuffled.begin(), shuffled.end());
  CHECK(same(filter_ratings(shuffled, config).ratings, expected));

  config.min_user_ratings = 4;  // drops users, then movies, from a shuffled input
  config.min_movie_ratings = 8;
  const Filtered strict = filter_ratings(shuffled, config);
  const Filtered strict_sorted = filter_ratings(expected, config);
  CHECK(same(strict.ratings, strict_sorted.ratings));
  CHECK(same(strict.rare, strict_sorted.rare));
  CHECK(strict.ratings.size() + strict.rare.size() < ratings.size());
  CHECK_FALSE(strict.rare.empty());
}
