#include "movierec/session/title_words.hpp"

#include <algorithm>
#include <array>
#include <tuple>

#include "movierec/io/text.hpp"

namespace movierec {
namespace {

// The articles of display_title(), folded; "l" stands for the elided "L'".
constexpr std::array<std::string_view, 36> kFoldedArticles = {
    "the", "a",  "an", "le",  "la",  "les", "l",   "un",  "une", "el",  "los", "las",
    "il",  "lo", "i",  "gli", "uno", "una", "der", "die", "das", "den", "ein", "eine",
    "o",   "os", "as", "um",  "uma", "de",  "het", "een", "det", "en",  "et",  "ett"};

constexpr std::string_view kTypographicApostrophe = "\xE2\x80\x99";  // U+2019
constexpr char kTrigramPad = '\x01';                                 // never in a folded word
constexpr std::size_t kTrigramsPerEdit = 4;

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Part of a word: an ASCII letter or digit, or any byte of a multi-byte UTF-8 character.
bool is_word_byte(char c) {
  return is_ascii_letter(c) || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
}

// Length of the apostrophe at text[i] (' or ’), 0 when there is none.
std::size_t apostrophe_at(std::string_view text, std::size_t i) {
  if (text[i] == '\'') return 1;
  if (text[i] != kTypographicApostrophe[0]) return 0;
  return text.substr(i, kTypographicApostrophe.size()) == kTypographicApostrophe
             ? kTypographicApostrophe.size()
             : 0;
}

// "L'Auberge" -> "L Auberge": an apostrophe between a lone letter and a word is an elision.
// And "Dumb & Dumber" -> "Dumb and Dumber", which is how people type it.
std::string respell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      out += " and ";
      ++i;
      continue;
    }
    const std::size_t length = apostrophe_at(text, i);
    const bool lone_letter_before =
        i >= 1 && is_ascii_letter(text[i - 1]) && (i == 1 || !is_word_byte(text[i - 2]));
    if (length > 0 && lone_letter_before && i + length < text.size() &&
        is_word_byte(text[i + length])) {
      out += ' ';
      i += length;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// The distinct trigrams of `word` padded with two marks at each end, as 24-bit codes. Padding
// makes every letter, the first and last included, part of three trigrams.
void trigrams(std::string_view word, std::vector<std::uint32_t>& codes) {
  codes.clear();
  std::string padded(2, kTrigramPad);
  padded += word;
  padded.append(2, kTrigramPad);
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(std::uint8_t(padded[i]));
  };
  for (std::size_t i = 0; i + 3 <= padded.size(); ++i) {
    codes.push_back(byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2));
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
}

// Stable least-significant-digit radix sort of (trigram << 32 | word) by the 24-bit trigram, in
// two passes of 12 bits: several times quicker than a comparison sort for the index build.
void sort_by_trigram(std::vector<std::uint64_t>& pairs) {
  constexpr unsigned kBits = 12;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  std::vector<std::uint64_t> buffer(pairs.size());
  for (unsigned shift = 32; shift < 32 + 2 * kBits; shift += kBits) {
    std::vector<std::size_t> start(kBuckets + 1, 0);
    for (std::uint64_t p : pairs) ++start[((p >> shift) & (kBuckets - 1)) + 1];
    for (std::size_t b = 1; b <= kBuckets; ++b) start[b] += start[b - 1];
    for (std::uint64_t p : pairs) buffer[start[(p >> shift) & (kBuckets - 1)]++] = p;
    pairs.swap(buffer);
  }
}

}  // namespace

std::vector<std::string> search_words(std::string_view text) {
  // (find_first_of would call memchr once per character of `text`.)
  const bool needs_respelling = std::any_of(text.begin(), text.end(), [](char c) {
    return c == '\'' || c == '&' || c == kTypographicApostrophe[0];
  });
  const std::string folded = fold_for_search(needs_respelling ? respell(text) : text);
  std::vector<std::string> words;
  words.reserve(static_cast<std::size_t>(std::count(folded.begin(), folded.end(), ' ')) + 1);
  std::size_t start = 0;
  while (start < folded.size()) {
    std::size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    if (end > start) words.emplace_back(folded, start, end - start);
    start = end + 1;
  }
  return words;
}

std::string join_words(const std::vector<std::string>& words, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) {
    if (i > from) out += ' ';
    out += words[i];
  }
  return out;
}

std::string_view numeral_twin(std::string_view folded_word) {
  static constexpr std::array<std::string_view, 21> kRoman = {
      "",   "",    "ii",   "iii", "iv", "v",   "vi",   "vii",   "viii", "ix", "x",
      "xi", "xii", "xiii", "xiv", "xv", "xvi", "xvii", "xviii", "xix",  "xx"};
  static constexpr std::array<std::string_view, 21> kDigits = {
      "",   "",   "2",  "3",  "4",  "5",  "6",  "7",  "8",  "9", "10",
      "11", "12", "13", "14", "15", "16", "17", "18", "19", "20"};
  for (std::size_t n = 2; n < kRoman.size(); ++n) {
    if (folded_word == kRoman[n]) return kDigits[n];
    if (folded_word == kDigits[n]) return kRoman[n];
  }
  return {};
}

bool is_article_word(std::string_view folded_word) {
  return std::find(kFoldedArticles.begin(), kFoldedArticles.end(), folded_word) !=
         kFoldedArticles.end();
}

Vocabulary::Vocabulary(std::vector<std::string> words) : words_(std::move(words)) {
  // Sort by the first eight bytes as one big-endian number, which orders like the bytes and
  // settles most comparisons without touching the strings.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(words_.size());
  for (std::uint32_t i = 0; i < words_.size(); ++i) {
    std::uint64_t key = 0;
    for (std::size_t b = 0; b < sizeof key; ++b) {
      key = key << 8 | (b < words_[i].size() ? std::uint8_t(words_[i][b]) : 0);
    }
    keyed[i] = {key, i};
  }
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : words_[a.second] < words_[b.second];
  });
  sorted_.reserve(words_.size());
  for (const auto& entry : keyed) sorted_.push_back(entry.second);

  std::vector<std::uint64_t> pairs;  // trigram << 32 | word, made in word order
  std::vector<std::uint32_t> codes;
  for (std::uint32_t w = 0; w < words_.size(); ++w) {
    trigrams(words_[w], codes);
    for (std::uint32_t code : codes) pairs.push_back(std::uint64_t{code} << 32 | w);
  }
  sort_by_trigram(pairs);
  trigram_words_.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto code = static_cast<std::uint32_t>(pairs[i] >> 32);
    if (trigram_keys_.empty() || trigram_keys_.back() != code) {
      trigram_keys_.push_back(code);
      trigram_offsets_.push_back(static_cast<std::uint32_t>(i));
    }
    trigram_words_.push_back(static_cast<std::uint32_t>(pairs[i]));
  }
  trigram_offsets_.push_back(static_cast<std::uint32_t>(pairs.size()));
}

std::optional<std::uint32_t> Vocabulary::find(std::string_view word) const {
  const auto it =
      std::lower_bound(sorted_.begin(), sorted_.end(), word,
                       [&](std::uint32_t id, std::string_view w) { return words_[id] < w; });
  if (it != sorted_.end() && words_[*it] == word) return *it;
  return std::nullopt;
}

std::vector<WordMatch> Vocabulary::match(std::string_view typed, std::size_t max_typos,
                                         bool prefixes) const {
  std::vector<WordMatch> out;
  if (typed.empty()) return out;
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), typed,
                             [&](std::uint32_t id, std::string_view w) { return words_[id] < w; });
  for (; it != sorted_.end() && std::string_view(words_[*it]).substr(0, typed.size()) == typed;
       ++it) {
    const bool exact = words_[*it].size() == typed.size();
    if (exact || prefixes) out.push_back({*it, 0, !exact});
    if (!prefixes) break;  // only the exact word, which sorts first, was wanted
  }

  if (max_typos > 0 && !trigram_keys_.empty()) {
    std::vector<std::uint32_t> codes;
    trigrams(typed, codes);
    // An edit changes at most kTrigramsPerEdit of the typed word's trigrams (a transposition
    // four, the others three); the rest must be shared.
    const std::size_t changed = kTrigramsPerEdit * max_typos;
    const std::size_t needed = codes.size() > changed ? codes.size() - changed : 1;
    // Count shared trigrams per word in a dense array; `reached` remembers which to check.
    std::vector<std::uint16_t> shared(words_.size(), 0);
    std::vector<std::uint32_t> reached;
    for (std::uint32_t code : codes) {
      const auto key = std::lower_bound(trigram_keys_.begin(), trigram_keys_.end(), code);
      if (key == trigram_keys_.end() || *key != code) continue;
      const auto k = static_cast<std::size_t>(key - trigram_keys_.begin());
      for (std::uint32_t i = trigram_offsets_[k]; i < trigram_offsets_[k + 1]; ++i) {
        if (shared[trigram_words_[i]]++ == 0) reached.push_back(trigram_words_[i]);
      }
    }
    for (std::uint32_t id : reached) {
      const std::string& word = words_[id];
      const std::size_t gap =
          word.size() > typed.size() ? word.size() - typed.size() : typed.size() - word.size();
      if (shared[id] < needed || gap > max_typos) continue;
      const std::size_t distance = edit_distance(typed, word, max_typos);
      if (distance >= 1 && distance <= max_typos) {
        out.push_back({id, static_cast<std::uint32_t>(distance), false});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const WordMatch& a, const WordMatch& b) {
    return std::tie(a.word, a.typos, a.partial) < std::tie(b.word, b.typos, b.partial);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const WordMatch& a, const WordMatch& b) { return a.word == b.word; }),
            out.end());
  return out;
}

}  // namespace movierec
