// Forgiving title lookup, for people typing the titles of movies they remember. A TitleIndex is
// built once from every movie's MovieLens title and then answers three questions:
//
//   resolve(query)           which movie does the person mean: one for certain, a short ranked
//                            list to choose from, or none;
//   closest(query, allowed)  the titles nearest to the query among a subset of movies (to refuse a
//                            movie outside the trained catalog with "the closest titles in it");
//   complete(typed)          whole display titles for Tab completion of what is typed so far.
//
// How a query is read. Case, accents and punctuation do not matter ("AMÉLIE", "amelie");
// an apostrophe inside a word does not split it ("schindlers list" finds "Schindler's List")
// but one after a single letter does ("l'auberge" is "l auberge"). A leading article may be
// typed or left out ("the matrix", "matrix"), and the MovieLens form with the article behind
// works too ("Matrix, The"). A year is optional, typed as "heat 1995" or "heat (1995)": a final
// four-digit number between min_year and max_year is read both as a year and as part of the
// title, and the better reading wins ("blade runner 2049" still finds the 2017 film); a final
// two-digit number is read as the title's, or as a year of the 1900s or the 2000s ("pulp fiction
// 94" is Pulp Fiction (1994), "apollo 13" still Apollo 13). Each word
// of the query must match a word of the title: exactly, as the beginning of a word when it is the
// query's last word ("toy sto"), or with typos (see TitleSearchConfig; words with digits need
// no typos: "toy story 3" is not "toy story 2", but numbers from 2 to 20 match their Roman
// numerals: "godfather 2" finds "Godfather: Part II"); "forest gump" finds "Forrest Gump
// (1994)". "&" is read as "and" in titles and queries alike. A
// word that is in no title is also read as two words where both halves are ("spiderman" as
// "spider man"), as if typed so. Any one of a movie's names may match: the title, each
// alternative title in parentheses ("Amelie" or "Le Fabuleux destin d'Amélie Poulain"), or all
// of them together as the display title shows them.
//
// How matches rank, best first: matches of the query's year before others (when it gives one);
// then fewer typos; then matches that kept every word of the query before those that needed to
// drop its leading article ("die hard" is Die Hard before anything "hard"); then exact names
// (every word of the name, in order: "heat" is Heat) before prefixes (the name starts with the
// query: "toy story" begins Toy Story 2) before word matches (the query's words appear
// elsewhere in the name); then more popular movies; then lower ids.
//
// When a resolution is certain (kCertain, exactly one match returned):
//   1. the query names a title and a year exactly, "Heat (1995)", "heat 1995", "Matrix, The
//      (1999)" or "The Matrix (1999)": the best match is exact, without typos, of that year,
//      and no other movie has that title and year (different films sharing both, such as the
//      two "War of the Worlds (2005)", are kAmbiguous: a person chooses, by what the front end
//      shows of each, never the search silently);
//   2. or the best match is exact without typos and no other movie matches exactly or as a
//      prefix, without typos, not in another year than the query's, and not only by dropping
//      the query's article when the best did not: "pulp fiction" is certain, "heat" (1995 and
//      1972) and "toy story" (also Toy Story 2) are not;
//   3. or only one movie matches at all, and in the query's year if it gives one ("forest gump",
//      "shawshank").
// Otherwise, when something matches, the result is kAmbiguous with up to `limit` matches.
//
// Hostile queries (empty, longer than max_query_bytes or max_query_words, invalid UTF-8, control
// characters other than tab, CR and LF) find nothing, quickly. No function here throws on any
// query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "movierec/data/catalog.hpp"

namespace movierec {

// One movie to index.
struct TitleEntry {
  std::int32_t id = 0;
  std::string title;      // as MovieLens writes it: "Matrix, The (1999)"
  int year = 0;           // 0: taken from the title's final "(YYYY)", if any
  double popularity = 0;  // any measure where larger is more popular (rating counts); ties only
};

// Every movie of `catalog`, with its rating count as popularity.
std::vector<TitleEntry> title_entries(const Catalog& catalog);

// Tunables of title search. The defaults suit people typing titles from memory.
struct TitleSearchConfig {
  std::size_t max_query_bytes = 512;  // longer queries find nothing (MovieLens titles are shorter)
  std::size_t max_query_words = 40;   // queries with more words find nothing
  std::size_t one_typo_letters = 3;   // a word this long may match with one typo (an edit:
                                      // insertion, deletion, substitution, transposition)
  std::size_t two_typo_letters = 8;   // a word this long may match with two typos
  std::size_t max_typos = 3;          // typos allowed in a whole query
  std::size_t min_partial_letters = 2;  // a last word this long may match a word's beginning
                                        // (after other words, any letters: "lord of the r")
  int min_year = 1870;                  // a final number in [min_year, max_year] may be a year
  int max_year = 2100;
};

enum class MatchKind {
  kExact,    // the query is one of the movie's names, every word, in order
  kPrefix,   // a name starts with the query ("toy story" in "Toy Story 2")
  kWords,    // every query word is in a name, elsewhere or in another order
  kTypo,     // as one of the above, but with typos
  kSimilar,  // shares only some of the query's words (closest() only)
};

struct TitleMatch {
  std::int32_t id = 0;
  std::string title;  // display form: "The Matrix (1999)"
  MatchKind kind = MatchKind::kExact;
  std::size_t typos = 0;    // edits needed in the query's words
  bool other_year = false;  // the query gave a year, and this movie is of another one
};

enum class Resolution { kNone, kCertain, kAmbiguous };

struct TitleSearchResult {
  Resolution resolution = Resolution::kNone;
  std::vector<TitleMatch> matches;  // none, the one movie, or the ranked choices
};

// Which movies a search may return; an empty function allows every movie.
using MovieFilter = std::function<bool(std::int32_t movie_id)>;

class TitleIndex {
 public:
  TitleIndex();  // an empty index: every query finds nothing
  // Builds the index. Entries with a repeated id throw Error; empty titles are skipped.
  explicit TitleIndex(const std::vector<TitleEntry>& entries, const TitleSearchConfig& config = {});

  // The movie(s) `query` means, among those `allowed` accepts; see the rules at the top.
  TitleSearchResult resolve(std::string_view query, std::size_t limit,
                            const MovieFilter& allowed = {}) const;

  // Up to `limit` movies that `allowed` accepts, nearest to `query` first: the matches resolve()
  // would rank (of any year), then movies sharing some of the query's words, articles aside
  // (rarer words count more, then popularity). Empty when nothing shares a word. Passing the title
  // of a refused movie gives the titles in the allowed set that are most like it.
  std::vector<TitleMatch> closest(std::string_view query, std::size_t limit,
                                  const MovieFilter& allowed) const;

  // Display titles ("The Matrix (1999)") of up to `limit` movies that `allowed` accepts, one of
  // whose names, or whose display title, begins with `typed` (compared as the query is: "the
  // mat", "mat", "matrix (19" all give The Matrix). Names that `typed` covers up to a whole word
  // come first, then by popularity. Empty for an empty or hostile `typed`.
  std::vector<std::string> complete(std::string_view typed, std::size_t limit,
                                    const MovieFilter& allowed = {}) const;

  std::size_t size() const;  // movies indexed
  const TitleSearchConfig& config() const { return config_; }

  struct Data;  // the index itself, defined in title_search.cpp

 private:
  TitleSearchConfig config_;
  std::shared_ptr<const Data> data_;  // immutable once built, so copies share it
};

}  // namespace movierec
