#include "movierec/data/processed.hpp"

#include <algorithm>
#include <istream>
#include <limits>
#include <thread>

#include "movierec/io/csv.hpp"
#include "movierec/io/csv_pieces.hpp"
#include "movierec/io/error.hpp"
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
// Appends them to `rows`.
template <typename Row, typename More>
void read_rows(std::istream& in, const std::string& source,
               const std::vector<std::string_view>& extra, More more, std::vector<Row>& rows) {
  CsvReader reader(in, source);
  reader.read_header();
  std::size_t columns[4];
  for (std::size_t i = 0; i < 4; ++i) columns[i] = reader.column(kRatingColumns[i]);
  std::vector<std::size_t> extra_columns;
  for (std::string_view name : extra) extra_columns.push_back(reader.column(name));
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

void add_rows(std::istream& in, const std::string& source, std::vector<Rating>& rows) {
  read_rows(
      in, source, {}, [](const CsvReader&, const Rating& r, const auto&) { return r; }, rows);
}

void add_rows(std::istream& in, const std::string& source, std::vector<TransformedRating>& rows) {
  const std::vector<std::string_view> extra(std::begin(kTransformColumns),
                                            std::end(kTransformColumns));
  read_rows(
      in, source, extra,
      [](const CsvReader& reader, const Rating& r, const std::vector<std::size_t>& columns) {
        TransformedRating t;
        t.rating = r;
        t.rating_norm = reader.to_double(columns[0]);
        t.pop_weight = reader.to_double(columns[1]);
        t.time_weight = reader.to_double(columns[2]);
        t.final_rating = reader.to_double(columns[3]);
        return t;
      },
      rows);
}

// The rows of a whole rating file of either kind, `expected` of them reserved up front.
template <typename Row>
std::vector<Row> rows_from(std::istream& in, const std::string& source, std::size_t expected) {
  std::vector<Row> rows;
  rows.reserve(expected);
  add_rows(in, source, rows);
  return rows;
}

template <typename Row>
void read_blocks(std::istream& in, const std::string& source,
                 const std::function<void(std::span<const Row>)>& consume, unsigned threads,
                 std::size_t piece_bytes) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Each slot's rows keep their room from piece to piece: no memory is mapped and faulted in
  // again for every piece.
  std::vector<std::vector<Row>> pieces(2 * threads);  // parse_csv_pieces's slots
  parse_csv_pieces(
      in, source,
      [&](std::size_t slot, std::istream& piece, std::size_t) {
        // Filled on this thread's stack: the slots' vectors share cache lines, and every row
        // added moves a vector's end.
        std::vector<Row> rows = std::move(pieces[slot]);
        rows.clear();
        add_rows(piece, source, rows);
        pieces[slot] = std::move(rows);
      },
      [&](std::size_t slot) { consume(pieces[slot]); }, threads, piece_bytes);
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
  return rows_from<Rating>(in, source, expected_rows);
}

std::vector<TransformedRating> read_transformed(std::istream& in, const std::string& source,
                                                std::size_t expected_rows) {
  return rows_from<TransformedRating>(in, source, expected_rows);
}

void write_ratings(std::ostream& out, const std::vector<Rating>& ratings) {
  write_in_chunks(out, ratings, false);
}

void write_transformed(std::ostream& out, const std::vector<TransformedRating>& ratings) {
  write_in_chunks(out, ratings, true);
}

}  // namespace movierec
