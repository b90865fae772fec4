// Loading each MovieLens layout from the fixtures in tests/fixtures/movielens/, detection, and
// what is dropped on the way. Errors are in movielens_errors_test.cpp.
#include "movierec/data/movielens.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "movielens_test_support.hpp"

using namespace movierec;
using namespace movierec::testing;
namespace fs = std::filesystem;

TEST_CASE("movielens csv layout loads every file by header name") {
  const RawDataset data = load_movielens(fixture("csv"));
  CHECK(data.layout == Layout::kCsv);

  REQUIRE(data.movies.size() == 5);
  CHECK(movie_tuples(data)[0] ==
        MovieTuple{1, "Fixture Story (1995)", "Adventure|Animation|Children"});
  CHECK(data.movies[1].title == "Good, the Bad and the Fixture, The (1966)");  // quoted commas
  CHECK(data.movies[2].title == "Say \"Cheese\" Fixture (2001)");
  CHECK(data.movies[3].title == "Am\xC3\xA9lie Fixture (2001)");
  CHECK(data.movies[4].genres.empty());  // "(no genres listed)"

  REQUIRE(data.links.size() == 3);
  CHECK(data.links[0].imdb_id == "0999901");  // leading zero kept
  CHECK(data.links[0].tmdb_id == "99901");
  CHECK(data.links[1].tmdb_id.empty());
  REQUIRE(data.tags.size() == 3);
  CHECK(data.tags[1].movie == 4);
  CHECK(data.tags[1].text == "whimsical, French");

  // Rows: 11 read; line 5 has no timestamp, line 8 rates movie 99 (not listed), line 9 is an
  // older rating of (2, 1), line 11 loses a tie in time to line 12.
  CHECK(data.rating_rows == 11);
  CHECK(data.dropped_bad_timestamp == 1);
  CHECK(data.dropped_unknown_movie == 1);
  CHECK(data.dropped_duplicate == 2);
  CHECK(rating_tuples(data) == std::vector<RatingTuple>{{1, 1, 4.0f, 1000000300},
                                                        {1, 2, 0.5f, 1000000100},
                                                        {1, 3, 5.0f, 1000000200},
                                                        {2, 1, 2.5f, 1100000300},
                                                        {2, 4, 4.0f, 1100000500},
                                                        {3, 2, 4.5f, 1200000000},
                                                        {3, 4, 2.0f, 1200000500}});
  // genome-* files are present and not read.
  CHECK(data.files == std::vector<std::string>{(fixture("csv") / "movies.csv").string(),
                                               (fixture("csv") / "ratings.csv").string(),
                                               (fixture("csv") / "links.csv").string(),
                                               (fixture("csv") / "tags.csv").string()});
}

TEST_CASE("movielens dat layout converts Latin-1 titles and keeps titles containing '::'") {
  const RawDataset data = load_movielens(fixture("dat"));
  CHECK(data.layout == Layout::kDat);
  CHECK(movie_tuples(data) ==
        std::vector<MovieTuple>{{1, "Fixture Story (1995)", "Animation|Children's"},
                                {2, "Caf\xC3\xA9 Fixture (1998)", "Drama"},
                                {3, "Double::Colon Fixture (2003)", "Comedy|Drama"},
                                {4, "No Genre Fixture (2010)", ""}});
  REQUIRE(data.tags.size() == 3);
  CHECK(data.tags[1].movie == 3);
  CHECK(data.tags[1].text == "a::b tag");
  CHECK(data.tags[2].text == "Caf\xC3\xA9 society");
  CHECK(data.links.empty());

  CHECK(data.rating_rows == 9);
  CHECK(data.dropped_bad_timestamp == 1);  // line 4 ends with an empty timestamp
  CHECK(data.dropped_unknown_movie == 1);  // movie 7
  CHECK(data.dropped_duplicate == 1);      // (2, 1) on line 6, rated again later on line 7
  CHECK(rating_tuples(data) == std::vector<RatingTuple>{{1, 1, 5.0f, 1010000300},
                                                        {1, 2, 3.0f, 1010000500},
                                                        {1, 3, 4.0f, 1010000400},
                                                        {2, 2, 4.0f, 1010100300},
                                                        {2, 1, 3.0f, 1010100500},
                                                        {3, 3, 5.0f, 1010000100}});
  CHECK(data.files.size() == 3);
}

TEST_CASE("movielens ml100k layout turns genre flags into names and skips 'unknown'") {
  const RawDataset data = load_movielens(fixture("ml100k"));
  CHECK(data.layout == Layout::kMl100k);
  CHECK(movie_tuples(data) ==
        std::vector<MovieTuple>{{1, "Fixture Story (1995)", "Animation|Children's|Comedy"},
                                {2, "Caf\xC3\xA9 Fixture (1996)", "Drama|Romance"},
                                {3, "unknown", ""},
                                {4, "Western Fixture (1970)", "Action|Western"}});
  CHECK(data.links.empty());
  CHECK(data.tags.empty());
  // u.data interleaves users, as the real file does: (2, 1) is rated on lines 1 and 5.
  CHECK(data.rating_rows == 7);
  CHECK(data.dropped_bad_timestamp == 1);  // -5
  CHECK(data.dropped_unknown_movie == 1);  // movie 9
  CHECK(data.dropped_duplicate == 1);
  CHECK(rating_tuples(data) == std::vector<RatingTuple>{{1, 2, 3.0f, 1030000500},
                                                        {2, 4, 5.0f, 1030000100},
                                                        {1, 1, 2.0f, 1030000200},
                                                        {2, 1, 5.0f, 1030000350}});
  CHECK(data.files == std::vector<std::string>{(fixture("ml100k") / "u.genre").string(),
                                               (fixture("ml100k") / "u.item").string(),
                                               (fixture("ml100k") / "u.data").string()});
}

TEST_CASE("movielens files with CRLF line endings and a UTF-8 BOM load the same") {
  for (const std::string layout : {"csv", "dat", "ml100k"}) {
    INFO(layout);
    const TempDir dir;
    for (const fs::directory_entry& entry : fs::directory_iterator(fixture(layout))) {
      std::string crlf = "\xEF\xBB\xBF";
      for (const char c : read_bytes(entry.path()))
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
      dir.write(entry.path().filename().string(), crlf);
    }
    const RawDataset plain = load_movielens(fixture(layout));
    const RawDataset converted = load_movielens(dir.path());
    CHECK(rating_tuples(converted) == rating_tuples(plain));
    CHECK(movie_tuples(converted) == movie_tuples(plain));
    CHECK(converted.links.size() == plain.links.size());
    REQUIRE(converted.tags.size() == plain.tags.size());
    for (std::size_t i = 0; i < plain.tags.size(); ++i) {
      CHECK(converted.tags[i].text == plain.tags[i].text);
    }
    CHECK(converted.dropped_bad_timestamp == plain.dropped_bad_timestamp);
    CHECK(converted.dropped_duplicate == plain.dropped_duplicate);
  }
}

TEST_CASE("movielens csv columns may come in any order") {
  RawDataset data;
  std::istringstream ratings("timestamp,rating,userId,movieId\n1000000300,4.5,7,3\n");
  read_ratings_csv(ratings, "ratings.csv", data);
  CHECK(rating_tuples(data) == std::vector<RatingTuple>{{7, 3, 4.5f, 1000000300}});
  std::istringstream movies("genres,movieId,title\nDrama,3,\"Three, Again (1999)\"\n");
  read_movies_csv(movies, "movies.csv", data);
  CHECK(movie_tuples(data) == std::vector<MovieTuple>{{3, "Three, Again (1999)", "Drama"}});
  std::istringstream links("tmdbId,movieId,imdbId\n55,3,0000123\n");
  read_links_csv(links, "links.csv", data);
  REQUIRE(data.links.size() == 1);
  CHECK(std::tie(data.links[0].movie, data.links[0].imdb_id, data.links[0].tmdb_id) ==
        std::make_tuple(3, std::string("0000123"), std::string("55")));
  std::istringstream tags("tag,timestamp,movieId,userId\nslow burn,1,3,7\n");
  read_tags_csv(tags, "tags.csv", data);
  REQUIRE(data.tags.size() == 1);
  CHECK(data.tags[0].text == "slow burn");
}

TEST_CASE("movielens ratings accept 0.5 to 5 and drop rows with a bad timestamp") {
  RawDataset data;
  std::istringstream in(
      "userId,movieId,rating,timestamp\n"
      "1,1,0.5,0\n1,2,5,4294967295\n1,3,4.0,1\n"                      // kept
      "1,4,3,\n1,5,3,abc\n1,6,3,-1\n1,7,3,4294967296\n1,8,3,1.5\n");  // dropped
  read_ratings_csv(in, "ratings.csv", data);
  CHECK(data.rating_rows == 8);
  CHECK(data.dropped_bad_timestamp == 5);
  CHECK(rating_tuples(data) ==
        std::vector<RatingTuple>{{1, 1, 0.5f, 0}, {1, 2, 5.0f, 4294967295}, {1, 3, 4.0f, 1}});
}

TEST_CASE("movielens duplicates keep the newest rating, and the later row on a tie") {
  const TempDir dir;
  dir.write("movies.csv", "movieId,title,genres\n1,A (2000),Drama\n2,B (2001),Comedy\n");
  // Users interleave, so the pairs are found across the whole file.
  dir.write("ratings.csv",
            "userId,movieId,rating,timestamp\n"
            "5,1,1.0,300\n6,1,2.0,100\n5,1,3.0,200\n6,1,4.0,100\n5,2,5.0,100\n"
            "6,3,1.0,100\n5,1,1.5,300\n");
  const RawDataset data = load_movielens(dir.path());
  CHECK(data.rating_rows == 7);
  CHECK(data.dropped_unknown_movie == 1);
  CHECK(data.dropped_duplicate == 3);
  CHECK(rating_tuples(data) ==
        std::vector<RatingTuple>{{6, 1, 4.0f, 100}, {5, 2, 5.0f, 100}, {5, 1, 1.5f, 300}});
}

TEST_CASE("movielens duplicates are found whatever the user ids") {
  // Ids far above the number of rows take the hash map instead of the table, grouped or not.
  const TempDir dir;
  dir.write("movies.csv", "movieId,title,genres\n7,A (2000),Drama\n9,B (2001),Comedy\n");
  for (const std::string rows : {"2000000000,7,1.0,5\n2000000000,9,2.0,5\n2000000000,7,3.0,6\n"
                                 "999999,9,4.0,1\n",
                                 "2000000000,7,1.0,5\n999999,9,4.0,1\n2000000000,9,2.0,5\n"
                                 "2000000000,7,3.0,6\n"}) {
    dir.write("ratings.csv", "userId,movieId,rating,timestamp\n" + rows);
    const RawDataset data = load_movielens(dir.path());
    CHECK(data.dropped_duplicate == 1);
    CHECK(data.ratings.size() == 3);
    const std::vector<RatingTuple> kept = rating_tuples(data);
    CHECK(std::count(kept.begin(), kept.end(), RatingTuple{2000000000, 7, 3.0f, 6}) == 1);
  }
}

TEST_CASE("movielens rating readers report progress every million rows and at the end") {
  std::string text = "userId,movieId,rating,timestamp\n";
  constexpr std::size_t kRows = 1'000'001;
  text.reserve(text.size() + kRows * 10);
  for (std::size_t i = 0; i < kRows; ++i) text += "1,1,4,100\n";
  std::istringstream in(text);
  RawDataset data;
  std::vector<std::size_t> calls;
  read_ratings_csv(in, "ratings.csv", data, [&](std::size_t rows) { calls.push_back(rows); });
  CHECK(calls == std::vector<std::size_t>{1'000'000, kRows});
  CHECK(data.ratings.size() == kRows);

  // Exactly a million rows: reported once.
  std::istringstream exact(text.substr(0, text.size() - 10));
  RawDataset fresh;
  calls.clear();
  read_ratings_csv(exact, "ratings.csv", fresh, [&](std::size_t rows) { calls.push_back(rows); });
  CHECK(calls == std::vector<std::size_t>{1'000'000});
}

TEST_CASE("movielens layout detection") {
  CHECK(detect_layout(fixture("csv")) == Layout::kCsv);
  CHECK(detect_layout(fixture("dat")) == Layout::kDat);
  CHECK(detect_layout(fixture("ml100k")) == Layout::kMl100k);
  CHECK(describe(Layout::kDat) == "dat (ml-1m, ml-10m)");

  const std::string needs =
      ": no MovieLens release found. Each layout needs these files: csv (ml-latest, "
      "ml-latest-small, ml-20m, ml-25m, ml-32m): ratings.csv + movies.csv; dat (ml-1m, ml-10m): "
      "ratings.dat + movies.dat; ml100k (ml-100k): u.data + u.item + u.genre. Found: ";
  const TempDir dir;
  const std::string where = dir.path().string();
  CHECK(error_of([&] { detect_layout(dir.path()); }) == where + needs + "nothing (empty folder)");

  dir.write("ratings.csv", "userId,movieId,rating,timestamp\n");
  dir.write("u.data", "1\t1\t1\t1\n");
  dir.write("notes.txt", "");
  fs::create_directory(dir.path() / "ml-small");
  for (const std::string name : {"ratings.csv", "movies.csv"}) {
    fs::copy_file(fixture("csv") / name, dir.path() / "ml-small" / name);
  }
  CHECK(error_of([&] { load_movielens(dir.path()); }) ==
        where + needs +
            "ml-small/, notes.txt, ratings.csv, u.data. Missing for csv: movies.csv; for ml100k: "
            "u.item, u.genre. Releases in subfolders: " +
            (dir.path() / "ml-small").string() + " (csv)");

  CHECK(error_of([&] { detect_layout(dir.path() / "absent"); }) ==
        (dir.path() / "absent").string() + ": no such folder");
  CHECK(error_of([&] { detect_layout(dir.path() / "notes.txt"); }) ==
        (dir.path() / "notes.txt").string() +
            ": not a folder (expected a MovieLens release folder)");
}
