#include "http_request.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "movierec/frontends/repl.hpp"
#include "movierec/io/text.hpp"

namespace movierec {
namespace http {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxShownChars = 60;    // echoed text is cut to this many characters
constexpr std::size_t kMaxLoggedChars = 200;  // logged paths too

}  // namespace

void fail(int status, std::string message, HttpHeaders headers) {
  throw ApiError{status, std::move(message), std::move(headers)};
}

std::string shown(std::string_view text) { return shown_text(text, kMaxShownChars); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool match_route(std::string_view pattern, std::string_view path,
                 std::vector<std::string>& params) {
  params.clear();
  std::size_t p = 0;
  std::size_t q = 0;
  while (p < pattern.size() && q < path.size()) {
    if (pattern[p] == '{') {
      const std::size_t pattern_end = pattern.find('/', p);
      const std::size_t path_end = std::min(path.find('/', q), path.size());
      if (path_end == q) return false;
      params.emplace_back(path.substr(q, path_end - q));
      p = pattern_end == std::string_view::npos ? pattern.size() : pattern_end;
      q = path_end;
    } else {
      if (pattern[p] != path[q]) return false;
      ++p;
      ++q;
    }
  }
  return p == pattern.size() && q == path.size();
}

// A whole number from `min` to `max` written in decimal digits only.
std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t min,
                                         std::int64_t max) {
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

std::int32_t movie_id_segment(std::string_view text) {
  const auto id = whole_number(text, 1, kMaxMovieId);
  if (!id) {
    fail(400, fmt::format("the movie id must be a whole number from 1 to {} (got \"{}\")",
                          kMaxMovieId, shown(text)));
  }
  return static_cast<std::int32_t>(*id);
}

json parse_object(std::string_view body) {
  if (trim(body).empty()) {
    fail(400, "the body is empty; send a JSON object (Content-Type: application/json)");
  }
  json value;
  try {
    value = json::parse(body);
  } catch (const json::parse_error& e) {
    fail(400, fmt::format("the body is not valid JSON (the error is at byte {})", e.byte));
  }
  if (!value.is_object()) fail(400, "the body must be a JSON object, {...}");
  return value;
}

void check_fields(const json& body, const std::vector<std::string_view>& known) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string names;
      for (const std::string_view name : known)
        names += (names.empty() ? "" : ", ") + std::string(name);
      fail(400, fmt::format("unknown field \"{}\"; the fields are: {}", shown(key), names));
    }
  }
}

const json& required(const json& body, const char* field, std::string_view what) {
  const auto found = body.find(field);
  if (found == body.end()) fail(400, fmt::format("{} is missing: {}", field, what));
  return *found;
}

std::int32_t movie_id_field(const json& value, std::string_view field) {
  std::optional<std::int64_t> id;
  if (value.is_number_unsigned()) {
    if (value.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxMovieId)) {
      id = value.get<std::int64_t>();
    }
  } else if (value.is_number_integer()) {
    id = value.get<std::int64_t>();
  }
  if (!id || *id < 1 || *id > kMaxMovieId) {
    fail(400, fmt::format("{} must be a movie id, a whole number from 1 to {} (got {})", field,
                          kMaxMovieId, shown(value.dump())));
  }
  return static_cast<std::int32_t>(*id);
}

}  // namespace http

const std::string* HttpRequest::param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

const std::string* HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (http::iequals(key, name)) return &value;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const auto decode = [&](std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '+') {
        out += ' ';
      } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
                 hex(text[i + 2]) >= 0) {
        out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  };
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string_view part = query.substr(start, end - start);
    if (!part.empty()) {
      const std::size_t equals = part.find('=');
      if (equals == std::string_view::npos) {
        params.emplace_back(decode(part), "");
      } else {
        params.emplace_back(decode(part.substr(0, equals)), decode(part.substr(equals + 1)));
      }
    }
    start = end + 1;
  }
  return params;
}

std::string access_log_line(std::string_view method, std::string_view target, int status,
                            double seconds) {
  const std::size_t question = target.find('?');
  std::string path(target.substr(0, question));
  if (question != std::string_view::npos) {
    std::string names;
    for (const auto& [name, value] : parse_query(target.substr(question + 1))) {
      names += (names.empty() ? "" : "&") + name;
    }
    path += "?" + names;
  }
  return fmt::format("{} {} {} {:.2f} ms", shown_text(method, 16),
                     shown_text(path, http::kMaxLoggedChars), status, seconds * 1000);
}

}  // namespace movierec
