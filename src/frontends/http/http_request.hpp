// Reading what a request says, for serve's route handlers (http_api.cpp): route patterns, JSON
// bodies and their fields, whole numbers in paths and queries, and the refusal a handler throws
// (ApiError, which the API answers as {"error": message}). Messages name the field and what it
// must be; text from the request is echoed cleaned and cut (shown()).
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "movierec/frontends/http_api.hpp"

namespace movierec::http {

inline constexpr std::int64_t kMaxMovieId = std::numeric_limits<std::int32_t>::max();

// A request refused, answered as {"error": message} with `status` and `headers`.
struct ApiError {
  int status = 400;
  std::string message;
  HttpHeaders headers;
};

// Throws ApiError.
[[noreturn]] void fail(int status, std::string message, HttpHeaders headers = {});

// Text from a request, fit to be echoed: invalid UTF-8 and control characters replaced, cut to
// 60 characters.
std::string shown(std::string_view text);

// True when `path` has the pattern's segments ("/api/sessions/{sid}"), "{name}" standing for any
// non-empty segment; `params` then holds those segments in order.
bool match_route(std::string_view pattern, std::string_view path, std::vector<std::string>& params);

// A whole number from `min` to `max` written in decimal digits only; none otherwise.
std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t min, std::int64_t max);

// A movie id in a path segment; 400 unless a whole number from 1 to kMaxMovieId.
std::int32_t movie_id_segment(std::string_view text);

// The body as a JSON object; 400 when it is empty, not JSON (naming the byte) or not an object.
nlohmann::json parse_object(std::string_view body);
// 400 naming the first field of `body` not in `known`, and listing the known ones.
void check_fields(const nlohmann::json& body, const std::vector<std::string_view>& known);
// The field, or 400 "FIELD is missing: WHAT".
const nlohmann::json& required(const nlohmann::json& body, const char* field,
                               std::string_view what);
// A movie id (a whole number from 1 to kMaxMovieId), or 400 naming `field`.
std::int32_t movie_id_field(const nlohmann::json& value, std::string_view field);

// Case-insensitive ASCII comparison (header names).
bool iequals(std::string_view a, std::string_view b);

}  // namespace movierec::http
