// The contract every MovieLens reader's output keeps (movielens.hpp), checked by the fuzz targets
// of the three layouts.
#pragma once

#include "fuzz_support.hpp"
#include "movierec/io/error.hpp"
#include "movierec/data/movielens.hpp"
#include "movierec/io/text.hpp"

namespace movierec::fuzz {

inline void check_dataset(const RawDataset& data) {
  for (const Rating& rating : data.ratings) {
    check(rating.rating >= 0.5f && rating.rating <= 5.0f, "a rating outside 0.5..5");
  }
  for (const Movie& movie : data.movies) {
    check(is_valid_utf8(movie.title), "a title that is not UTF-8");
    check(is_valid_utf8(movie.genres), "genres that are not UTF-8");
  }
  for (const Tag& tag : data.tags) check(is_valid_utf8(tag.text), "a tag that is not UTF-8");
}

}  // namespace movierec::fuzz
