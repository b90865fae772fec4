#include "movierec/io/text.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace movierec {
namespace {

// ASCII spelling of accented Latin letters (Latin-1 Supplement and Latin Extended-A), lower case.
// Empty for characters that have none.
std::string_view fold_latin(char32_t code) {
  static constexpr std::string_view kLatin1[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",    // C0-CF
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",    // E0-EF
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};  // F0-FF
  if (code >= 0xC0 && code <= 0xFF) return kLatin1[code - 0xC0];
  if (code >= 0x100 && code <= 0x17F) {
    // Latin Extended-A mostly comes in (capital, small) pairs starting on even code points;
    // this table gives each pair's base letter.
    static constexpr std::string_view kPairs[64] = {
        "a", "a", "a", "c", "c", "c", "c", "d", "d", "e", "e", "e", "e",  "e", "g", "g",   // 0100
        "g", "g", "h", "h", "i", "i", "i", "i", "i", "ij", "j", "k", "",  "l", "l", "l",   // 0120
        "l", "l", "n", "n", "n", "n", "o", "o", "o", "oe", "r", "r", "r", "s", "s", "s",   // 0140
        "s", "t", "t", "t", "u", "u", "u", "u", "u", "u",  "w", "y", "y", "z", "z", "z"};  // 0160
    // Irregular spots: 0138 kra, 0149 n preceded by apostrophe, 0178 Y with diaeresis, 017F long
    // s; and from 0139 to 0148 and 0179 to 017E the pairs start on odd code points.
    if (code == 0x138) return "k";
    if (code == 0x149) return "n";
    if (code == 0x178) return "y";
    if (code >= 0x179 && code <= 0x17E) return "z";
    if (code == 0x17F) return "s";
    const std::size_t offset = code - 0x100;
    const std::size_t pair = (code >= 0x139 && code <= 0x148) ? (offset + 1) / 2 : offset / 2;
    return kPairs[pair];
  }
  return {};
}

}  // namespace

std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& code) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    code = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

bool is_valid_utf8(std::string_view text) {
  char32_t code;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = decode_utf8(text, i, code);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  char32_t code = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    const std::size_t length = decode_utf8(text, i, code);
    i += length == 0 ? 1 : length;
  }
  return count;
}

std::string latin1_to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (byte >> 6));
      out += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return out;
}

std::string to_utf8(std::string_view text) {
  return is_valid_utf8(text) ? std::string(text) : latin1_to_utf8(text);
}

std::string fold_for_search(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  const auto emit = [&](std::string_view piece) {
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += piece;
  };
  char32_t code = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = decode_utf8(text, i, code);
    if (length == 0) {
      ++i;  // an invalid byte: drop it
      continue;
    }
    i += length;
    if (code < 0x80) {
      const char c = static_cast<char>(code);
      if (c >= 'A' && c <= 'Z') {
        const char lower = static_cast<char>(c - 'A' + 'a');
        emit(std::string_view(&lower, 1));
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        emit(std::string_view(&c, 1));
      } else if (c == '\'') {
        // "Schindler's" matches "schindlers": apostrophes join rather than split words.
      } else {
        pending_space = true;
      }
    } else if (std::string_view folded = fold_latin(code); !folded.empty()) {
      emit(folded);
    } else if (code == 0x2019) {
      // Typographic apostrophe: same as '.
    } else if (code >= 0x2000 && code <= 0x206F) {
      pending_space = true;  // general punctuation (dashes, quotes)
    } else {
      emit(text.substr(i - length, length));  // other scripts pass through unchanged
    }
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  if (a.size() > b.size()) std::swap(a, b);
  limit = std::min(limit, b.size());  // no distance exceeds the longer length; avoids overflow
  if (b.size() - a.size() > limit) return limit + 1;
  // Three rows of the dynamic programme are enough for adjacent transpositions.
  std::vector<std::size_t> before(a.size() + 1), previous(a.size() + 1), current(a.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t j = 1; j <= b.size(); ++j) {
    current[0] = j;
    std::size_t row_min = current[0];
    for (std::size_t i = 1; i <= a.size(); ++i) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t best = std::min({previous[i] + 1, current[i - 1] + 1, previous[i - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, before[i - 2] + 1);
      }
      current[i] = best;
      row_min = std::min(row_min, best);
    }
    if (row_min > limit) return limit + 1;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[a.size()], limit + 1);
}

std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = static_cast<std::size_t>(-1);
  for (const std::string& candidate : candidates) {
    const std::size_t longer = std::max(word.size(), candidate.size());
    const std::size_t allowed = std::max<std::size_t>(1, longer / 3);
    const std::size_t d = edit_distance(word, candidate, allowed);
    if (d <= allowed && d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace movierec
