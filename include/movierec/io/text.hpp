// Small text utilities shared by the loaders, the config checker and title search.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace movierec {

// Decodes the UTF-8 sequence that starts at text[i] (i < text.size()) into `code`; returns its
// length in bytes, or 0 when it is malformed (a stray continuation byte, cut short, overlong, a
// surrogate, past U+10FFFF).
std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& code);

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// The number of code points in `text`, each malformed byte counting as one (what a terminal
// shows as one column per character, for the scripts MovieLens titles use).
std::size_t count_code_points(std::string_view text);

// Reads bytes as Latin-1 (ISO-8859-1) and returns them as UTF-8.
std::string latin1_to_utf8(std::string_view text);

// `text` itself when it is valid UTF-8, else its Latin-1 reading: older MovieLens releases
// (ml-100k, ml-1m) store titles in Latin-1.
std::string to_utf8(std::string_view text);

// For matching, not display: lower-case ASCII, Latin letters stripped of accents (é→e, ß→ss,
// æ→ae), punctuation turned into spaces, runs of spaces collapsed, ends trimmed. Invalid UTF-8
// bytes are dropped. "Amélie (Fabuleux destin d'Amélie Poulain, Le)" → "amelie fabuleux destin d
// amelie poulain le".
std::string fold_for_search(std::string_view text);

// Optimal string alignment distance (Levenshtein plus adjacent transpositions) between byte
// strings. Stops early and returns limit + 1 once the distance must exceed `limit`.
std::size_t edit_distance(std::string_view a, std::string_view b,
                          std::size_t limit = static_cast<std::size_t>(-1));

// Of `candidates`, the one nearest to `word` by edit_distance when it is near enough to be a
// plausible typo (distance at most a third of the longer string, and at least 1); else "".
std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates);

// Trims ASCII white space at both ends.
std::string_view trim(std::string_view text);

}  // namespace movierec
