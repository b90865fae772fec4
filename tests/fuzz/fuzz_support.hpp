// What the fuzz targets share: the input as text, split into the several files some readers need,
// and a stream that cannot seek (a pipe), so the readers' non-seekable paths are fuzzed too.
//
// Every target catches only the exceptions its code under test promises (movierec::Error or one of
// its kinds); anything else escapes, and libFuzzer reports it as a crash, as it does sanitizer
// reports, timeouts and memory beyond -rss_limit_mb.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace movierec::fuzz {

// The separator between the files of one input: a line holding only "--".
inline constexpr std::string_view kFileSeparator = "\n--\n";

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `text` at each kFileSeparator into exactly `count` parts; missing parts are empty and
// the last part keeps any further separators.
inline std::vector<std::string> split_files(std::string_view text, std::size_t count) {
  std::vector<std::string> parts;
  while (parts.size() + 1 < count) {
    const std::size_t at = text.find(kFileSeparator);
    if (at == std::string_view::npos) break;
    parts.emplace_back(text.substr(0, at));
    text.remove_prefix(at + kFileSeparator.size());
  }
  parts.emplace_back(text);
  parts.resize(count);
  return parts;
}

// Splits `text` into lines at '\n' (the last line may lack one).
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t at = text.find('\n');
    lines.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return lines;
}

// An input stream over memory that cannot seek or tell, like a pipe.
class PipeBuffer : public std::streambuf {
 public:
  explicit PipeBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

// A property the target checks failed: report it and abort, so libFuzzer records the input.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

inline void check(bool holds, const char* what) {
  if (!holds) fail(what);
}

}  // namespace movierec::fuzz
