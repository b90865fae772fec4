// Text of the rating rows that processed/ CSV files hold, written straight into a buffer.
// The files have tens of millions of rows; general CSV writing (field by field, checking each
// for characters to quote) costs several times the numbers' own formatting, and numbers never
// need quoting. Stars are written with one decimal at least ("4.0", "4.5", "3.25"), other
// numbers as the shortest text that reads back to the same value. Rows end with LF.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "movierec/data/movielens.hpp"
#include "movierec/data/pipeline.hpp"

namespace movierec {

// "userId,movieId,rating,timestamp\n", with ",rating_norm,pop_weight,time_weight,final_rating"
// before the line break when `transformed`.
std::string_view rating_header(bool transformed);

// Room the text of `rows` rows may need, at most.
std::size_t max_rows_text(std::size_t rows, bool transformed);

// Writes the rows' text at `out`, which must have room for max_rows_text(); returns its end.
// (For buffers reused across many blocks: appending to a std::string would zero-fill it first.)
char* put_rows(char* out, std::span<const Rating> ratings);

// Writes transformed rows (the columns of append_rows' transformed rows), transforming each
// rating on the way. Two columns repeat their values from row to row, a user's rating_norm (one
// per star level) and pop_weight (one per movie): the writer keeps the text of values it wrote
// and copies it instead of writing the number again, a fraction of the cost. The text is the
// same; keep one writer for many rows (it holds about 160 KB), one per thread at a time.
struct TransformedTexts;  // row_format.cpp

class TransformedRowWriter {
 public:
  explicit TransformedRowWriter(const Transformer& transformer);
  ~TransformedRowWriter();
  TransformedRowWriter(const TransformedRowWriter&) = delete;
  TransformedRowWriter& operator=(const TransformedRowWriter&) = delete;

  // As put_rows above.
  char* put_rows(char* out, std::span<const Rating> ratings);

 private:
  const Transformer& transformer_;
  std::unique_ptr<TransformedTexts> texts_;
};

// Appends one row per rating to `out`: userId,movieId,rating,timestamp.
void append_rows(std::string& out, std::span<const Rating> ratings);
// Appends the transformed rows: the four columns above and the transform's four.
void append_rows(std::string& out, std::span<const TransformedRating> rows);

}  // namespace movierec
