#include "movierec/data/processed.hpp"

#include <algorithm>
#include <exception>
#include <istream>
#include <limits>
#include <memory>
#include <streambuf>
#include <thread>
#include <type_traits>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/parallel.hpp"
#include "row_format.hpp"

namespace movierec {
namespace {

constexpr float kMinStars = 0.5f;
constexpr float kMaxStars = 5.0f;
constexpr std::size_t kChunkRows = 1 << 14;

constexpr std::string_view kRatingColumns[] = {"userId", "movieId", "rating", "timestamp"};
constexpr std::string_view kTransformColumns[] = {"rating_norm", "pop_weight", "time_weight",
                                                  "final_rating"};

std::int32_t to_id(const CsvReader& reader, std::size_t column) {
  const std::int64_t value = reader.to_int(column);
  if (value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max()) {
    reader.fail("column '" + reader.header()[column] +
                "': id out of range: " + std::to_string(value));
  }
  return static_cast<std::int32_t>(value);
}

// Reads the rating columns of every row, and through `more` the `extra` columns into its result.
// `expected` rows are reserved up front.
template <typename Row, typename More>
std::vector<Row> read_rows(std::istream& in, const std::string& source, std::size_t expected,
                           const std::vector<std::string_view>& extra, More more) {
  CsvReader reader(in, source);
  reader.read_header();
  std::size_t columns[4];
  for (std::size_t i = 0; i < 4; ++i) columns[i] = reader.column(kRatingColumns[i]);
  std::vector<std::size_t> extra_columns;
  for (std::string_view name : extra) extra_columns.push_back(reader.column(name));
  std::vector<Row> rows;
  rows.reserve(expected);
  while (reader.next()) {
    Rating r;
    r.user = to_id(reader, columns[0]);
    r.movie = to_id(reader, columns[1]);
    const double stars = reader.to_double(columns[2]);
    if (!(stars >= kMinStars && stars <= kMaxStars)) {
      reader.fail("column 'rating': expected stars from 0.5 to 5, found " +
                  std::string(reader.field(columns[2])));
    }
    r.rating = static_cast<float>(stars);
    r.timestamp = reader.to_int(columns[3]);
    rows.push_back(more(reader, r, extra_columns));
  }
  return rows;
}

// Writes rows in chunks, so the text of a whole file is never held at once.
template <typename Row>
void write_in_chunks(std::ostream& out, const std::vector<Row>& rows, bool transformed) {
  out << rating_header(transformed);
  std::string text;
  for (std::size_t begin = 0; begin < rows.size(); begin += kChunkRows) {
    text.clear();
    append_rows(
        text, std::span<const Row>(rows).subspan(begin, std::min(kChunkRows, rows.size() - begin)));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  if (!out) throw Error("write failed (disk full or file not writable?)");
}

std::vector<Rating> ratings_from(std::istream& in, const std::string& source,
                                 std::size_t expected) {
  return read_rows<Rating>(in, source, expected, {},
                           [](const CsvReader&, const Rating& r, const auto&) { return r; });
}

std::vector<TransformedRating> transformed_from(std::istream& in, const std::string& source,
                                                std::size_t expected) {
  const std::vector<std::string_view> extra(std::begin(kTransformColumns),
                                            std::end(kTransformColumns));
  return read_rows<TransformedRating>(
      in, source, expected, extra,
      [](const CsvReader& reader, const Rating& r, const std::vector<std::size_t>& columns) {
        TransformedRating t;
        t.rating = r;
        t.rating_norm = reader.to_double(columns[0]);
        t.pop_weight = reader.to_double(columns[1]);
        t.time_weight = reader.to_double(columns[2]);
        t.final_rating = reader.to_double(columns[3]);
        return t;
      });
}

// Text already in memory, read as a stream without copying it.
class TextInput : public std::streambuf {
 public:
  explicit TextInput(std::string& text) {
    setg(text.data(), text.data(), text.data() + text.size());
  }
};

// Bytes of text each thread parses at a time: a few megabytes of rows (about 100,000).
constexpr std::size_t kPieceBytes = std::size_t{8} << 20;

// The rows of a whole rating file of either kind, parsed as read_ratings or read_transformed.
template <typename Row>
std::vector<Row> rows_from(std::istream& in, const std::string& source, std::size_t expected) {
  if constexpr (std::is_same_v<Row, Rating>) {
    return ratings_from(in, source, expected);
  } else {
    return transformed_from(in, source, expected);
  }
}

// One piece of a chunk parsed: its rows, the line breaks it holds, and its parse error if any.
template <typename Row>
struct ParsedPiece {
  std::vector<Row> rows;
  std::size_t newlines = 0;
  std::exception_ptr error;
  bool input_error = false;    // an InputError: its line is re-counted from the file's start
  std::size_t error_line = 0;  // counted from the piece's first line, 0
  std::string error_problem;
};

// Parses `text` (whole lines) after the file's header line, as rows_from would.
template <typename Row>
void parse_piece(const std::string& header, std::string_view text, const std::string& source,
                 ParsedPiece<Row>& piece) {
  piece.newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  std::string framed;
  framed.reserve(header.size() + 1 + text.size());
  framed.append(header).append("\n").append(text);
  TextInput buffer(framed);
  std::istream in(&buffer);
  try {
    piece.rows = rows_from<Row>(in, source, text.size() / 64);
  } catch (const InputError& e) {
    piece.error = std::current_exception();
    piece.input_error = true;
    piece.error_line = e.line() >= 2 ? e.line() - 2 : 0;  // the header is the framed line 1
    piece.error_problem = e.problem();
  } catch (...) {
    piece.error = std::current_exception();
  }
}

// Where to cut `text` [begin, end) into `parts` pieces of whole lines (the bounds).
std::vector<std::size_t> line_bounds(std::string_view text, std::size_t parts) {
  std::vector<std::size_t> bounds{0};
  for (std::size_t p = 1; p < parts; ++p) {
    const std::size_t at = text.find('\n', std::max(bounds.back(), text.size() * p / parts));
    if (at == std::string_view::npos || at + 1 >= text.size()) break;
    bounds.push_back(at + 1);
  }
  bounds.push_back(text.size());
  return bounds;
}

template <typename Row>
void read_blocks(std::istream& in, const std::string& source,
                 const std::function<void(std::span<const Row>)>& consume, unsigned threads,
                 std::size_t piece_bytes) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (piece_bytes == 0) piece_bytes = kPieceBytes;
  std::string header;
  if (!std::getline(in, header)) {
    in.clear();
    rows_from<Row>(in, source, 0);  // empty: the reader's own error
    return;
  }
  {
    std::string alone = header + "\n";
    TextInput buffer(alone);
    std::istream header_in(&buffer);
    rows_from<Row>(header_in, source, 0);  // a missing column fails here, on line 1
  }
  std::size_t lines_before = 1;  // the header's
  // The chunk's buffer is never zero-filled: a small file touches only the pages it fills.
  std::unique_ptr<char[]> chunk;
  std::size_t room = 0;
  std::size_t carried = 0;  // bytes of an unfinished line carried over from the last chunk
  std::vector<ParsedPiece<Row>> pieces(threads);
  for (bool end = false; !end;) {
    const std::size_t want = std::max<std::size_t>(threads * piece_bytes, 2 * carried);
    if (carried + want > room) {
      auto bigger = std::make_unique_for_overwrite<char[]>(carried + want);
      if (carried > 0) std::copy(chunk.get(), chunk.get() + carried, bigger.get());
      chunk = std::move(bigger);
      room = carried + want;
    }
    in.read(chunk.get() + carried, static_cast<std::streamsize>(want));
    const std::size_t got = carried + static_cast<std::size_t>(in.gcount());
    end = got < carried + want;
    std::size_t cut = got;
    if (!end) {
      cut = std::string_view(chunk.get(), got).rfind('\n');
      if (cut == std::string_view::npos) {  // one line longer than a chunk: read more of it
        carried = got;
        continue;
      }
      ++cut;
    }
    const std::string_view text(chunk.get(), cut);
    const std::vector<std::size_t> bounds = line_bounds(text, threads);
    const std::size_t count = bounds.size() - 1;
    parallel_for(
        count,
        [&](std::size_t p) {
          pieces[p] = ParsedPiece<Row>();
          parse_piece(header, text.substr(bounds[p], bounds[p + 1] - bounds[p]), source, pieces[p]);
        },
        threads);
    for (std::size_t p = 0; p < count; ++p) {
      if (pieces[p].error) {
        if (!pieces[p].input_error) std::rethrow_exception(pieces[p].error);
        throw InputError(source, lines_before + 1 + pieces[p].error_line, pieces[p].error_problem);
      }
      consume(pieces[p].rows);
      lines_before += pieces[p].newlines;
    }
    carried = got - cut;
    std::copy(chunk.get() + cut, chunk.get() + got, chunk.get());
  }
}

}  // namespace

void read_rating_blocks(std::istream& in, const std::string& source,
                        const std::function<void(std::span<const Rating>)>& consume,
                        unsigned threads, std::size_t piece_bytes) {
  read_blocks(in, source, consume, threads, piece_bytes);
}

void read_transformed_blocks(std::istream& in, const std::string& source,
                             const std::function<void(std::span<const TransformedRating>)>& consume,
                             unsigned threads, std::size_t piece_bytes) {
  read_blocks(in, source, consume, threads, piece_bytes);
}

std::vector<Rating> read_ratings(std::istream& in, const std::string& source,
                                 std::size_t expected_rows) {
  return ratings_from(in, source, expected_rows);
}

std::vector<TransformedRating> read_transformed(std::istream& in, const std::string& source,
                                                std::size_t expected_rows) {
  return transformed_from(in, source, expected_rows);
}

void write_ratings(std::ostream& out, const std::vector<Rating>& ratings) {
  write_in_chunks(out, ratings, false);
}

void write_transformed(std::ostream& out, const std::vector<TransformedRating>& ratings) {
  write_in_chunks(out, ratings, true);
}

}  // namespace movierec
