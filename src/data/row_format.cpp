#include "row_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

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

char* put_transformed(char* out, const TransformedRating& t) {
  out = put_rating(out, t.rating);
  for (const double value : {t.rating_norm, t.pop_weight, t.time_weight, t.final_rating}) {
    *out++ = ',';
    out = std::to_chars(out, out + 24, value).ptr;
  }
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

char* put_rows(char* out, std::span<const Rating> ratings, const Transformer& transformer) {
  for (const Rating& r : ratings) out = put_transformed(out, transformer(r));
  return out;
}

void append_rows(std::string& out, std::span<const Rating> ratings) {
  append(out, max_rows_text(ratings.size(), false),
         [&](char* cursor) { return put_rows(cursor, ratings); });
}

void append_rows(std::string& out, std::span<const TransformedRating> rows) {
  append(out, max_rows_text(rows.size(), true), [&](char* cursor) {
    for (const TransformedRating& t : rows) cursor = put_transformed(cursor, t);
    return cursor;
  });
}

void append_rows(std::string& out, std::span<const Rating> ratings,
                 const Transformer& transformer) {
  append(out, max_rows_text(ratings.size(), true),
         [&](char* cursor) { return put_rows(cursor, ratings, transformer); });
}

}  // namespace movierec
