// Words for title search: how titles and queries become words, and a vocabulary that finds, for
// a typed word, the same word, the words it begins, and the words a few typos away.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace movierec {

// What MovieLens writes before a title also known as another.
inline constexpr std::string_view kAlsoKnownAs = "a.k.a. ";

// The words of `text` for matching: fold_for_search (lower case, no accents, punctuation as
// spaces), after an apostrophe that follows a lone letter became a space, so that French and
// Italian elisions split ("L'Auberge" -> "l auberge", "d'Amélie" -> "d amelie") while
// "Schindler's" stays one word, and after "&" became "and". Invalid UTF-8 bytes are dropped.
std::vector<std::string> search_words(std::string_view text);

// words[from..] joined by single spaces.
std::string join_words(const std::vector<std::string>& words, std::size_t from = 0);

// The same number the other way, for sequels: "2" <-> "ii" ... "20" <-> "xx"; "" for other
// words (and for "1" and "i", which are too often something else).
std::string_view numeral_twin(std::string_view folded_word);

// True for a folded article of the languages display_title() knows ("the", "l", "die", ...).
bool is_article_word(std::string_view folded_word);

// How a vocabulary word matches a typed one.
struct WordMatch {
  std::uint32_t word = 0;   // vocabulary id
  std::uint32_t typos = 0;  // edits (optimal string alignment distance); 0 for exact and partial
  bool partial = false;     // the typed word is only the beginning of this word
};

// A fixed set of distinct words, with ids given by their position in the constructor's vector.
class Vocabulary {
 public:
  Vocabulary() = default;
  // `words` must be distinct. Builds a sorted order (for prefixes) and a trigram index (for typos).
  explicit Vocabulary(std::vector<std::string> words);

  std::size_t size() const { return words_.size(); }
  const std::string& word(std::uint32_t id) const { return words_[id]; }
  std::optional<std::uint32_t> find(std::string_view word) const;

  // The words matching `typed`: itself; when `prefixes`, the words it begins (partial); and the
  // words within `max_typos` edits. One entry per word (the best way it matches), sorted by id.
  // Typo candidates are those sharing enough padded trigrams with `typed` to be within
  // `max_typos` edits (an edit changes at most four), then checked by edit_distance.
  std::vector<WordMatch> match(std::string_view typed, std::size_t max_typos, bool prefixes) const;

 private:
  std::vector<std::string> words_;
  std::vector<std::uint32_t> sorted_;                           // ids in the words' byte order
  std::vector<std::uint32_t> trigram_keys_;                     // sorted, distinct
  std::vector<std::uint32_t> trigram_offsets_, trigram_words_;  // key i -> words [o[i], o[i+1])
};

}  // namespace movierec
