// Fuzzes the readers of processed/ files that train_svd, recommend and evaluate load. The input's
// first byte picks the reader, by its value modulo 3: '0' read_ratings (processed.hpp), '1'
// read_transformed, '2' Catalog::read (catalog.hpp, movie_metadata.csv, with every title taken
// apart and shown as title search and the session show it). Only InputError may escape; the rows
// read must keep the contract (stars from 0.5 to 5, finite weights, catalog rows found by id),
// and rating rows written back must read back the same.
#include <cmath>
#include <sstream>
#include <string>

#include "fuzz_support.hpp"
#include "movierec/data/catalog.hpp"
#include "movierec/io/error.hpp"
#include "movierec/data/processed.hpp"
#include "movierec/io/text.hpp"

namespace {

using movierec::fuzz::check;

bool same(const movierec::Rating& a, const movierec::Rating& b) {
  return a.user == b.user && a.movie == b.movie && a.rating == b.rating &&
         a.timestamp == b.timestamp;
}

void fuzz_ratings(std::istream& in) {
  std::vector<movierec::Rating> rows;
  try {
    rows = movierec::read_ratings(in, "train.csv");
  } catch (const movierec::InputError&) {
    return;
  }
  std::ostringstream out;
  movierec::write_ratings(out, rows);
  std::istringstream again(out.str());
  const auto back = movierec::read_ratings(again, "again");
  check(back.size() == rows.size() && std::equal(rows.begin(), rows.end(), back.begin(), same),
        "ratings written back read back differently");
}

void fuzz_transformed(std::istream& in) {
  std::vector<movierec::TransformedRating> rows;
  try {
    rows = movierec::read_transformed(in, "train_transformed.csv");
  } catch (const movierec::InputError&) {
    return;
  }
  for (const movierec::TransformedRating& row : rows) {
    check(std::isfinite(row.rating_norm) && std::isfinite(row.pop_weight) &&
              std::isfinite(row.time_weight) && std::isfinite(row.final_rating),
          "a weight that is not finite");
  }
  std::ostringstream out;
  movierec::write_transformed(out, rows);
  std::istringstream again(out.str());
  check(movierec::read_transformed(again, "again").size() == rows.size(),
        "transformed rows written back read back differently");
}

void fuzz_catalog(std::istream& in) {
  movierec::Catalog catalog;
  try {
    catalog = movierec::Catalog::read(in, "movie_metadata.csv");
  } catch (const movierec::InputError&) {
    return;
  }
  for (const movierec::MovieInfo& movie : catalog.movies()) {
    check(movie.id > 0 && catalog.find(movie.id) == &movie, "an id that does not find its row");
    check(!movie.title.empty() && movie.rating_count >= 0, "an empty title or a negative count");
    check(movie.rating_mean >= 0 && movie.rating_mean <= 5, "a mean outside 0..5");
    check(movie.year >= 0 && movie.year <= 9999, "a year outside 0..9999");
    const movierec::TitleParts parts = movierec::parse_title(movie.title);
    check(!parts.name.empty() && parts.articles.size() == parts.alternatives.size() + 1,
          "a title taken apart wrongly");
    check(movierec::is_valid_utf8(movierec::display_title(movie.title)),
          "a display title that is not UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::istringstream in{std::string(movierec::fuzz::as_text(data + 1, size - 1))};
  switch (data[0] % 3) {
    case 0:
      fuzz_ratings(in);
      break;
    case 1:
      fuzz_transformed(in);
      break;
    default:
      fuzz_catalog(in);
      break;
  }
  return 0;
}
