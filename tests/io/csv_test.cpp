#include "movierec/io/csv.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

std::vector<std::vector<std::string>> read_records(std::istream& in) {
  CsvReader reader(in, "test.csv");
  reader.read_header();
  std::vector<std::vector<std::string>> rows;
  rows.push_back(reader.header());
  while (reader.next()) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < reader.field_count(); ++i) row.emplace_back(reader.field(i));
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::vector<std::string>> read_records(const std::string& text) {
  std::istringstream in(text);
  return read_records(in);
}

// The records, or the error's message.
template <typename Read>
std::string outcome_of(Read read) {
  try {
    std::string shown;
    for (const auto& row : read()) {
      for (const std::string& field : row) shown += "[" + field + "]";
      shown += "\n";
    }
    return shown;
  } catch (const InputError& e) {
    return e.what();
  }
}

std::string csv_error(const std::string& text) {
  try {
    read_records(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("csv reads plain records") {
  const auto rows = read_records("a,b,c\n1,2,3\n4,,6\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1] == std::vector<std::string>{"1", "2", "3"});
  CHECK(rows[2] == std::vector<std::string>{"4", "", "6"});
}

TEST_CASE("csv handles quotes, embedded commas, doubled quotes and line breaks") {
  const auto rows = read_records(
      "id,title\n1,\"Shawshank Redemption, The (1994)\"\n2,\"Say \"\"Hi\"\" (2000)\"\n"
      "3,\"two\nlines\"\n4,\"\"\n");
  REQUIRE(rows.size() == 5);
  CHECK(rows[1][1] == "Shawshank Redemption, The (1994)");
  CHECK(rows[2][1] == "Say \"Hi\" (2000)");
  CHECK(rows[3][1] == "two\nlines");
  CHECK(rows[4][1] == "");
}

TEST_CASE("csv skips a UTF-8 BOM and accepts CRLF line endings") {
  const auto rows = read_records("\xEF\xBB\xBFuserId,rating\r\n1,4.5\r\n2,\"3\"\r\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][0] == "userId");
  CHECK(rows[1] == std::vector<std::string>{"1", "4.5"});
  CHECK(rows[2] == std::vector<std::string>{"2", "3"});
}

TEST_CASE("csv accepts a last line without a line break and skips blank lines") {
  const auto rows = read_records("a,b\n\n1,2\n\n3,4");
  REQUIRE(rows.size() == 3);
  CHECK(rows[2] == std::vector<std::string>{"3", "4"});
}

TEST_CASE("csv errors name the line and the problem") {
  CHECK(csv_error("") == "test.csv: empty file (expected a header line)");
  CHECK(csv_error("a,b\n1,2\n3\n") == "test.csv:3: expected 2 fields (as in the header), found 1");
  CHECK(csv_error("a,b\n1,\"open\n2,3\n") ==
        "test.csv:2: unterminated quoted field (a '\"' opens a field that never closes)");
  CHECK(csv_error("a,b\n1,\"x\"y\n") ==
        "test.csv:2: malformed quoted field in column 2: text after the closing quote");
  CHECK(csv_error("a,b\n1,ab\"c\"\n").find("test.csv:2: malformed field in column 2") == 0);
}

TEST_CASE("csv line numbers count line breaks inside quoted fields") {
  std::istringstream in("a,b\n1,\"x\ny\"\n2,z\n3\n");
  CsvReader reader(in, "f.csv");
  reader.read_header();
  REQUIRE(reader.next());
  CHECK(reader.line() == 2);
  REQUIRE(reader.next());
  CHECK(reader.line() == 4);
  CHECK_THROWS_WITH(reader.next(), "f.csv:5: expected 2 fields (as in the header), found 1");
}

TEST_CASE("csv reads records longer than its read buffer") {
  const std::string long_title(3 << 20, 'x');
  const auto rows = read_records("id,title\n1,\"" + long_title + "\"\n2,short\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][1] == long_title);
  CHECK(rows[2][1] == "short");
}

TEST_CASE("csv columns are found by header name, with a clear error when missing") {
  std::istringstream in("rating,userId\n4.0,7\n");
  CsvReader reader(in, "r.csv");
  reader.read_header();
  CHECK(reader.column("userId") == 1);
  CHECK_THROWS_WITH(reader.column("movieId"),
                    "r.csv:1: missing column 'movieId' (header has: rating, userId)");
  REQUIRE(reader.next());
  CHECK(reader.to_int(1) == 7);
  CHECK(reader.to_double(0) == 4.0);
}

TEST_CASE("csv number conversions reject junk with the column named") {
  std::istringstream in("userId,rating\nx7,nan\n,4\n");
  CsvReader reader(in, "r.csv");
  reader.read_header();
  REQUIRE(reader.next());
  CHECK_THROWS_WITH(reader.to_int(0),
                    "r.csv:2: column 'userId': expected a whole number, found 'x7'");
  CHECK_THROWS_WITH(reader.to_double(1),
                    "r.csv:2: column 'rating': expected a finite number, found 'nan'");
  REQUIRE(reader.next());
  CHECK_THROWS_WITH(reader.to_int(0),
                    "r.csv:3: column 'userId': expected a whole number, found an empty field");
}

TEST_CASE("csv writer quotes only when needed and round-trips") {
  std::ostringstream out;
  {
    CsvWriter writer(out);
    writer.row("id", "title", "score");
    writer.row(1, "Shawshank Redemption, The (1994)", 0.1);
    writer.row(2, "Say \"Hi\"", -2.5);
    writer.flush();
  }
  CHECK(out.str() ==
        "id,title,score\n1,\"Shawshank Redemption, The (1994)\",0.1\n2,\"Say \"\"Hi\"\"\",-2.5\n");
  const auto rows = read_records(out.str());
  CHECK(rows[2][1] == "Say \"Hi\"");
}

TEST_CASE("line reader strips CR and BOM and split handles multi-character separators") {
  std::istringstream in(
      "\xEF\xBB\xBF"
      "7::Fixture Story (1995)::Animation\r\n\n2::x::y");
  LineReader reader(in, "movies.dat");
  std::string line;
  REQUIRE(reader.next(line));
  CHECK(line == "7::Fixture Story (1995)::Animation");
  CHECK(split(line, "::") ==
        std::vector<std::string_view>{"7", "Fixture Story (1995)", "Animation"});
  REQUIRE(reader.next(line));
  CHECK(line.empty());
  REQUIRE(reader.next(line));
  CHECK(reader.line() == 3);
  CHECK_FALSE(reader.next(line));
}

TEST_CASE("parse_int takes whole numbers only, on its fast path and off it") {
  CHECK(parse_int("0") == 0);
  CHECK(parse_int("007") == 7);
  CHECK(parse_int("1000000300") == 1000000300);
  CHECK(parse_int("999999999999999999") == 999999999999999999);    // 18 digits: fast path
  CHECK(parse_int("9223372036854775807") == 9223372036854775807);  // 19 digits: from_chars
  CHECK(parse_int("-5") == -5);
  CHECK_FALSE(parse_int("9223372036854775808"));
  CHECK_FALSE(parse_int(""));
  CHECK_FALSE(parse_int("+1"));
  CHECK_FALSE(parse_int("1a"));
  CHECK_FALSE(parse_int("1.0"));
  CHECK_FALSE(parse_int(" 1"));
  CHECK_FALSE(parse_int("\xE9"));
}

// Reads grow from 16 KiB to 1 MiB: records, quoted line breaks and CRLFs that straddle each read
// boundary come back whole, with their line numbers.
TEST_CASE("csv reads records across the growing read boundaries") {
  std::string text = "id,text\r\n";
  std::vector<std::string> expected;
  for (int i = 0; text.size() < (std::size_t{3} << 20); ++i) {
    std::string field(static_cast<std::size_t>(i % 97), 'x');
    if (i % 5 == 0) field += "\nsecond line";
    if (i % 7 == 0) field += "\"\"quoted\"\"";
    text += std::to_string(i) + ",\"" + field + "\"\r\n";
    std::string unquoted = field;
    for (std::size_t at; (at = unquoted.find("\"\"")) != std::string::npos;) unquoted.erase(at, 1);
    expected.push_back(unquoted);
  }
  const auto rows = read_records(text);
  REQUIRE(rows.size() == expected.size() + 1);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    REQUIRE(rows[i + 1] == std::vector<std::string>{std::to_string(i), expected[i]});
  }
  const auto lines = std::count(text.begin(), text.end(), '\n');
  CHECK_THAT(csv_error(text + "x,\"open\n"),
             Catch::StartsWith("test.csv:" + std::to_string(lines + 1) + ": unterminated"));
}

// CsvReader reads a MemoryText in place; a record cut by the seam between its two texts is
// joined first. Every cut of each text reads as the whole text read from a stream.
TEST_CASE("csv reads text in memory in place, records across the seam included") {
  const std::string texts[] = {
      "a,b\n1,2\n3,4\n",
      "\xEF\xBB\xBF"
      "a,b\r\n\r\n1,\"x,\"\"y\"\"\nz\"\r\n\n3,4",
      "a,b\n1,\"unterminated\n2,3\n",
      "a,b\n1,2,3\n",
      "a,b\n",
      "",
  };
  for (const std::string& text : texts) {
    const std::string expected = outcome_of([&] { return read_records(text); });
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      INFO("text " << text << ", cut at " << cut);
      const std::string_view view(text);
      MemoryText memory(view.substr(0, cut), view.substr(cut));
      std::istream in(&memory);
      CHECK(outcome_of([&] { return read_records(in); }) == expected);
    }
  }
}
