#include "movierec/data/processed.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <span>
#include <sstream>
#include <unordered_map>

#include "movielens_test_support.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"

using namespace movierec;
namespace fs = std::filesystem;
using movierec::testing::TempDir;  // not from another file of a unity batch

namespace {

std::string ratings_error(const std::string& text) {
  try {
    std::istringstream in(text);
    read_ratings(in, "train.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Rows of `all`: the pieces [from, from + count), in order.
RatingPieces pieces(const std::vector<Rating>& all,
                    std::initializer_list<std::pair<std::size_t, std::size_t>> ranges) {
  RatingPieces rows;
  for (const auto& [from, count] : ranges) {
    rows.add(std::span<const Rating>(all).subspan(from, count));
  }
  return rows;
}

// Its split names rows of its filtered ratings, as split_rows does.
ProcessedData sample_data() {
  ProcessedData data;
  data.filtered.ratings = {{1, 10, 4.0f, 100}, {1, 20, 3.5f, 200}, {1, 30, 2.0f, 300},
                           {2, 10, 5.0f, 150}, {2, 20, 1.0f, 250}, {2, 30, 0.5f, 350}};
  data.movies = {{10, "Heat (1995)", "Action|Crime"},
                 {20, "Shawshank Redemption, The (1994)", "Drama"},
                 {30, "Untitled", ""}};
  data.split.train = pieces(data.filtered.ratings, {{0, 2}, {3, 1}});
  data.split.val = pieces(data.filtered.ratings, {{2, 1}, {4, 1}});
  data.split.test = pieces(data.filtered.ratings, {{5, 1}});
  data.stats = train_statistics(data.split.train);
  MovieInfo info;
  info.id = 10;
  info.title = "Heat (1995)";
  data.metadata = {info};
  return data;
}

// `back` holds `expected`'s ratings, field by field, in order.
void check_same_ratings(const std::vector<Rating>& back, const std::vector<Rating>& expected) {
  REQUIRE(back.size() == expected.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    CHECK(back[i].user == expected[i].user);
    CHECK(back[i].movie == expected[i].movie);
    CHECK(back[i].rating == expected[i].rating);
    CHECK(back[i].timestamp == expected[i].timestamp);
  }
}

}  // namespace

TEST_CASE("ratings round-trip through CSV, stars written as MovieLens does") {
  const std::vector<Rating> ratings = {{1, 2, 4.0f, 1000000300},
                                       {1, 3, 4.5f, -5},
                                       {2147483647, -2147483647 - 1, 0.5f, 1},
                                       {7, 8, 3.25f, 0}};
  std::ostringstream out;
  write_ratings(out, ratings);
  CHECK(out.str().rfind("userId,movieId,rating,timestamp\n1,2,4.0,1000000300\n1,3,4.5,-5\n", 0) ==
        0);
  std::istringstream in(out.str());
  const auto back = read_ratings(in, "x.csv");
  check_same_ratings(back, ratings);
}

TEST_CASE("transformed rows round-trip exactly") {
  const ProcessedData data = sample_data();
  const auto rows = transform(data.filtered.ratings, data.stats, PipelineConfig{});
  std::ostringstream out;
  write_transformed(out, rows);
  std::istringstream in(out.str());
  const auto back = read_transformed(in, "t.csv");
  REQUIRE(back.size() == rows.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    CHECK(back[i].rating.user == rows[i].rating.user);
    CHECK(back[i].rating_norm == rows[i].rating_norm);
    CHECK(back[i].pop_weight == rows[i].pop_weight);
    CHECK(back[i].time_weight == rows[i].time_weight);
    CHECK(back[i].final_rating == rows[i].final_rating);
  }
}

TEST_CASE("read_transformed_blocks reads what read_transformed reads, however the text is cut") {
  std::vector<Rating> ratings;
  for (std::int32_t i = 0; i < 300; ++i) {
    ratings.push_back(
        {1 + i / 7, 10 + (i * 13) % 50, 0.5f * static_cast<float>(1 + i % 10), 1000 + 37 * i});
  }
  const auto rows = transform(ratings, train_statistics(ratings), PipelineConfig{});
  std::ostringstream out;
  write_transformed(out, rows);
  std::string text = out.str();
  text.pop_back();  // the last row without its line break
  const auto read_blocks = [](const std::string& from, unsigned threads, std::size_t piece) {
    std::istringstream in(from);
    std::vector<TransformedRating> back;
    std::size_t blocks = 0;
    read_transformed_blocks(
        in, "t.csv",
        [&](std::span<const TransformedRating> block) {
          back.insert(back.end(), block.begin(), block.end());
          ++blocks;
        },
        threads, piece);
    return std::pair(back, blocks);
  };
  // One piece; pieces of a few rows; pieces shorter than a row (a line longer than a chunk).
  for (const auto& [threads, piece] :
       {std::pair(1u, std::size_t{0}), std::pair(2u, std::size_t{300}),
        std::pair(3u, std::size_t{97}), std::pair(2u, std::size_t{7})}) {
    INFO(threads << " threads, pieces of " << piece << " bytes");
    const auto [back, blocks] = read_blocks(text, threads, piece);
    CHECK((piece == 0 ? blocks == 1 : blocks > 2));
    REQUIRE(back.size() == rows.size());
    for (std::size_t i = 0; i < back.size(); ++i) {
      CHECK(back[i].rating.user == rows[i].rating.user);
      CHECK(back[i].rating.movie == rows[i].rating.movie);
      CHECK(back[i].rating.rating == rows[i].rating.rating);
      CHECK(back[i].rating.timestamp == rows[i].rating.timestamp);
      CHECK(back[i].rating_norm == rows[i].rating_norm);
      CHECK(back[i].final_rating == rows[i].final_rating);
    }
  }
  // A bad value on line 201 (row 200), a row cut short at the end, an empty file, a missing
  // column: the same message as the one-piece reader's.
  std::string bad = text;
  std::size_t line = bad.find('\n');
  for (int n = 0; n < 199; ++n) line = bad.find('\n', line + 1);
  bad.replace(bad.find(',', line + 1) + 1, 2, "x");
  const std::string cut = text.substr(0, text.rfind(',') - 3);
  for (const std::string& damaged :
       {bad, cut, std::string(), std::string("userId,movieId\n1,2\n")}) {
    std::string expected;
    try {
      std::istringstream in(damaged);
      read_transformed(in, "t.csv");
    } catch (const InputError& e) {
      expected = e.what();
    }
    REQUIRE_FALSE(expected.empty());
    for (const std::size_t piece : {std::size_t{0}, std::size_t{300}, std::size_t{7}}) {
      CHECK_THROWS_WITH(read_blocks(damaged, 2, piece), expected);
    }
  }
}

TEST_CASE("read_rating_blocks reads the rating columns of either kind of file") {
  std::vector<Rating> ratings;
  for (std::int32_t i = 0; i < 200; ++i) {
    ratings.push_back({1 + i / 9, 5 + (i * 7) % 40, 0.5f * static_cast<float>(1 + i % 10), 77 * i});
  }
  std::ostringstream stars;
  write_ratings(stars, ratings);
  std::ostringstream transformed;
  write_transformed(transformed, transform(ratings, train_statistics(ratings), PipelineConfig{}));
  for (const std::string& text : {stars.str(), transformed.str()}) {
    std::istringstream in(text);
    std::vector<Rating> back;
    read_rating_blocks(
        in, "r.csv",
        [&](std::span<const Rating> block) { back.insert(back.end(), block.begin(), block.end()); },
        2, 500);
    check_same_ratings(back, ratings);
  }
  std::istringstream bad("userId,movieId,rating,timestamp\n1,2,4.0,5\n1,3,9,5\n");
  CHECK_THROWS_WITH(read_rating_blocks(bad, "r.csv", [](std::span<const Rating>) {}),
                    "r.csv:3: column 'rating': expected stars from 0.5 to 5, found 9");
}

TEST_CASE("readers take columns in any order and name file and line on errors") {
  std::istringstream in("timestamp,rating,movieId,userId\r\n100,4.5,2,1\r\n");
  const auto ratings = read_ratings(in, "r.csv");
  REQUIRE(ratings.size() == 1);
  CHECK(ratings[0].user == 1);
  CHECK(ratings[0].movie == 2);
  CHECK(ratings[0].rating == 4.5f);

  const std::string header = "userId,movieId,rating,timestamp\n";
  CHECK(ratings_error(header + "1,2,4,5\n1,2,five,5\n") ==
        "train.csv:3: column 'rating': expected a finite number, found 'five'");
  CHECK(ratings_error(header + "1,2,5.5,5\n") ==
        "train.csv:2: column 'rating': expected stars from 0.5 to 5, found 5.5");
  CHECK(ratings_error(header + "1,2,0,5\n").find("train.csv:2:") == 0);
  CHECK(ratings_error(header + "1,2,4,\n").find("train.csv:2: column 'timestamp'") == 0);
  CHECK(ratings_error(header + "1,99999999999,4,5\n") ==
        "train.csv:2: column 'movieId': id out of range: 99999999999");
  CHECK(ratings_error(header + "1,2,4\n").find("train.csv:2: expected 4 fields") == 0);
  CHECK(ratings_error("userId,movieId,timestamp\n").find("train.csv:1: missing column 'rating'") ==
        0);
  CHECK(ratings_error("").find("train.csv: empty file") == 0);

  std::istringstream plain(header + "1,2,4,5\n");
  try {
    read_transformed(plain, "t.csv");
    FAIL("read_transformed accepted a file without the transform columns");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("t.csv:1: missing column 'rating_norm'") == 0);
  }
}

TEST_CASE("write_processed writes every file and a manifest that describes them") {
  const testing::TempDir temp;
  const fs::path dir = temp.path() / "processed";
  const ProcessedData data = sample_data();
  nlohmann::json manifest = {{"data", {{"dir", "somewhere"}}}, {"counts", {{"train", 3}}}};
  std::size_t last_progress = 0;
  write_processed(dir, data, PipelineConfig{}, manifest,
                  [&](std::size_t rows) { last_progress = rows; });
  CHECK(last_progress == 6 + 3 * 2 + 2 * 2 + 1 * 2);

  const nlohmann::json read = ProcessedFolder(dir).manifest();
  CHECK(read["format_version"] == 1);
  CHECK(read["program"] == "preprocess");
  CHECK(read["data"]["dir"] == "somewhere");
  CHECK(read["counts"]["train"] == 3);
  CHECK(read["config"] == PipelineConfig{}.to_json());
  CHECK(read["created"].get<std::string>().size() == 20);
  const std::vector<std::pair<std::string, int>> files = {{"ratings_filtered.csv", 6},
                                                          {"movies_filtered.csv", 3},
                                                          {"train.csv", 3},
                                                          {"val.csv", 2},
                                                          {"test.csv", 1},
                                                          {"train_transformed.csv", 3},
                                                          {"val_transformed.csv", 2},
                                                          {"test_transformed.csv", 1},
                                                          {"rare_train_transformed.csv", 0},
                                                          {"user_means.json", 2},
                                                          {"movie_popularity.json", 3},
                                                          {"train_max_timestamp.txt", 1},
                                                          {"movie_metadata.csv", 1}};
  CHECK(read["files"].size() == files.size());
  for (const auto& [name, rows] : files) {
    INFO(name);
    REQUIRE(read["files"].contains(name));
    CHECK(read["files"][name]["rows"] == rows);
    CHECK(read["files"][name]["checksum"] == file_checksum(dir / name));
  }
  CHECK(testing::read_bytes(dir / "train_max_timestamp.txt") == "200\n");
  CHECK(testing::read_bytes(dir / "user_means.json") == "{\n  \"1\": 3.75,\n  \"2\": 5\n}\n");
  CHECK(testing::read_bytes(dir / "movie_popularity.json") ==
        "{\n  \"10\": 2,\n  \"20\": 1,\n  \"30\": 0\n}\n");
  CHECK(testing::read_bytes(dir / "movies_filtered.csv") ==
        "movieId,title,genres\n10,Heat (1995),Action|Crime\n"
        "20,\"Shawshank Redemption, The (1994)\",Drama\n30,Untitled,\n");
  const ProcessedFolder folder(dir);
  const auto val = folder.read_transformed("val_transformed.csv");
  REQUIRE(val.size() == 2);
  CHECK(val[0].rating_norm == Approx(2.0 - 3.75));
  CHECK(val[1].rating_norm == Approx(1.0 - 5.0));
  CHECK(val[0].time_weight == 1.0);  // newer than the newest train rating
  CHECK(folder.read_ratings("ratings_filtered.csv").size() == 6);
}

TEST_CASE("write_processed writes transformed rows as write_transformed does, values repeating") {
  // The writer remembers the text of repeated values (a user's rating_norm, a movie's
  // pop_weight) in a few thousand slots: more movies than slots make values share them.
  ProcessedData data;
  std::mt19937 rng(7);
  for (int user = 1; user <= 400; ++user) {
    for (int i = 0; i < 50; ++i) {
      data.filtered.ratings.push_back({user, 1 + static_cast<int>(rng() % 9000),
                                       0.5f * static_cast<float>(1 + rng() % 10),
                                       1'000'000 + 1000 * user + i});
    }
  }
  data.split.train = pieces(data.filtered.ratings, {{0, 15'000}});
  data.split.val = pieces(data.filtered.ratings, {{15'000, 5'000}});
  data.stats = train_statistics(data.split.train);
  const testing::TempDir temp;
  write_processed(temp.path() / "processed", data, PipelineConfig{}, nlohmann::json::object(), {});

  const auto expected = [&](std::size_t from, std::size_t count) {
    const std::vector<Rating> rows(data.filtered.ratings.begin() + static_cast<long>(from),
                                   data.filtered.ratings.begin() + static_cast<long>(from + count));
    std::ostringstream out;
    write_transformed(out, transform(rows, data.stats, PipelineConfig{}));
    return out.str();
  };
  CHECK(testing::read_bytes(temp.path() / "processed" / "train_transformed.csv") ==
        expected(0, 15'000));
  CHECK(testing::read_bytes(temp.path() / "processed" / "val_transformed.csv") ==
        expected(15'000, 5'000));
}

TEST_CASE("write_processed leaves the previous folder whole when it fails") {
  const testing::TempDir temp;
  const fs::path dir = temp.path() / "processed";
  const ProcessedData data = sample_data();
  write_processed(dir, data, PipelineConfig{}, nlohmann::json::object());
  const std::string before = testing::read_bytes(dir / "manifest.json");
  ProcessedData other = sample_data();
  other.split.train = pieces(other.filtered.ratings, {{0, 2}});
  CHECK_THROWS_WITH(write_processed(dir, other, PipelineConfig{}, nlohmann::json::object(),
                                    [](std::size_t) { throw Error("interrupted"); }),
                    "interrupted");
  CHECK(testing::read_bytes(dir / "manifest.json") == before);
  CHECK(ProcessedFolder(dir).read_ratings("train.csv").size() == 3);
  std::size_t entries = 0;
  for (const auto& entry : fs::directory_iterator(temp.path())) {
    (void)entry;
    ++entries;
  }
  CHECK(entries == 1);  // no temporary folder left behind
}

TEST_CASE("ProcessedFolder refuses a manifest preprocess did not write") {
  const testing::TempDir temp;
  const auto error_of = [&] {
    try {
      ProcessedFolder folder(temp.path());
    } catch (const ModelError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error_of().find("manifest.json is missing") != std::string::npos);
  CHECK(error_of().find("run: build/bin/preprocess") != std::string::npos);
  std::ofstream(temp.path() / "manifest.json") << "{not json";
  CHECK(error_of().find("is not valid JSON") != std::string::npos);
  std::ofstream(temp.path() / "manifest.json")
      << R"({"format_version": 2, "program": "preprocess", "files": {}})";
  CHECK(error_of().find("has format version 2; this build reads version 1") != std::string::npos);
  std::ofstream(temp.path() / "manifest.json")
      << R"({"format_version": 1, "program": "train_svd"})";
  CHECK(error_of().find("was not written by preprocess") != std::string::npos);
  // A "program" that is not a string is refused like any other (it used to escape as a JSON
  // type error, without the fix command).
  std::ofstream(temp.path() / "manifest.json") << R"({"format_version": 1, "program": 3})";
  CHECK(error_of().find("was not written by preprocess") != std::string::npos);
  std::ofstream(temp.path() / "manifest.json")
      << R"({"format_version": 1, "program": "preprocess", "files": []})";
  CHECK(error_of().find("was not written by preprocess") != std::string::npos);
  std::ofstream(temp.path() / "manifest.json")
      << R"({"format_version": 1, "program": "preprocess", "files": {}})";
  CHECK(error_of().empty());
}

TEST_CASE("ProcessedFolder names the folder in its fix command") {
  const testing::TempDir temp;
  try {
    ProcessedFolder folder(temp.path());
    FAIL("an empty folder was accepted");
  } catch (const ModelError& e) {
    CHECK(std::string(e.what()).find("run: build/bin/preprocess --out " + temp.path().string()) !=
          std::string::npos);
  }
}

TEST_CASE("the train ratings of every movie: train.csv's, then the dropped movies'") {
  TempDir temp;
  const fs::path dir = temp.path() / "processed";
  ProcessedData data = sample_data();
  data.rare_train = {{2, 40, 4.5f, 120}, {1, 50, 3.0f, 130}};
  write_processed(dir, data, PipelineConfig{}, nlohmann::json::object());
  const std::vector<Rating> every = ProcessedFolder(dir).read_train_ratings_of_every_movie();
  std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
  for (const Rating& r : every) pairs.emplace_back(r.user, r.movie);
  CHECK(pairs == std::vector<std::pair<std::int32_t, std::int32_t>>{
                     {1, 10}, {1, 20}, {2, 10}, {2, 40}, {1, 50}});
  CHECK(every[3].rating == 4.5f);
}

TEST_CASE("ProcessedFolder hands out only the bytes its manifest lists") {
  TempDir temp;
  const fs::path dir = temp.path() / "processed";
  write_processed(dir, sample_data(), PipelineConfig{}, nlohmann::json::object());
  const ProcessedFolder folder(dir);
  const auto refusal = [&](const std::function<void()>& read) {
    try {
      read();
    } catch (const ModelError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string fix = "(to fix it, run: build/bin/preprocess --out " + dir.string() + ")";

  CHECK(folder.read("train_max_timestamp.txt") == "200\n");
  CHECK(folder.checksum("train.csv") == file_checksum(dir / "train.csv"));
  CHECK(folder.checksum("unlisted.csv").empty());
  CHECK(folder.read_ratings("train.csv").size() == 3);
  const std::vector<TransformedRating> val = folder.read_transformed("val_transformed.csv");
  REQUIRE(val.size() == 2);
  CHECK(val[0].rating_norm == Approx(2.0 - 3.75));
  CHECK(folder.read_catalog().size() == 1);
  CHECK(folder.read_popularity() ==
        std::unordered_map<std::int32_t, std::int64_t>{{10, 2}, {20, 1}, {30, 0}});
  // The progress of a streamed file, in bytes.
  std::size_t last = 0, total = 0;
  folder.read_transformed("train_transformed.csv",
                          [&](std::string_view step, std::size_t done, std::size_t of) {
                            CHECK(step == "reading train_transformed.csv");
                            last = done;
                            total = of;
                          });
  CHECK(last == fs::file_size(dir / "train_transformed.csv"));
  CHECK(total == last);

  CHECK(refusal([&] { folder.read("unlisted.csv"); }) ==
        (dir / "manifest.json").string() + " lists no checksum for unlisted.csv " + fix);
  std::ofstream(dir / "test.csv", std::ios::app) << "3,10,4.0,300\n";
  for (const auto& read : std::vector<std::function<void()>>{
           [&] { folder.read("test.csv"); }, [&] { folder.read_ratings("test.csv"); }}) {
    const std::string message = refusal(read);
    CHECK_THAT(message, Catch::StartsWith((dir / "test.csv").string() +
                                          " has changed since preprocess wrote it (checksum ") &&
                            Catch::EndsWith(fix));
  }
  // A damaged rating file fails to parse before its checksum is known: named as damaged.
  std::ofstream(dir / "val_transformed.csv", std::ios::app) << "1,x\n";
  CHECK_THAT(refusal([&] { folder.read_transformed("val_transformed.csv"); }),
             Catch::Contains("val_transformed.csv:4") &&
                 Catch::Contains("(the file is not as preprocess wrote it)") &&
                 Catch::EndsWith(fix));
  fs::remove(dir / "movie_popularity.json");
  CHECK(refusal([&] { folder.read_popularity(); }) ==
        (dir / "movie_popularity.json").string() + " is missing " + fix);
  CHECK_THROWS_AS(folder.require("movie_popularity.json"), ModelError);
  CHECK_NOTHROW(folder.require("train.csv"));
}
