// Movies a release lists twice are merged into one, in each layout; films that only share a
// title stay apart.
#include <catch2/catch.hpp>

#include <algorithm>

#include "movielens_test_support.hpp"
#include "movierec/data/movielens.hpp"

namespace movierec {
namespace {

using testing::TempDir;

const Rating* merged_rating(const RawDataset& data, std::int32_t user, std::int32_t movie) {
  const auto it = std::find_if(data.ratings.begin(), data.ratings.end(), [&](const Rating& r) {
    return r.user == user && r.movie == movie;
  });
  return it == data.ratings.end() ? nullptr : &*it;
}

std::vector<std::int32_t> merged_movie_ids(const RawDataset& data) {
  std::vector<std::int32_t> ids;
  for (const Movie& movie : data.movies) ids.push_back(movie.id);
  return ids;
}

std::size_t merged_ratings_of(const RawDataset& data, std::int32_t movie) {
  return static_cast<std::size_t>(std::count_if(data.ratings.begin(), data.ratings.end(),
                                                [&](const Rating& r) { return r.movie == movie; }));
}

TEST_CASE("csv: the same title, year and genres, or the same IMDb id, is one movie") {
  TempDir dir;
  dir.write("movies.csv",
            "movieId,title,genres\n"
            "1,Twice Listed (1995),Drama\n"
            "2,Shared Title (2005),Action|Sci-Fi\n"
            "3,Shared Title (2005),Sci-Fi\n"  // another film: other genres, other IMDb id
            "4,Other Name (1999),Comedy\n"
            "7,Twice Listed (1995),Drama\n"
            "9,Other Name: Director's Cut (1999),Comedy\n");  // same IMDb id as 4
  dir.write("links.csv",
            "movieId,imdbId,tmdbId\n"
            "1,0111111,\n"
            "2,0222222,22\n"
            "3,0333333,33\n"
            "4,0444444,\n"
            "7,111111,77\n"
            "9,444444,99\n");
  dir.write("tags.csv", "userId,movieId,tag,timestamp\n5,7,classic,1000\n");
  // User 1 rated both listings of movie 1: the later rating (on 7) stays. User 2 rated 9 only.
  dir.write("ratings.csv",
            "userId,movieId,rating,timestamp\n"
            "1,1,2.0,1000\n"
            "1,7,4.5,2000\n"
            "1,2,3.0,1000\n"
            "1,3,4.0,1000\n"
            "2,9,5.0,1000\n"
            "2,7,3.0,1000\n");
  const RawDataset data = load_movielens(dir.path());
  CHECK(data.merged_movies == 2);
  CHECK(merged_movie_ids(data) == std::vector<std::int32_t>{1, 2, 3, 4});
  REQUIRE(merged_rating(data, 1, 1) != nullptr);
  CHECK(merged_rating(data, 1, 1)->rating == 4.5f);  // the later of the two
  CHECK(merged_rating(data, 1, 7) == nullptr);
  CHECK(data.dropped_duplicate == 1);
  CHECK(merged_rating(data, 2, 4) != nullptr);
  CHECK(merged_rating(data, 2, 1) != nullptr);
  CHECK(merged_ratings_of(data, 2) == 1);
  CHECK(merged_ratings_of(data, 3) == 1);
  REQUIRE(data.tags.size() == 1);
  CHECK(data.tags[0].movie == 1);
  CHECK(data.links.size() == 4);
  const auto link = std::find_if(data.links.begin(), data.links.end(),
                                 [](const Link& l) { return l.movie == 1; });
  REQUIRE(link != data.links.end());
  CHECK(link->imdb_id == "0111111");
  CHECK(link->tmdb_id == "77");  // the kept id had none: the duplicate's fills it
}

TEST_CASE("dat: a movie listed twice with the same title and genres is merged") {
  TempDir dir;
  dir.write("movies.dat",
            "1::Twice Listed (1995)::Drama\n"
            "2::Twice Listed (1995)::Drama\n"
            "3::Twice Listed (1996)::Drama\n");  // another year: another film
  dir.write("ratings.dat", "1::2::4::2000\n1::1::2::1000\n2::3::5::1000\n");
  const RawDataset data = load_movielens(dir.path());
  CHECK(data.merged_movies == 1);
  CHECK(merged_movie_ids(data) == std::vector<std::int32_t>{1, 3});
  REQUIRE(merged_rating(data, 1, 1) != nullptr);
  CHECK(merged_rating(data, 1, 1)->rating == 4.0f);
  CHECK(data.ratings.size() == 2);
}

TEST_CASE("ml100k: identical rows under two ids are one movie") {
  TempDir dir;
  dir.write("u.genre", "unknown|0\nAction|1\nDrama|2\n\n");
  dir.write("u.item",
            "1|Twice Listed (1997)|01-Jan-1997||http://example.invalid/a|0|0|1\n"
            "2|Another (1997)|01-Jan-1997||http://example.invalid/b|0|1|0\n"
            "3|Twice Listed (1997)|01-Jan-1997||http://example.invalid/a|0|0|1\n");
  dir.write("u.data", "1\t3\t5\t2000\n1\t1\t1\t1000\n2\t3\t4\t1000\n2\t2\t3\t1000\n");
  const RawDataset data = load_movielens(dir.path());
  CHECK(data.merged_movies == 1);
  CHECK(merged_movie_ids(data) == std::vector<std::int32_t>{1, 2});
  REQUIRE(merged_rating(data, 1, 1) != nullptr);
  CHECK(merged_rating(data, 1, 1)->rating == 5.0f);
  REQUIRE(merged_rating(data, 2, 1) != nullptr);
  CHECK(merged_ratings_of(data, 1) == 2);
}

TEST_CASE("a release without duplicates is left as it is") {
  const RawDataset data = load_movielens(testing::fixture("csv"));
  CHECK(data.merged_movies == 0);
}

}  // namespace
}  // namespace movierec
