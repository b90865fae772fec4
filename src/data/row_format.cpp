#include "row_format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace movierec {
namespace {

// Upper bounds of a row's text: int32 11 characters, int64 20, a double 24, stars 16, plus
// separators; rounded up.
constexpr std::size_t kMaxRatingRow = 80;
constexpr std::size_t kMaxTransformedRow = kMaxRatingRow + 4 * 26;
constexpr std::string_view kHeader = "userId,movieId,rating,timestamp\n";
constexpr std::string_view kTransformedHeader =
    "userId,movieId,rating,timestamp,rating_norm,pop_weight,time_weight,final_rating\n";
// Star values MovieLens uses (multiples of a half from 0 to 5), by twice their value.
constexpr std::string_view kHalfStars[] = {"0.0", "0.5", "1.0", "1.5", "2.0", "2.5",
                                           "3.0", "3.5", "4.0", "4.5", "5.0"};
constexpr float kStarSteps = 2.0f;

char* put_stars(char* out, float stars) {
  const float steps = stars * kStarSteps;
  if (steps >= 0 && steps <= 10 && std::floor(steps) == steps) {
    const std::string_view text = kHalfStars[static_cast<std::size_t>(steps)];
    return std::copy(text.begin(), text.end(), out);
  }
  char* const start = out;
  out = std::to_chars(out, out + 16, stars).ptr;
  if (std::find_if(start, out, [](char c) { return c == '.' || c == 'e' || c == 'n'; }) == out) {
    *out++ = '.';
    *out++ = '0';
  }
  return out;
}

char* put_rating(char* out, const Rating& r) {
  out = std::to_chars(out, out + 11, r.user).ptr;
  *out++ = ',';
  out = std::to_chars(out, out + 11, r.movie).ptr;
  *out++ = ',';
  out = put_stars(out, r.rating);
  *out++ = ',';
  return std::to_chars(out, out + 20, r.timestamp).ptr;
}

}  // namespace

// The texts of the transformed columns that repeat their values (row_format.hpp).
struct TransformedTexts {
  // The shortest texts of doubles written before, by their bits, in 2^Bits slots (a later
  // value may take a value's slot).
  template <int Bits>
  class Column {
   public:
    char* put(char* out, double value) {
      std::uint64_t bits;
      std::memcpy(&bits, &value, sizeof bits);
      Slot& slot = slots_[(bits * 0x9E3779B97F4A7C15ULL) >> (64 - Bits)];  // Fibonacci hashing
      if (slot.length == 0 || slot.bits != bits) {
        slot.bits = bits;
        slot.length = static_cast<std::uint8_t>(
            std::to_chars(slot.text, slot.text + sizeof slot.text, value).ptr - slot.text);
      }
      return std::copy_n(slot.text, slot.length, out);
    }

   private:
    struct Slot {
      std::uint64_t bits = 0;
      std::uint8_t length = 0;  // 0: empty
      char text[24];
    };
    std::array<Slot, std::size_t{1} << Bits> slots_{};
  };

  Column<6> rating_norms;  // a user's: one per star level, and rows come user by user
  Column<12> pop_weights;  // one per movie
};

namespace {

char* put_double(char* out, double value) { return std::to_chars(out, out + 24, value).ptr; }

// A transformed row's text; with `texts`, the columns that repeat go through it.
char* put_transformed(char* out, const TransformedRating& t, TransformedTexts* texts) {
  out = put_rating(out, t.rating);
  *out++ = ',';
  out = texts != nullptr ? texts->rating_norms.put(out, t.rating_norm)
                         : put_double(out, t.rating_norm);
  *out++ = ',';
  out =
      texts != nullptr ? texts->pop_weights.put(out, t.pop_weight) : put_double(out, t.pop_weight);
  *out++ = ',';
  out = put_double(out, t.time_weight);
  *out++ = ',';
  out = put_double(out, t.final_rating);
  *out++ = '\n';
  return out;
}

// Grows `out` by `room`, lets `put(cursor)` write there, then trims to what was written.
template <typename Put>
void append(std::string& out, std::size_t room, Put put) {
  const std::size_t start = out.size();
  out.resize(start + room);
  char* const end = put(out.data() + start);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

}  // namespace

std::string_view rating_header(bool transformed) {
  return transformed ? kTransformedHeader : kHeader;
}

std::size_t max_rows_text(std::size_t rows, bool transformed) {
  return rows * (transformed ? kMaxTransformedRow : kMaxRatingRow);
}

char* put_rows(char* out, std::span<const Rating> ratings) {
  for (const Rating& r : ratings) {
    out = put_rating(out, r);
    *out++ = '\n';
  }
  return out;
}

TransformedRowWriter::TransformedRowWriter(const Transformer& transformer)
    : transformer_(transformer), texts_(std::make_unique<TransformedTexts>()) {}

TransformedRowWriter::~TransformedRowWriter() = default;

char* TransformedRowWriter::put_rows(char* out, std::span<const Rating> ratings) {
  for (const Rating& r : ratings) out = put_transformed(out, transformer_(r), texts_.get());
  return out;
}

void append_rows(std::string& out, std::span<const Rating> ratings) {
  append(out, max_rows_text(ratings.size(), false),
         [&](char* cursor) { return put_rows(cursor, ratings); });
}

void append_rows(std::string& out, std::span<const TransformedRating> rows) {
  append(out, max_rows_text(rows.size(), true), [&](char* cursor) {
    for (const TransformedRating& t : rows) cursor = put_transformed(cursor, t, nullptr);
    return cursor;
  });
}

}  // namespace movierec
