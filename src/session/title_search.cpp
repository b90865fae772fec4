#include "movierec/session/title_search.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <iterator>
#include <optional>
#include <tuple>
#include <utility>

#include "movierec/io/text.hpp"
#include "movierec/session/title_words.hpp"
#include "title_index.hpp"

namespace movierec {
namespace {

using Data = TitleIndex::Data;

// How a movie matches, compared field by field, smaller is better: the order the header states.
enum Structure : std::uint8_t { kExactName, kPrefixOfName, kWordsInName };
enum YearFit : std::uint8_t { kSameYear, kNoYearGiven, kOtherYear };

struct Score {
  std::uint8_t year = kNoYearGiven;
  std::uint32_t typos = 0;
  bool dropped_article = false;  // matched only without the query's leading article
  std::uint8_t structure = kWordsInName;

  bool operator<(const Score& other) const {
    return std::tie(year, typos, dropped_article, structure) <
           std::tie(other.year, other.typos, other.dropped_article, other.structure);
  }
};

struct Scored {
  std::uint32_t movie = 0;
  Score score;
};

// A word of the query and the vocabulary words it matches.
struct QueryWord {
  std::string text;
  std::vector<WordMatch> matches;  // sorted by word
  // Per vocabulary word, for a lookup in constant time: 0 when it does not match, else
  // 1 + 2 * typos + partial.
  std::vector<std::uint8_t> lookup;

  bool find(std::uint32_t word, std::uint32_t& typos, bool& partial) const {
    const std::uint8_t code = lookup[word];
    typos = (code - 1u) >> 1;
    partial = ((code - 1u) & 1u) != 0;
    return code != 0;
  }
};

using QueryWords = std::vector<const QueryWord*>;

// One way to read the query: the words that make the title, and maybe a year after them.
struct Reading {
  QueryWords title;
  std::string year;  // the year as typed; empty when the reading has none
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool has_digit(std::string_view word) { return std::any_of(word.begin(), word.end(), is_digit); }

// How the query's words sit in a name from word `start` on, in order; nullopt if they do not.
struct Alignment {
  std::uint32_t typos = 0;
  bool partial = false;  // the last word matched only the beginning of a name's word
  bool whole = false;    // the query covers the name to its end
};

std::optional<Alignment> align(const Data& data, const Data::Name& name, const QueryWords& query,
                               std::size_t start) {
  const std::size_t length = name.end - name.begin;
  if (start + query.size() > length) return std::nullopt;
  Alignment alignment;
  std::uint32_t typos = 0;
  bool partial = false;
  for (std::size_t i = 0; i < query.size(); ++i) {
    if (!query[i]->find(data.name_words[name.begin + start + i], typos, partial)) {
      return std::nullopt;
    }
    alignment.typos += typos;
    alignment.partial = alignment.partial || partial;
  }
  alignment.whole = start + query.size() == length && !alignment.partial;
  return alignment;
}

// Fewest typos with which each query word is somewhere in the name; nullopt if one is not.
std::optional<std::uint32_t> anywhere(const Data& data, const Data::Name& name,
                                      const QueryWords& query) {
  std::uint32_t typos = 0, word_typos = 0;
  bool partial = false;
  for (const QueryWord* q : query) {
    std::uint32_t fewest = UINT32_MAX;
    for (std::uint32_t i = name.begin; i < name.end; ++i) {
      if (q->find(data.name_words[i], word_typos, partial)) fewest = std::min(fewest, word_typos);
    }
    if (fewest == UINT32_MAX) return std::nullopt;
    typos += fewest;
  }
  return typos;
}

// One query against the index, restricted to the movies `allowed` accepts. Completing reads
// the query as the beginning of a title: no typos, and the last word may be any beginning.
class Search {
 public:
  Search(const Data& data, const TitleSearchConfig& config, const MovieFilter& allowed,
         bool completing)
      : data_(data), config_(config), allowed_(allowed), completing_(completing) {}

  // Reads the query and looks its words up; false when it is empty or hostile.
  bool read(std::string_view query);
  // One entry per matching movie, in the index's movie order; better() ranks them.
  std::vector<Scored> rank() const;
  // Movies sharing any title word with the query, most similar first, except those in `skip`.
  std::vector<std::uint32_t> similar(const std::vector<std::uint32_t>& skip) const;
  // Movies one of whose names begins with the query: (movie, the query ends on a whole word).
  std::vector<std::pair<std::uint32_t, bool>> completions() const;

 private:
  // `after_words`: the query has words before this one, so a last word of one letter may still
  // begin a title's word.
  const QueryWord& add_word(const std::string& text, bool last, bool after_words = false);
  void add_readings(const QueryWords& title);
  std::optional<QueryWords> split_reading(const QueryWords& words);
  bool allowed(std::uint32_t movie) const { return !allowed_ || allowed_(data_.movies[movie].id); }
  std::vector<std::uint32_t> candidates(const QueryWords& query) const;
  void evaluate(const Reading& reading, std::vector<Scored>& out) const;
  std::optional<Score> score_name(const Data::Name& name, const QueryWords& full,
                                  const QueryWords& core) const;

  const Data& data_;
  const TitleSearchConfig& config_;
  const MovieFilter& allowed_;
  bool completing_;
  std::deque<QueryWord> words_;  // a deque, so that readings may point into it
  std::vector<Reading> readings_;
};

const QueryWord& Search::add_word(const std::string& text, bool last, bool after_words) {
  QueryWord& word = words_.emplace_back();
  word.text = text;
  std::size_t typos = 0;  // digits never count as typos: "Toy Story 3" is not "Toy Story 2"
  if (!completing_ && !has_digit(text)) {
    typos = text.size() >= config_.two_typo_letters   ? 2
            : text.size() >= config_.one_typo_letters ? 1
                                                      : 0;
  }
  const bool prefixes = last && (completing_ || (after_words && !has_digit(text)) ||
                                 text.size() >= config_.min_partial_letters);
  word.matches = data_.vocabulary.match(text, typos, prefixes);
  const std::string_view twin = numeral_twin(text);  // "godfather 2" for "... Part II"
  if (const auto id = twin.empty() ? std::nullopt : data_.vocabulary.find(twin)) {
    const auto at =
        std::lower_bound(word.matches.begin(), word.matches.end(), *id,
                         [](const WordMatch& m, std::uint32_t w) { return m.word < w; });
    if (at == word.matches.end() || at->word != *id) word.matches.insert(at, {*id, 0, false});
  }
  word.lookup.assign(data_.vocabulary.size(), 0);
  for (const WordMatch& m : word.matches) {
    word.lookup[m.word] = static_cast<std::uint8_t>(1 + 2 * m.typos + (m.partial ? 1 : 0));
  }
  return word;
}

// Control characters other than white space mean binary input, not something typed.
bool is_binary(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
           c == '\x7F';
  });
}

bool Search::read(std::string_view query) {
  if (query.size() > config_.max_query_bytes || !is_valid_utf8(query) || is_binary(query)) {
    return false;
  }
  // display_title puts a trailing article back in front: "Matrix, The (1999)".
  const std::vector<std::string> texts = search_words(display_title(query));
  if (texts.empty() || texts.size() > config_.max_query_words) return false;
  QueryWords all;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    // After other words, even one letter may begin the title's next word ("lord of the r").
    all.push_back(&add_word(texts[i], i + 1 == texts.size(), texts.size() > 1));
  }
  add_readings(all);
  if (!completing_) {
    if (std::optional<QueryWords> split = split_reading(all)) add_readings(*split);
  }
  return true;
}

// The query as typed, and when its last word can be a year, the words before it with that year.
void Search::add_readings(const QueryWords& title) {
  readings_.push_back({title, ""});
  const std::string& last = title.back()->text;
  if (title.size() < 2 || !std::all_of(last.begin(), last.end(), is_digit)) return;
  if (completing_ ? last.size() <= 4 : last.size() == 4) {
    const int year = std::stoi(last);
    if (completing_ || (year >= config_.min_year && year <= config_.max_year)) {
      readings_.push_back({QueryWords(title.begin(), title.end() - 1), last});
    }
  } else if (!completing_ && last.size() == 2) {
    // "pulp fiction 94": a two-digit year may be of either century; the better reading wins.
    for (const char* century : {"19", "20"}) {
      const std::string year = century + last;
      const int value = std::stoi(year);
      if (value >= config_.min_year && value <= config_.max_year) {
        readings_.push_back({QueryWords(title.begin(), title.end() - 1), year});
      }
    }
  }
}

// "spiderman" for "Spider-Man": the first word that is not in the vocabulary, cut where both
// halves are (as evenly as possible), if there is such a word and such a cut.
std::optional<QueryWords> Search::split_reading(const QueryWords& words) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& text = words[i]->text;
    if (data_.vocabulary.find(text)) continue;
    std::size_t best_cut = 0;
    for (std::size_t cut = 1; cut < text.size(); ++cut) {
      const std::size_t shorter = std::min(cut, text.size() - cut);
      if (shorter > std::min(best_cut, text.size() - best_cut) &&
          data_.vocabulary.find(std::string_view(text).substr(0, cut)) &&
          data_.vocabulary.find(std::string_view(text).substr(cut))) {
        best_cut = cut;
      }
    }
    if (best_cut == 0) return std::nullopt;
    const bool last = i + 1 == words.size();
    QueryWords split(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(i));
    split.push_back(&add_word(text.substr(0, best_cut), false));
    split.push_back(&add_word(text.substr(best_cut), last, true));
    split.insert(split.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end());
    return split;
  }
  return std::nullopt;
}

// The names holding every word of `query`: every way of matching needs them all.
std::vector<std::uint32_t> Search::candidates(const QueryWords& query) const {
  std::vector<const std::vector<WordMatch>*> groups;
  for (const QueryWord* word : query) groups.push_back(&word->matches);
  return data_.names_with_all(groups);
}

// Keeps the better score of neighbours that are the same movie.
void add_best(std::vector<Scored>& out, const Scored& scored) {
  if (!out.empty() && out.back().movie == scored.movie) {
    if (scored.score < out.back().score) out.back().score = scored.score;
  } else {
    out.push_back(scored);
  }
}

std::vector<Scored> Search::rank() const {
  std::vector<Scored> found, reading_found, merged;
  for (const Reading& reading : readings_) {
    reading_found.clear();
    evaluate(reading, reading_found);
    merged.clear();
    std::merge(found.begin(), found.end(), reading_found.begin(), reading_found.end(),
               std::back_inserter(merged),
               [](const Scored& a, const Scored& b) { return a.movie < b.movie; });
    found.clear();
    for (const Scored& scored : merged) add_best(found, scored);
  }
  return found;
}

void Search::evaluate(const Reading& reading, std::vector<Scored>& out) const {
  QueryWords core = reading.title;
  if (core.size() > 1 && is_article_word(core.front()->text)) core.erase(core.begin());
  const int year = reading.year.empty() ? 0 : std::stoi(reading.year);
  for (std::uint32_t n : candidates(core)) {
    const Data::Name& name = data_.names[n];
    if (!allowed(name.movie)) continue;
    std::optional<Score> score = score_name(name, reading.title, core);
    if (!score || score->typos > config_.max_typos) continue;
    const int movie_year = data_.movies[name.movie].year;
    score->year = year == 0 ? kNoYearGiven : movie_year == year ? kSameYear : kOtherYear;
    add_best(out, {name.movie, *score});
  }
}

// The best of the ways `full` (or `core`, without its leading article) can match the name: in
// order from its start, in order after its own article, or word by word anywhere.
std::optional<Score> Search::score_name(const Data::Name& name, const QueryWords& full,
                                        const QueryWords& core) const {
  std::optional<Score> best;
  const auto consider = [&](std::uint32_t typos, bool dropped, Structure structure) {
    const Score score{kNoYearGiven, typos, dropped, structure};
    if (!best || score < *best) best = score;
  };
  const bool has_core = core.size() < full.size();
  for (std::size_t start : {std::size_t{0}, std::size_t{name.core}}) {
    if (auto a = align(data_, name, full, start)) {
      consider(a->typos, false, a->whole ? kExactName : kPrefixOfName);
    }
    if (auto a = has_core ? align(data_, name, core, start) : std::nullopt) {
      consider(a->typos, true, a->whole ? kExactName : kPrefixOfName);
    }
  }
  // Words anywhere can only do better than an in-order match with fewer typos or the article.
  if (best && best->typos == 0 && !best->dropped_article) return best;
  if (auto typos = anywhere(data_, name, full)) consider(*typos, false, kWordsInName);
  if (auto typos = has_core ? anywhere(data_, name, core) : std::nullopt) {
    consider(*typos, true, kWordsInName);
  }
  return best;
}

// Weighs each shared title word but articles by its rarity (inverse document frequency over
// names), less for typos; a movie counts each query word once, through its best name.
std::vector<std::uint32_t> Search::similar(const std::vector<std::uint32_t>& skip) const {
  const bool has_year = readings_.size() > 1 && !readings_[1].year.empty();
  const QueryWords& title = has_year ? readings_[1].title : readings_[0].title;
  const double name_count = static_cast<double>(data_.names.size());
  std::vector<double> weight(data_.movies.size(), 0), best(data_.movies.size(), 0);
  std::vector<std::uint32_t> weighed, reached;  // movies with a weight; reached by this word
  for (const QueryWord* word : title) {
    if (is_article_word(word->text)) continue;  // sharing "the" says nothing
    reached.clear();
    for (const WordMatch& m : word->matches) {
      const std::uint32_t begin = data_.posting_offsets[m.word],
                          count = data_.posting_count(m.word);
      const double rarity = std::log(1.0 + name_count / count) / (1.0 + m.typos);
      for (std::uint32_t p = begin; p < begin + count; ++p) {
        const std::uint32_t movie = data_.names[data_.postings[p]].movie;
        if (best[movie] == 0) reached.push_back(movie);
        best[movie] = std::max(best[movie], rarity);
      }
    }
    for (std::uint32_t movie : reached) {
      if (weight[movie] == 0) weighed.push_back(movie);
      weight[movie] += best[movie];
      best[movie] = 0;
    }
  }
  std::erase_if(weighed, [&](std::uint32_t movie) {
    return !allowed(movie) || std::find(skip.begin(), skip.end(), movie) != skip.end();
  });
  std::sort(weighed.begin(), weighed.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Data::Movie& x = data_.movies[a];
    const Data::Movie& y = data_.movies[b];
    return std::tie(weight[b], y.popularity, x.id) < std::tie(weight[a], x.popularity, y.id);
  });
  return weighed;
}

std::vector<std::pair<std::uint32_t, bool>> Search::completions() const {
  std::vector<std::pair<std::uint32_t, bool>> hits;
  for (const Reading& reading : readings_) {
    for (std::uint32_t n : candidates(reading.title)) {
      const Data::Name& name = data_.names[n];
      if (!allowed(name.movie)) continue;
      const Data::Movie& movie = data_.movies[name.movie];
      for (std::size_t start : {std::size_t{0}, std::size_t{name.core}}) {
        const std::optional<Alignment> a = align(data_, name, reading.title, start);
        if (!a) continue;
        if (reading.year.empty()) {
          hits.emplace_back(name.movie, !a->partial);
        } else if (a->whole && std::to_string(movie.year).rfind(reading.year, 0) == 0) {
          hits.emplace_back(name.movie, reading.year.size() == 4);  // "heat (19" -> Heat (1995)
        }
      }
    }
  }
  return hits;
}

TitleMatch to_match(const Data& data, const Scored& scored) {
  TitleMatch match;
  match.id = data.movies[scored.movie].id;
  match.title = data.movies[scored.movie].display;
  match.typos = scored.score.typos;
  match.other_year = scored.score.year == kOtherYear;
  static constexpr MatchKind kKinds[] = {MatchKind::kExact, MatchKind::kPrefix, MatchKind::kWords};
  match.kind = scored.score.typos > 0 ? MatchKind::kTypo : kKinds[scored.score.structure];
  return match;
}

// The header's ranking order.
bool better(const Data& data, const Scored& a, const Scored& b) {
  if (a.score < b.score || b.score < a.score) return a.score < b.score;
  const Data::Movie& x = data.movies[a.movie];
  const Data::Movie& y = data.movies[b.movie];
  return std::tie(y.popularity, x.id) < std::tie(x.popularity, y.id);
}

// Sorts the best `count` of `found` to its front.
void sort_best(const Data& data, std::vector<Scored>& found, std::size_t count) {
  count = std::min(count, found.size());
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(count), found.end(),
                    [&](const Scored& a, const Scored& b) { return better(data, a, b); });
}

// The certainty rules stated in the header, for `found` with its best match first.
bool is_certain(const std::vector<Scored>& found) {
  const Score& top = found.front().score;
  if (found.size() == 1) return top.year != kOtherYear;  // rule 3
  if (top.typos > 0 || top.structure != kExactName || top.year == kOtherYear) return false;
  if (top.year == kSameYear) {  // rule 1, unless another movie has this very title and year
    return std::none_of(found.begin() + 1, found.end(), [&](const Scored& other) {
      const Score& s = other.score;
      return s.year == kSameYear && s.typos == 0 && s.structure == kExactName &&
             s.dropped_article <= top.dropped_article;
    });
  }
  return std::none_of(found.begin() + 1, found.end(), [&](const Scored& other) {  // rule 2
    const Score& s = other.score;
    return s.year != kOtherYear && s.typos == 0 && s.structure <= kPrefixOfName &&
           s.dropped_article <= top.dropped_article;
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// TitleIndex

std::vector<TitleEntry> title_entries(const Catalog& catalog) {
  std::vector<TitleEntry> entries;
  entries.reserve(catalog.size());
  for (const MovieInfo& movie : catalog.movies()) {
    entries.push_back({movie.id, movie.title, movie.year, static_cast<double>(movie.rating_count)});
  }
  return entries;
}

TitleIndex::TitleIndex() : data_(std::make_shared<Data>()) {}

TitleIndex::TitleIndex(const std::vector<TitleEntry>& entries, const TitleSearchConfig& config)
    : config_(config), data_(build_title_index(entries)) {}

std::size_t TitleIndex::size() const { return data_->movies.size(); }

TitleSearchResult TitleIndex::resolve(std::string_view query, std::size_t limit,
                                      const MovieFilter& allowed) const {
  TitleSearchResult result;
  Search search(*data_, config_, allowed, false);
  if (!search.read(query)) return result;
  std::vector<Scored> found = search.rank();
  if (found.empty()) return result;
  sort_best(*data_, found, 1);
  const bool certain = is_certain(found);
  result.resolution = certain ? Resolution::kCertain : Resolution::kAmbiguous;
  const std::size_t count = certain ? 1 : std::min(limit, found.size());
  sort_best(*data_, found, count);
  for (std::size_t i = 0; i < count; ++i) result.matches.push_back(to_match(*data_, found[i]));
  return result;
}

std::vector<TitleMatch> TitleIndex::closest(std::string_view query, std::size_t limit,
                                            const MovieFilter& allowed) const {
  std::vector<TitleMatch> out;
  Search search(*data_, config_, allowed, false);
  if (limit == 0 || !search.read(query)) return out;
  std::vector<Scored> found = search.rank();
  sort_best(*data_, found, limit);
  std::vector<std::uint32_t> taken;
  for (std::size_t i = 0; i < found.size() && out.size() < limit; ++i) {
    out.push_back(to_match(*data_, found[i]));
    taken.push_back(found[i].movie);
  }
  if (out.size() == limit) return out;
  for (std::uint32_t movie : search.similar(taken)) {
    if (out.size() == limit) break;
    out.push_back({data_->movies[movie].id, data_->movies[movie].display, MatchKind::kSimilar});
  }
  return out;
}

std::vector<std::string> TitleIndex::complete(std::string_view typed, std::size_t limit,
                                              const MovieFilter& allowed) const {
  Search search(*data_, config_, allowed, true);
  if (limit == 0 || !search.read(typed)) return {};
  std::vector<std::pair<std::uint32_t, bool>> hits = search.completions();
  // Keep each movie once, with its best hit.
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  });
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const auto& a, const auto& b) { return a.first == b.first; }),
             hits.end());
  const auto ahead = [&](const auto& a, const auto& b) {  // whole words, then popularity
    const Data::Movie& x = data_->movies[a.first];
    const Data::Movie& y = data_->movies[b.first];
    return std::tie(b.second, y.popularity, x.id) < std::tie(a.second, x.popularity, y.id);
  };
  const std::size_t count = std::min(limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(count), hits.end(),
                    ahead);
  std::vector<std::string> titles;
  for (std::size_t i = 0; i < count; ++i) titles.push_back(data_->movies[hits[i].first].display);
  return titles;
}

}  // namespace movierec
