#include "movierec/io/csv_pieces.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

using Records = std::vector<std::vector<std::string>>;

// Every record of a CSV stream after its header, as one CsvReader reads them.
Records records_of(std::istream& in, const std::string& source) {
  CsvReader reader(in, source);
  reader.read_header();
  Records records;
  while (reader.next()) {
    std::vector<std::string> record;
    for (std::size_t i = 0; i < reader.field_count(); ++i) record.emplace_back(reader.field(i));
    if (record.size() > 1 && record[1] == "bad") reader.fail("bad record");
    records.push_back(record);
  }
  return records;
}

// The records of `text` read by one reader, or its error.
std::pair<Records, std::string> read_whole(const std::string& text) {
  std::istringstream in(text);
  try {
    return {records_of(in, "f.csv"), ""};
  } catch (const InputError& e) {
    return {{}, e.what()};
  }
}

// The same read piece by piece.
std::pair<Records, std::string> read_in_pieces(const std::string& text, unsigned threads,
                                               std::size_t piece_bytes) {
  std::istringstream in(text);
  std::vector<Records> slots(2 * threads);
  Records records;
  try {
    parse_csv_pieces(
        in, "f.csv",
        [&](std::size_t slot, std::istream& piece, std::size_t) {
          slots[slot] = records_of(piece, "f.csv");
        },
        [&](std::size_t slot) {
          records.insert(records.end(), slots[slot].begin(), slots[slot].end());
        },
        threads, piece_bytes);
  } catch (const InputError& e) {
    return {{}, e.what()};
  }
  return {records, ""};
}

}  // namespace

TEST_CASE("pieces read what one reader reads, however the text is cut") {
  // A byte order mark, blank lines before the header and between records, CRLF, quoted fields
  // holding line breaks, delimiters and doubled quotes, a last record without a line break.
  std::string text = "\xEF\xBB\xBF\n\r\nid,text,n\r\n";
  for (int i = 0; i < 60; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 5) {
      case 0:
        text += n + ",plain," + n + "\n";
        break;
      case 1:
        text += n + ",\"two\nlines\"," + n + "\r\n";
        break;
      case 2:
        text += n + ",\"a \"\"quoted\"\", word\"," + n + "\n\n";
        break;
      case 3:
        text += n + ",\"\"," + n + "\n";
        break;
      default:
        text += n + ",\"\n\n\"," + n + "\n";
        break;
    }
  }
  text += "60,end,60";
  const auto [expected, none] = read_whole(text);
  REQUIRE(none.empty());
  REQUIRE(expected.size() == 61);
  for (const unsigned threads : {1u, 2u, 3u}) {
    for (const std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{17},
                                    std::size_t{64}, std::size_t{300}}) {
      INFO(threads << " threads, pieces of " << piece << " bytes");
      const auto [records, error] = read_in_pieces(text, threads, piece);
      CHECK(error.empty());
      CHECK(records == expected);
    }
  }
}

TEST_CASE("pieces name the line of the first bad record in the file") {
  std::string text = "id,text\n";
  for (int i = 0; i < 40; ++i) {
    // Records 30 and 35 are bad; records 5, 15 and 25 run over two lines each, so record 30
    // starts on line 2 + 30 + 3.
    const std::string field = i == 30 || i == 35 ? "bad" : i % 10 == 5 ? "\"x\ny\"" : "ok";
    text += std::to_string(i) + "," + field + "\n";
  }
  const std::string unterminated = "id,text\n1,ok\n2,\"open\n3,ok\n";
  const std::string ragged = "id,text\n1,ok\n2,ok,extra\n";
  for (const std::string& damaged : {text, unterminated, ragged}) {
    const auto [nothing, expected] = read_whole(damaged);
    REQUIRE_FALSE(expected.empty());
    for (const unsigned threads : {1u, 2u, 3u}) {
      for (const std::size_t piece : {std::size_t{0}, std::size_t{3}, std::size_t{40}}) {
        INFO(threads << " threads, pieces of " << piece << " bytes");
        CHECK(read_in_pieces(damaged, threads, piece).second == expected);
      }
    }
  }
  CHECK_THAT(read_whole(text).second, Catch::StartsWith("f.csv:35: bad record"));
}

TEST_CASE("pieces of an empty file or a lone header fail or read as one reader does") {
  CHECK(read_in_pieces("", 2, 4).second == read_whole("").second);
  CHECK_THAT(read_in_pieces("\n\n", 2, 4).second, Catch::Contains("empty file"));
  const auto [records, error] = read_in_pieces("id,text", 2, 4);
  CHECK(error.empty());
  CHECK(records.empty());
}

TEST_CASE("pieces pass other exceptions through") {
  std::istringstream in("id\n1\n2\n");
  CHECK_THROWS_AS(parse_csv_pieces(
                      in, "f.csv",
                      [](std::size_t, std::istream&, std::size_t bytes) {
                        if (bytes > 0) throw std::runtime_error("no room");
                      },
                      [](std::size_t) {}),
                  std::runtime_error);
  // consume() runs on a thread of its own; what it throws reaches the caller too.
  std::istringstream more("id\n1\n2\n3\n");
  CHECK_THROWS_WITH(parse_csv_pieces(
                        more, "f.csv", [](std::size_t, std::istream&, std::size_t) {},
                        [](std::size_t) { throw std::runtime_error("consumer full"); }, 2, 2),
                    "consumer full");
}
