// The per-file readers of the three MovieLens layouts. Detection, loading a whole folder and the
// clean-up across files (unknown movies, duplicate ratings) are in movielens_load.cpp.
#include "movierec/data/movielens.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <istream>
#include <limits>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "movierec/io/csv.hpp"
#include "movierec/io/csv_pieces.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/memory.hpp"
#include "movierec/io/text.hpp"

namespace movierec {
namespace {

constexpr double kMinRatingStars = 0.5;
constexpr double kMaxRatingStars = 5.0;
constexpr std::int64_t kTimestampLimit = std::int64_t{1} << 32;  // Unix seconds fit 32 bits
constexpr std::size_t kProgressEvery = 1'000'000;
// Below the average rating row of every release (20 bytes in u.data, 24-27 in the others), so
// one reservation holds the whole file and the vector never copies itself while growing. The
// slack is address space only: pages never written are never resident.
constexpr std::size_t kMinRatingRowBytes = 16;
constexpr std::string_view kNoGenres = "(no genres listed)";
constexpr std::string_view kUnknownGenre = "unknown";

[[noreturn]] void fail_at(const std::string& source, std::size_t line, const std::string& problem) {
  throw InputError(source, line, problem);
}

// A field as an error message shows it.
std::string shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 40;
  if (text.empty()) return "an empty field";
  std::string excerpt(text.substr(0, kMaxShown));
  if (text.size() > kMaxShown) excerpt += "...";
  return "'" + excerpt + "'";
}

// Where a field sits, for messages: `label` is "column 'userId'" or "field 1 (UserID)".
struct Place {
  const std::string& source;
  std::size_t line;
  std::string_view label;
};

std::int32_t parse_id(std::string_view text, const Place& at) {
  const std::optional<std::int64_t> value = parse_int(text);
  if (!value || *value < 1 || *value > std::numeric_limits<std::int32_t>::max()) {
    fail_at(at.source, at.line,
            std::string(at.label) + ": expected a positive whole number up to 2147483647, found " +
                shown(text));
  }
  return static_cast<std::int32_t>(*value);
}

float parse_stars(std::string_view text, const Place& at) {
  const std::optional<double> value = parse_double(text);
  if (!value || *value < kMinRatingStars || *value > kMaxRatingStars) {
    fail_at(at.source, at.line,
            std::string(at.label) + ": expected a rating from 0.5 to 5, found " + shown(text));
  }
  return static_cast<float>(*value);
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  const std::optional<std::int64_t> value = parse_int(text);
  if (!value || *value < 0 || *value >= kTimestampLimit) return std::nullopt;
  return value;
}

std::string genres_text(std::string_view genres) {
  return genres == kNoGenres ? std::string() : to_utf8(genres);
}

bool is_blank(std::string_view line) { return trim(line).empty(); }

// One rating row's fields and their labels; all rating readers end here, so every layout gets
// the same checks and the same counts.
struct RatingRow {
  std::string_view user, movie, rating, timestamp;
};
struct RatingLabels {
  std::string user, movie, rating;
};

void take_rating(const RatingRow& row, const RatingLabels& labels, const std::string& source,
                 std::size_t line, RawDataset& out, const ProgressCallback& progress) {
  ++out.rating_rows;
  Rating rating;
  rating.user = parse_id(row.user, {source, line, labels.user});
  rating.movie = parse_id(row.movie, {source, line, labels.movie});
  rating.rating = parse_stars(row.rating, {source, line, labels.rating});
  if (const std::optional<std::int64_t> timestamp = parse_timestamp(row.timestamp)) {
    rating.timestamp = *timestamp;
    out.ratings.push_back(rating);
  } else {
    ++out.dropped_bad_timestamp;
  }
  if (progress && out.rating_rows % kProgressEvery == 0) progress(out.rating_rows);
}

// The final count, unless the last periodic report already gave it.
void finish_progress(const RawDataset& out, const ProgressCallback& progress) {
  if (progress && out.rating_rows % kProgressEvery != 0) progress(out.rating_rows);
}

void reserve_ratings(std::istream& in, std::vector<Rating>& ratings) {
  const std::streampos here = in.tellg();
  if (here < 0) return;  // not seekable: the vector grows as usual
  in.seekg(0, std::ios::end);
  const std::streampos end = in.tellg();
  in.clear();
  in.seekg(here);
  if (end > here) {
    ratings.reserve(ratings.size() + static_cast<std::size_t>(end - here) / kMinRatingRowBytes);
    prefer_huge_pages(ratings.data() + ratings.size(),
                      (ratings.capacity() - ratings.size()) * sizeof(Rating));
  }
}

// Every file must hold data; an empty one is a truncated download or a wrong path.
void require_rows(std::size_t rows, const std::string& source, const std::string& what) {
  if (rows == 0) fail_at(source, 0, "empty file (no " + what + ")");
}

// Movie ids must be unique within the list, or ratings could not say which movie they mean.
class MovieIdCheck {
 public:
  void add(std::int32_t id, const std::string& source, std::size_t line) {
    const auto [it, inserted] = first_line_.emplace(id, line);
    if (!inserted) {
      fail_at(source, line,
              "movie " + std::to_string(id) + " is listed twice (first on line " +
                  std::to_string(it->second) + ")");
    }
  }

 private:
  std::unordered_map<std::int32_t, std::size_t> first_line_;
};

std::string column_label(std::string_view name) { return "column '" + std::string(name) + "'"; }

std::string field_label(std::size_t number, std::string_view name) {
  return "field " + std::to_string(number) + " (" + std::string(name) + ")";
}

// split() without its vector, for the rating loops: fills `parts` and returns how many fields
// the line has (which may be more than parts holds).
template <std::size_t N>
std::size_t split_fixed(std::string_view text, std::string_view separator,
                        std::array<std::string_view, N>& parts) {
  std::size_t count = 0;
  for (;;) {
    const std::size_t at = text.find(separator);
    const std::string_view part = text.substr(0, at);
    if (count < N) parts[count] = part;
    ++count;
    if (at == std::string_view::npos) return count;
    text.remove_prefix(at + separator.size());
  }
}

// The text from the first to the last of parts[first..last], separators included: a title or
// tag that itself contains the separator comes back whole.
std::string_view rejoin(const std::vector<std::string_view>& parts, std::size_t first,
                        std::size_t last) {
  const char* begin = parts[first].data();
  const char* end = parts[last].data() + parts[last].size();
  return {begin, static_cast<std::size_t>(end - begin)};
}

bool is_digits(std::string_view text) {
  return text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// csv layout

// The rating rows of one CSV stream (a whole file, or a piece of one: csv_pieces.hpp) into
// `out`'s ratings and counts.
void take_ratings_csv(std::istream& in, const std::string& source, RawDataset& out) {
  CsvReader reader(in, source);
  reader.read_header();
  const std::size_t user = reader.column("userId");
  const std::size_t movie = reader.column("movieId");
  const std::size_t rating = reader.column("rating");
  const std::size_t timestamp = reader.column("timestamp");
  const RatingLabels labels{column_label("userId"), column_label("movieId"),
                            column_label("rating")};
  while (reader.next()) {
    take_rating(
        {reader.field(user), reader.field(movie), reader.field(rating), reader.field(timestamp)},
        labels, source, reader.line(), out, {});
  }
}

// Parsed on every core, piece by piece (parse_csv_pieces): the big releases' ratings.csv is
// most of preprocess's reading.
void read_ratings_csv(std::istream& in, const std::string& source, RawDataset& out,
                      const ProgressCallback& progress) {
  reserve_ratings(in, out.ratings);
  const std::size_t before = out.rating_rows;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<RawDataset> pieces(2 * threads);  // parse_csv_pieces's slots
  parse_csv_pieces(
      in, source,
      [&](std::size_t slot, std::istream& piece, std::size_t) {
        // The slot's ratings keep their room from piece to piece (no memory mapped anew), and
        // are filled on this thread's stack: the slots share cache lines, and every rating added
        // moves a vector's end and a count.
        RawDataset into = std::move(pieces[slot]);
        into.ratings.clear();
        into.rating_rows = into.dropped_bad_timestamp = 0;
        take_ratings_csv(piece, source, into);
        pieces[slot] = std::move(into);
      },
      [&](std::size_t slot) {
        const RawDataset& piece = pieces[slot];
        out.ratings.insert(out.ratings.end(), piece.ratings.begin(), piece.ratings.end());
        out.dropped_bad_timestamp += piece.dropped_bad_timestamp;
        // Each million passed is reported as the other readers report it, row by row.
        std::size_t mark = (out.rating_rows / kProgressEvery + 1) * kProgressEvery;
        out.rating_rows += piece.rating_rows;
        for (; progress && mark <= out.rating_rows; mark += kProgressEvery) progress(mark);
      },
      threads);
  require_rows(out.rating_rows - before, source, "rating rows after the header");
  finish_progress(out, progress);
}

void read_movies_csv(std::istream& in, const std::string& source, RawDataset& out) {
  CsvReader reader(in, source);
  reader.read_header();
  const std::size_t id = reader.column("movieId");
  const std::size_t title = reader.column("title");
  const std::size_t genres = reader.column("genres");
  const std::string id_label = column_label("movieId");
  MovieIdCheck ids;
  std::size_t rows = 0;
  while (reader.next()) {
    Movie movie;
    movie.id = parse_id(reader.field(id), {source, reader.line(), id_label});
    ids.add(movie.id, source, reader.line());
    movie.title = to_utf8(reader.field(title));
    movie.genres = genres_text(reader.field(genres));
    out.movies.push_back(std::move(movie));
    ++rows;
  }
  require_rows(rows, source, "movie rows after the header");
}

void read_links_csv(std::istream& in, const std::string& source, RawDataset& out) {
  CsvReader reader(in, source);
  reader.read_header();
  const std::size_t movie = reader.column("movieId");
  const std::size_t imdb = reader.column("imdbId");
  const std::size_t tmdb = reader.column("tmdbId");
  const std::string movie_label = column_label("movieId");
  while (reader.next()) {
    Link link;
    link.movie = parse_id(reader.field(movie), {source, reader.line(), movie_label});
    for (const std::size_t column : {imdb, tmdb}) {
      if (!is_digits(reader.field(column))) {
        reader.fail(column_label(reader.header()[column]) +
                    ": expected digits or an empty field, found " + shown(reader.field(column)));
      }
    }
    link.imdb_id = reader.field(imdb);
    link.tmdb_id = reader.field(tmdb);
    out.links.push_back(std::move(link));
  }
}

// Only the columns used are required: tags.csv's timestamp is not read, and without userId
// every tag counts as one unknown person's (user 0).
void read_tags_csv(std::istream& in, const std::string& source, RawDataset& out) {
  CsvReader reader(in, source);
  reader.read_header();
  const std::size_t movie = reader.column("movieId");
  const std::size_t tag = reader.column("tag");
  const std::optional<std::size_t> user = reader.find_column("userId");
  const std::string movie_label = column_label("movieId");
  const std::string user_label = column_label("userId");
  while (reader.next()) {
    out.tags.push_back(
        {parse_id(reader.field(movie), {source, reader.line(), movie_label}),
         to_utf8(reader.field(tag)),
         user ? parse_id(reader.field(*user), {source, reader.line(), user_label}) : 0});
  }
}

// ---------------------------------------------------------------------------------------------
// dat layout ("::"-separated, no header)

void read_ratings_dat(std::istream& in, const std::string& source, RawDataset& out,
                      const ProgressCallback& progress) {
  reserve_ratings(in, out.ratings);
  LineReader reader(in, source);
  const RatingLabels labels{field_label(1, "UserID"), field_label(2, "MovieID"),
                            field_label(3, "Rating")};
  const std::size_t before = out.rating_rows;
  std::string line;
  std::array<std::string_view, 4> parts;
  while (reader.next(line)) {
    if (is_blank(line)) continue;
    const std::size_t count = split_fixed(line, "::", parts);
    if (count != parts.size()) {
      reader.fail(
          "expected 4 fields separated by '::' (UserID::MovieID::Rating::Timestamp), found " +
          std::to_string(count));
    }
    take_rating({parts[0], parts[1], parts[2], parts[3]}, labels, source, reader.line(), out,
                progress);
  }
  require_rows(out.rating_rows - before, source, "rating lines");
  finish_progress(out, progress);
}

void read_movies_dat(std::istream& in, const std::string& source, RawDataset& out) {
  LineReader reader(in, source);
  const std::string id_label = field_label(1, "MovieID");
  MovieIdCheck ids;
  std::size_t rows = 0;
  std::string line;
  while (reader.next(line)) {
    if (is_blank(line)) continue;
    const std::vector<std::string_view> parts = split(line, "::");
    if (parts.size() < 3) {
      reader.fail("expected at least 3 fields separated by '::' (MovieID::Title::Genres), found " +
                  std::to_string(parts.size()));
    }
    Movie movie;
    movie.id = parse_id(parts[0], {source, reader.line(), id_label});
    ids.add(movie.id, source, reader.line());
    movie.title = to_utf8(rejoin(parts, 1, parts.size() - 2));
    movie.genres = genres_text(parts.back());
    out.movies.push_back(std::move(movie));
    ++rows;
  }
  require_rows(rows, source, "movie lines");
}

void read_tags_dat(std::istream& in, const std::string& source, RawDataset& out) {
  LineReader reader(in, source);
  const std::string movie_label = field_label(2, "MovieID");
  const std::string user_label = field_label(1, "UserID");
  std::size_t rows = 0;
  std::string line;
  while (reader.next(line)) {
    if (is_blank(line)) continue;
    const std::vector<std::string_view> parts = split(line, "::");
    if (parts.size() < 4) {
      reader.fail(
          "expected at least 4 fields separated by '::' (UserID::MovieID::Tag::Timestamp), "
          "found " +
          std::to_string(parts.size()));
    }
    out.tags.push_back({parse_id(parts[1], {source, reader.line(), movie_label}),
                        to_utf8(rejoin(parts, 2, parts.size() - 2)),
                        parse_id(parts[0], {source, reader.line(), user_label})});
    ++rows;
  }
  require_rows(rows, source, "tag lines");
}

// ---------------------------------------------------------------------------------------------
// ml100k layout

void read_ratings_100k(std::istream& in, const std::string& source, RawDataset& out,
                       const ProgressCallback& progress) {
  reserve_ratings(in, out.ratings);
  CsvReader reader(in, source, '\t');  // no header: every record is a rating
  const RatingLabels labels{field_label(1, "user id"), field_label(2, "item id"),
                            field_label(3, "rating")};
  const std::size_t before = out.rating_rows;
  while (reader.next()) {
    if (reader.field_count() != 4) {
      reader.fail("expected 4 tab-separated fields (user id, item id, rating, timestamp), found " +
                  std::to_string(reader.field_count()));
    }
    take_rating({reader.field(0), reader.field(1), reader.field(2), reader.field(3)}, labels,
                source, reader.line(), out, progress);
  }
  require_rows(out.rating_rows - before, source, "rating lines");
  finish_progress(out, progress);
}

std::vector<std::string> read_genres_100k(std::istream& in, const std::string& source) {
  LineReader reader(in, source);
  const std::string index_label = field_label(2, "index");
  struct Entry {
    std::string name;
    std::int64_t index;
    std::size_t line;
  };
  std::vector<Entry> entries;
  std::string line;
  while (reader.next(line)) {
    if (is_blank(line)) continue;  // u.genre ends with blank lines
    const std::vector<std::string_view> parts = split(line, "|");
    if (parts.size() != 2 || parts[0].empty()) {
      reader.fail("expected a genre name and its index separated by '|', found " + shown(line));
    }
    const std::optional<std::int64_t> index = parse_int(parts[1]);
    if (!index || *index < 0) {
      reader.fail(index_label + ": expected a whole number from 0, found " + shown(parts[1]));
    }
    entries.push_back({std::string(parts[0]), *index, reader.line()});
  }
  require_rows(entries.size(), source, "genre lines");
  // The indices must number the genres 0, 1, 2, ...: u.item's flag columns follow them.
  std::vector<std::string> names(entries.size());
  for (const Entry& entry : entries) {
    if (entry.index >= static_cast<std::int64_t>(entries.size())) {
      fail_at(source, entry.line,
              "genre index " + std::to_string(entry.index) + " is out of range (the " +
                  std::to_string(entries.size()) + " genres must be numbered from 0 to " +
                  std::to_string(entries.size() - 1) + ")");
    }
    std::string& slot = names[static_cast<std::size_t>(entry.index)];
    if (!slot.empty()) {
      fail_at(source, entry.line,
              "genre index " + std::to_string(entry.index) + " is used twice ('" + slot +
                  "' and '" + entry.name + "')");
    }
    slot = entry.name;
  }
  return names;
}

void read_movies_100k(std::istream& in, const std::string& source,
                      const std::vector<std::string>& genre_names, RawDataset& out) {
  constexpr std::size_t kLeadingFields = 5;  // id, title, release date, video date, IMDb URL
  if (genre_names.empty()) fail_at(source, 0, "no genre names given (u.genre is read first)");
  const std::size_t expected = kLeadingFields + genre_names.size();
  LineReader reader(in, source);
  const std::string id_label = field_label(1, "movie id");
  MovieIdCheck ids;
  std::size_t rows = 0;
  std::string line;
  while (reader.next(line)) {
    if (is_blank(line)) continue;
    const std::vector<std::string_view> parts = split(line, "|");
    if (parts.size() != expected) {
      reader.fail("expected " + std::to_string(expected) +
                  " fields separated by '|' (movie id, title, release date, video release date, "
                  "IMDb URL, " +
                  std::to_string(genre_names.size()) + " genre flags), found " +
                  std::to_string(parts.size()));
    }
    Movie movie;
    movie.id = parse_id(parts[0], {source, reader.line(), id_label});
    ids.add(movie.id, source, reader.line());
    movie.title = to_utf8(parts[1]);
    for (std::size_t g = 0; g < genre_names.size(); ++g) {
      const std::string_view flag = parts[kLeadingFields + g];
      if (flag != "0" && flag != "1") {
        reader.fail(field_label(kLeadingFields + g + 1, "genre flag '" + genre_names[g] + "'") +
                    ": expected 0 or 1, found " + shown(flag));
      }
      if (flag == "1" && genre_names[g] != kUnknownGenre) {
        if (!movie.genres.empty()) movie.genres += '|';
        movie.genres += to_utf8(genre_names[g]);
      }
    }
    out.movies.push_back(std::move(movie));
    ++rows;
  }
  require_rows(rows, source, "movie lines");
}

}  // namespace movierec
