#include "movierec/data/catalog.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <istream>
#include <utility>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/io/text.hpp"

namespace movierec {
namespace {

// Articles MovieLens moves behind a title (", The"), in the languages its titles use. One list
// for all languages: a title ending in ", Die" is German whatever else it could be.
constexpr std::array<std::string_view, 35> kArticles = {
    "The", "A",  "An",  "Le",  "La",  "Les", "Un",  "Une", "El",  "Los", "Las",  "Il",
    "Lo",  "I",  "Gli", "Uno", "Una", "Der", "Die", "Das", "Den", "Ein", "Eine", "O",
    "Os",  "As", "Um",  "Uma", "De",  "Het", "Een", "Det", "En",  "Et",  "Ett"};
// Elided articles attach to the next word without a space: "L'Auberge espagnole".
constexpr std::array<std::string_view, 4> kElidedArticles = {"L'", "L\xE2\x80\x99", "Un'",
                                                             "Un\xE2\x80\x99"};
constexpr std::string_view kAlsoKnownAs = "a.k.a. ";
constexpr std::string_view kNoGenresListed = "(no genres listed)";
constexpr double kMaxMeanStars = 5.0;
constexpr int kMaxYear = 9999;
constexpr double kMaxRuntimeMinutes = 100000;  // rejects garbage, not long films

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

bool is_spaced_article(std::string_view word) {
  const auto same = [&](std::string_view article) {
    return equal_ignoring_ascii_case(word, article);
  };
  return std::any_of(kArticles.begin(), kArticles.end(), same);
}

bool is_elided_article(std::string_view word) {
  return std::any_of(kElidedArticles.begin(), kElidedArticles.end(), [&](std::string_view article) {
    return equal_ignoring_ascii_case(word, article);
  });
}

// "Matrix, The" -> "The Matrix"; "Auberge espagnole, L'" -> "L'Auberge espagnole". Keeps an
// "a.k.a. " in front: "a.k.a. Return of Godzilla, The" -> "a.k.a. The Return of Godzilla".
// Sets `article` to the article moved, or "" when there was none.
std::string restore_article(std::string_view text, std::string& article) {
  article.clear();
  std::string_view lead;
  if (text.substr(0, kAlsoKnownAs.size()) == kAlsoKnownAs) {
    lead = text.substr(0, kAlsoKnownAs.size());
    text.remove_prefix(kAlsoKnownAs.size());
  }
  const std::size_t comma = text.rfind(", ");
  const std::string_view last = comma == std::string_view::npos ? "" : trim(text.substr(comma + 2));
  const std::string_view rest = comma == std::string_view::npos ? "" : trim(text.substr(0, comma));
  if (rest.empty()) return std::string(lead) + std::string(text);
  if (is_elided_article(last)) {
    article = last;
    return std::string(lead) + article + std::string(rest);
  }
  if (is_spaced_article(last)) {
    article = last;
    return std::string(lead) + article + " " + std::string(rest);
  }
  return std::string(lead) + std::string(text);
}

// Position of the '(' that matches the ')' ending `text`, or npos when they do not balance.
std::size_t matching_open(std::string_view text) {
  int depth = 0;
  for (std::size_t i = text.size(); i-- > 0;) {
    if (text[i] == ')') ++depth;
    if (text[i] == '(' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "1999", "2006–2007", "2006-2007" or "2006–": a year or a range of years. Returns the first
// year, or 0 when `text` is none of these.
int year_of(std::string_view text) {
  if (text.size() < 4 || !std::all_of(text.begin(), text.begin() + 4, is_digit)) return 0;
  std::string_view rest = trim(text.substr(4));
  if (!rest.empty()) {
    if (rest.front() == '-') {
      rest.remove_prefix(1);
    } else if (rest.substr(0, 3) == "\xE2\x80\x93") {  // en dash
      rest.remove_prefix(3);
    } else {
      return 0;
    }
    rest = trim(rest);
    if (!rest.empty() && (rest.size() != 4 || !std::all_of(rest.begin(), rest.end(), is_digit))) {
      return 0;
    }
  }
  return (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
}

// Splits off a final "(...)" group: returns its content and leaves `text` holding what came
// before, trimmed. Returns false (and leaves `text` alone) when there is no such group or
// nothing before it.
bool take_final_group(std::string_view& text, std::string_view& content) {
  if (text.empty() || text.back() != ')') return false;
  const std::size_t open = matching_open(text);
  if (open == std::string_view::npos) return false;
  const std::string_view before = trim(text.substr(0, open));
  if (before.empty()) return false;
  content = text.substr(open + 1, text.size() - open - 2);
  text = before;
  return true;
}

}  // namespace

TitleParts parse_title(std::string_view movielens_title) {
  TitleParts parts;
  std::string_view rest = trim(movielens_title);
  std::string_view group;
  std::string_view before_year = rest;
  if (take_final_group(before_year, group) && year_of(trim(group)) > 0) {
    parts.year_text = std::string(trim(group));
    parts.year = year_of(parts.year_text);
    rest = before_year;
  }
  std::vector<std::string_view> alternatives;
  while (take_final_group(rest, group)) alternatives.push_back(trim(group));
  std::string article;
  parts.name = restore_article(rest, article);
  parts.articles.push_back(article);
  for (auto it = alternatives.rbegin(); it != alternatives.rend(); ++it) {
    if (it->empty()) continue;
    parts.alternatives.push_back(restore_article(*it, article));
    parts.articles.push_back(article);
  }
  return parts;
}

std::string TitleParts::display() const {
  std::string out = name;
  for (const std::string& alternative : alternatives) out += " (" + alternative + ")";
  if (!year_text.empty()) out += " (" + year_text + ")";
  return out;
}

std::string display_title(std::string_view movielens_title) {
  return parse_title(movielens_title).display();
}

// ---------------------------------------------------------------------------------------------
// Catalog

Catalog::Catalog(std::vector<MovieInfo> movies) : movies_(std::move(movies)) {
  index_.reserve(movies_.size());
  for (std::size_t i = 0; i < movies_.size(); ++i) {
    if (!index_.emplace(movies_[i].id, i).second) {
      throw Error("movie id " + std::to_string(movies_[i].id) + " appears twice in the catalog");
    }
  }
}

const MovieInfo* Catalog::find(std::int32_t id) const {
  const auto it = index_.find(id);
  return it == index_.end() ? nullptr : &movies_[it->second];
}

namespace {

// The columns of movie_metadata.csv, found by header name.
struct MetadataColumns {
  std::size_t id, title, year, genres, rating_count, rating_mean, imdb, tmdb, tags, overview,
      release_date, runtime;

  explicit MetadataColumns(const CsvReader& reader)
      : id(reader.column("movieId")),
        title(reader.column("title")),
        year(reader.column("year")),
        genres(reader.column("genres")),
        rating_count(reader.column("rating_count")),
        rating_mean(reader.column("rating_mean")),
        imdb(reader.column("imdbId")),
        tmdb(reader.column("tmdbId")),
        tags(reader.column("tags")),
        overview(reader.column("overview")),
        release_date(reader.column("release_date")),
        runtime(reader.column("runtime")) {}
};

[[noreturn]] void fail_column(const CsvReader& reader, std::size_t column,
                              const std::string& problem) {
  reader.fail("column '" + reader.header()[column] + "': " + problem);
}

// A whole number in [min, max]; an empty field means 0 (unknown).
std::int64_t optional_int(const CsvReader& reader, std::size_t column, std::int64_t min,
                          std::int64_t max) {
  if (reader.field(column).empty()) return 0;
  const std::int64_t value = reader.to_int(column);
  if (value < min)
    fail_column(reader, column, std::to_string(value) + " is below " + std::to_string(min));
  if (value > max)
    fail_column(reader, column, std::to_string(value) + " is above " + std::to_string(max));
  return value;
}

// A number in [0, max]; an empty field means 0 (unknown).
double optional_double(const CsvReader& reader, std::size_t column, double max) {
  if (reader.field(column).empty()) return 0;
  const double value = reader.to_double(column);
  if (value < 0 || value > max) {
    fail_column(reader, column,
                std::string(reader.field(column)) + " is outside 0.." +
                    std::to_string(static_cast<int>(max)));
  }
  return value;
}

// External ids are digits. Writers that went through floating point give "862.0"; that
// is the same id.
std::string external_id(const CsvReader& reader, std::size_t column) {
  std::string_view text = reader.field(column);
  if (text.size() > 2 && text.substr(text.size() - 2) == ".0") text.remove_suffix(2);
  if (!std::all_of(text.begin(), text.end(), is_digit)) {
    fail_column(reader, column,
                "expected digits, found '" + std::string(reader.field(column)) + "'");
  }
  return std::string(text);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  if (text == kNoGenresListed) return items;
  for (std::string_view item : split(text, "|")) {
    item = trim(item);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

bool is_iso_date(std::string_view text) {
  return text.size() == 10 && text[4] == '-' && text[7] == '-' &&
         std::all_of(text.begin(), text.begin() + 4, is_digit) && is_digit(text[5]) &&
         is_digit(text[6]) && is_digit(text[8]) && is_digit(text[9]);
}

MovieInfo read_movie(const CsvReader& reader, const MetadataColumns& columns) {
  MovieInfo movie;
  const std::int64_t id = reader.to_int(columns.id);
  if (id <= 0 || id > INT32_MAX) fail_column(reader, columns.id, "movie id must be positive");
  movie.id = static_cast<std::int32_t>(id);
  movie.title = std::string(trim(reader.field(columns.title)));
  if (movie.title.empty()) fail_column(reader, columns.title, "empty title");
  if (!is_valid_utf8(movie.title)) fail_column(reader, columns.title, "title is not valid UTF-8");
  movie.year = static_cast<int>(optional_int(reader, columns.year, 0, kMaxYear));
  movie.genres = split_list(reader.field(columns.genres));
  movie.rating_count = optional_int(reader, columns.rating_count, 0, INT64_MAX);
  movie.rating_mean = optional_double(reader, columns.rating_mean, kMaxMeanStars);
  movie.imdb_id = external_id(reader, columns.imdb);
  movie.tmdb_id = external_id(reader, columns.tmdb);
  movie.tags = split_list(reader.field(columns.tags));
  movie.overview = std::string(reader.field(columns.overview));
  movie.release_date = std::string(reader.field(columns.release_date));
  if (!movie.release_date.empty() && !is_iso_date(movie.release_date)) {
    fail_column(reader, columns.release_date,
                "expected a date as YYYY-MM-DD, found '" + movie.release_date + "'");
  }
  // TMDB runtimes arrive as "94" or, through a float column, "94.0".
  movie.runtime_minutes =
      static_cast<int>(std::lround(optional_double(reader, columns.runtime, kMaxRuntimeMinutes)));
  return movie;
}

}  // namespace

Catalog Catalog::read(std::istream& in, const std::string& source) {
  CsvReader reader(in, source);
  reader.read_header();
  const MetadataColumns columns(reader);
  std::vector<MovieInfo> movies;
  std::unordered_map<std::int32_t, std::size_t> first_line;
  while (reader.next()) {
    MovieInfo movie = read_movie(reader, columns);
    const auto [it, inserted] = first_line.emplace(movie.id, reader.line());
    if (!inserted) {
      fail_column(reader, columns.id,
                  "movie id " + std::to_string(movie.id) + " already appeared on line " +
                      std::to_string(it->second));
    }
    movies.push_back(std::move(movie));
  }
  return Catalog(std::move(movies));
}

Catalog Catalog::load(const std::filesystem::path& metadata_csv) {
  std::ifstream in = open_input(metadata_csv);
  return read(in, metadata_csv.string());
}

}  // namespace movierec
