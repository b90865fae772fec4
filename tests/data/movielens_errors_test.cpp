// Every malformed input the movielens readers refuse, with the exact message a person sees.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "movielens_test_support.hpp"
#include "movierec/data/movielens.hpp"

using namespace movierec;
using namespace movierec::testing;

namespace {

void ratings_csv(std::istream& in, const std::string& source, RawDataset& out) {
  read_ratings_csv(in, source, out);
}
void ratings_dat(std::istream& in, const std::string& source, RawDataset& out) {
  read_ratings_dat(in, source, out);
}
void ratings_100k(std::istream& in, const std::string& source, RawDataset& out) {
  read_ratings_100k(in, source, out);
}
void genres_100k(std::istream& in, const std::string& source, RawDataset&) {
  read_genres_100k(in, source);
}
void movies_100k(std::istream& in, const std::string& source, RawDataset& out) {
  read_movies_100k(in, source, {"unknown", "Action"}, out);
}

const std::string kRatingsHeader = "userId,movieId,rating,timestamp\n";
const std::string kIdProblem = ": expected a positive whole number up to 2147483647, found ";

}  // namespace

TEST_CASE("movielens ratings.csv errors name file, line, column and text") {
  const auto error = [](const std::string& rows) {
    return error_reading(ratings_csv, "ratings.csv", kRatingsHeader + rows);
  };
  const std::string rating =
      "ratings.csv:3: column 'rating': expected a rating from 0.5 to 5, found ";
  CHECK(error("1,1,4,1\n1,2,abc,1\n") == rating + "'abc'");
  CHECK(error("1,1,4,1\n1,2,5.5,1\n") == rating + "'5.5'");
  CHECK(error("1,1,4,1\n1,2,0.4,1\n") == rating + "'0.4'");
  CHECK(error("1,1,4,1\n1,2,0,1\n") == rating + "'0'");
  CHECK(error("1,1,4,1\n1,2,nan,1\n") == rating + "'nan'");
  CHECK(error("1,1,4,1\n1,2,,1\n") == rating + "an empty field");
  CHECK(error("0,1,4,1\n") == "ratings.csv:2: column 'userId'" + kIdProblem + "'0'");
  CHECK(error("-3,1,4,1\n") == "ratings.csv:2: column 'userId'" + kIdProblem + "'-3'");
  CHECK(error("1.0,1,4,1\n") == "ratings.csv:2: column 'userId'" + kIdProblem + "'1.0'");
  CHECK(error("1,2147483648,4,1\n") ==
        "ratings.csv:2: column 'movieId'" + kIdProblem + "'2147483648'");
  CHECK(error("1,,4,1\n") == "ratings.csv:2: column 'movieId'" + kIdProblem + "an empty field");
  CHECK(error("1,1,4\n") == "ratings.csv:2: expected 4 fields (as in the header), found 3");
  // An error beats a dropped row: a bad rating with a bad timestamp is still an error.
  CHECK(error("1,1,9,\n") ==
        "ratings.csv:2: column 'rating': expected a rating from 0.5 to 5, found '9'");
}

// ratings.csv is parsed in pieces on every core (csv_pieces.hpp): a bad row far into a file of
// several chunks, after rows with quoted line breaks (timestamps that are not numbers: rows
// dropped, not errors), is still named by its line in the file.
TEST_CASE("movielens ratings.csv errors name the line far into a large file") {
  std::string rows;
  std::size_t line = 2;
  for (int i = 0; i < 2'500'000; ++i, ++line) {
    rows += i % 100'000 == 7 ? "1,2,4,\"1\n\"\n" : "1,2,4,1\n";
    if (i % 100'000 == 7) ++line;
  }
  rows += "1,2,4,1\n1,2,4,1\n7,x,4,1\n";
  CHECK(error_reading(ratings_csv, "ratings.csv", kRatingsHeader + rows) ==
        "ratings.csv:" + std::to_string(line + 2) + ": column 'movieId'" + kIdProblem + "'x'");
}

TEST_CASE("movielens csv files: missing columns, empty files, malformed quotes") {
  CHECK(error_reading(ratings_csv, "ratings.csv", "userId,movieId,rating\n1,1,4\n") ==
        "ratings.csv:1: missing column 'timestamp' (header has: userId, movieId, rating)");
  CHECK(error_reading(ratings_csv, "ratings.csv", "") ==
        "ratings.csv: empty file (expected a header line)");
  CHECK(error_reading(ratings_csv, "ratings.csv", kRatingsHeader) ==
        "ratings.csv: empty file (no rating rows after the header)");

  const auto movies = [](const std::string& rows) {
    return error_reading(read_movies_csv, "movies.csv", "movieId,title,genres\n" + rows);
  };
  CHECK(movies("1,\"Heat\" (1995),Action\n") ==
        "movies.csv:2: malformed quoted field in column 2: text after the closing quote");
  CHECK(movies("1,\"Heat (1995),Action\n2,Up (2009),Comedy\n") ==
        "movies.csv:2: unterminated quoted field (a '\"' opens a field that never closes)");
  CHECK(movies("1,Heat, The (1995),Action\n") ==
        "movies.csv:2: expected 3 fields (as in the header), found 4");
  CHECK(movies("1,A (2000),Drama\n\n1,B (2001),Drama\n") ==
        "movies.csv:4: movie 1 is listed twice (first on line 2)");
  CHECK(movies("x,A (2000),Drama\n") == "movies.csv:2: column 'movieId'" + kIdProblem + "'x'");
  CHECK(movies("") == "movies.csv: empty file (no movie rows after the header)");
  CHECK(error_reading(read_movies_csv, "movies.csv", "movieId,title\n1,A\n") ==
        "movies.csv:1: missing column 'genres' (header has: movieId, title)");

  CHECK(error_reading(read_links_csv, "links.csv", "movieId,imdbId,tmdbId\n1,tt0999901,99901\n") ==
        "links.csv:2: column 'imdbId': expected digits or an empty field, found 'tt0999901'");
  CHECK(error_reading(read_links_csv, "links.csv", "movieId,imdbId\n") ==
        "links.csv:1: missing column 'tmdbId' (header has: movieId, imdbId)");
  CHECK(error_reading(read_tags_csv, "tags.csv", "userId,movieId,timestamp\n") ==
        "tags.csv:1: missing column 'tag' (header has: userId, movieId, timestamp)");
  CHECK(error_reading(read_tags_csv, "tags.csv", "") ==
        "tags.csv: empty file (expected a header line)");
  // A header alone is a release without links or tags, not an error.
  CHECK(error_reading(read_tags_csv, "tags.csv", "userId,movieId,tag,timestamp\n") ==
        "(no InputError)");
}

TEST_CASE("movielens dat files: field counts, values and empty files") {
  CHECK(error_reading(ratings_dat, "ratings.dat", "1::1::5::1\n1::2::5\n") ==
        "ratings.dat:2: expected 4 fields separated by '::' (UserID::MovieID::Rating::Timestamp), "
        "found 3");
  CHECK(error_reading(ratings_dat, "ratings.dat", "1::1::5::1::9\n") ==
        "ratings.dat:1: expected 4 fields separated by '::' (UserID::MovieID::Rating::Timestamp), "
        "found 5");
  CHECK(error_reading(ratings_dat, "ratings.dat", "1::1::5::1\n\n1::2::6::1\n") ==
        "ratings.dat:3: field 3 (Rating): expected a rating from 0.5 to 5, found '6'");
  CHECK(error_reading(ratings_dat, "ratings.dat", "1::x::5::1\n") ==
        "ratings.dat:1: field 2 (MovieID)" + kIdProblem + "'x'");
  CHECK(error_reading(ratings_dat, "ratings.dat", "") ==
        "ratings.dat: empty file (no rating lines)");
  CHECK(error_reading(ratings_dat, "ratings.dat", "\r\n\n") ==
        "ratings.dat: empty file (no rating lines)");

  CHECK(error_reading(read_movies_dat, "movies.dat", "1::Title only\n") ==
        "movies.dat:1: expected at least 3 fields separated by '::' (MovieID::Title::Genres), "
        "found 2");
  CHECK(error_reading(read_movies_dat, "movies.dat", "0::T (1990)::Drama\n") ==
        "movies.dat:1: field 1 (MovieID)" + kIdProblem + "'0'");
  CHECK(error_reading(read_movies_dat, "movies.dat", "") ==
        "movies.dat: empty file (no movie lines)");

  CHECK(
      error_reading(read_tags_dat, "tags.dat", "1::2::tag\n") ==
      "tags.dat:1: expected at least 4 fields separated by '::' (UserID::MovieID::Tag::Timestamp), "
      "found 3");
  CHECK(error_reading(read_tags_dat, "tags.dat", "1::-2::tag::5\n") ==
        "tags.dat:1: field 2 (MovieID)" + kIdProblem + "'-2'");
  CHECK(error_reading(read_tags_dat, "tags.dat", "") == "tags.dat: empty file (no tag lines)");
}

TEST_CASE("movielens ml100k files: field counts, genre flags, genre numbering") {
  CHECK(error_reading(ratings_100k, "u.data", "1\t2\t3\t4\n1\t2\t3\n") ==
        "u.data:2: expected 4 tab-separated fields (user id, item id, rating, timestamp), found 3");
  CHECK(error_reading(ratings_100k, "u.data", "1\t2\t0\t5\n") ==
        "u.data:1: field 3 (rating): expected a rating from 0.5 to 5, found '0'");
  CHECK(error_reading(ratings_100k, "u.data", "") == "u.data: empty file (no rating lines)");

  CHECK(error_reading(genres_100k, "u.genre", "Action\n") ==
        "u.genre:1: expected a genre name and its index separated by '|', found 'Action'");
  CHECK(error_reading(genres_100k, "u.genre", "unknown|0\nAction|x\n") ==
        "u.genre:2: field 2 (index): expected a whole number from 0, found 'x'");
  CHECK(error_reading(genres_100k, "u.genre", "unknown|0\nAction|5\n") ==
        "u.genre:2: genre index 5 is out of range (the 2 genres must be numbered from 0 to 1)");
  CHECK(error_reading(genres_100k, "u.genre", "unknown|0\nAction|0\n") ==
        "u.genre:2: genre index 0 is used twice ('unknown' and 'Action')");
  CHECK(error_reading(genres_100k, "u.genre", "\n\n") == "u.genre: empty file (no genre lines)");
  std::istringstream genres("Action|1\nunknown|0\n\n\n");
  CHECK(read_genres_100k(genres, "u.genre") == std::vector<std::string>{"unknown", "Action"});

  CHECK(error_reading(movies_100k, "u.item", "1|T (1990)|d||u|0\n") ==
        "u.item:1: expected 7 fields separated by '|' (movie id, title, release date, video "
        "release date, IMDb URL, 2 genre flags), found 6");
  CHECK(error_reading(movies_100k, "u.item", "1|T (1990)|d||u|0|1\n2|U (1991)|d||u|0|2\n") ==
        "u.item:2: field 7 (genre flag 'Action'): expected 0 or 1, found '2'");
  CHECK(error_reading(movies_100k, "u.item", "1|T (1990)|d||u|0|1\n1|U (1991)|d||u|0|1\n") ==
        "u.item:2: movie 1 is listed twice (first on line 1)");
  CHECK(error_reading(movies_100k, "u.item", "") == "u.item: empty file (no movie lines)");
}

TEST_CASE("movielens load names the file that fails") {
  const TempDir dir;
  dir.write("ratings.csv", "");
  dir.write("movies.csv", "movieId,title,genres\n1,A (2000),Drama\n");
  CHECK(error_of([&] { load_movielens(dir.path()); }) ==
        (dir.path() / "ratings.csv").string() + ": empty file (expected a header line)");
}
