#include "movierec/frontends/serve_options.hpp"

#include <fmt/format.h>

#include "movierec/io/error.hpp"

namespace movierec {
namespace {

constexpr int kMaxPort = 65535;
constexpr int kMaxThreads = 256;
constexpr int kMaxSessions = 1000000;
constexpr int kMaxIdleMinutes = 7 * 24 * 60;  // a week
constexpr int kMaxBytes = 16 * 1024 * 1024;
constexpr int kMaxSeconds = 3600;
constexpr int kMaxRequestsPerConnection = 1000000;
constexpr int kMaxSearchResults = 1000;

}  // namespace

// One row per key, kept in table form for reading.
std::vector<ConfigField> ServeOptions::fields() {
  return {
      {"host",
       &host,
       0,
       0,
       {},
       "address to listen on; not a loopback one: a warning (no authentication)"},
      {"port", &port, 0, kMaxPort, {}, "port to listen on; 0 picks a free one"},
      {"threads",
       &threads,
       1,
       kMaxThreads,
       {},
       "worker threads, each serving one connection at a time"},
      {"max_sessions",
       &max_sessions,
       1,
       kMaxSessions,
       {},
       "sessions open at once; past it new ones get 503"},
      {"session_idle_minutes",
       &session_idle_minutes,
       1,
       kMaxIdleMinutes,
       {},
       "a session unused this long is dropped"},
      {"max_body_bytes",
       &max_body_bytes,
       1024,
       kMaxBytes,
       {},
       "larger request bodies are refused (413)"},
      {"max_header_bytes",
       &max_header_bytes,
       1024,
       kMaxBytes,
       {},
       "the request line and headers together; past it the connection is closed"},
      {"read_timeout_seconds",
       &read_timeout_seconds,
       1,
       kMaxSeconds,
       {},
       "longest silence within a request, or before a connection's first request"},
      {"request_timeout_seconds",
       &request_timeout_seconds,
       1,
       kMaxSeconds,
       {},
       "a whole request must arrive within this"},
      {"write_timeout_seconds",
       &write_timeout_seconds,
       1,
       kMaxSeconds,
       {},
       "longest wait for a client to take a response"},
      {"keep_alive_seconds",
       &keep_alive_seconds,
       0,
       kMaxSeconds,
       {},
       "an idle connection is closed after this long (0: one request per connection)"},
      {"keep_alive_requests",
       &keep_alive_requests,
       1,
       kMaxRequestsPerConnection,
       {},
       "requests served on one connection before it is closed"},
      {"max_search_results",
       &max_search_results,
       1,
       kMaxSearchResults,
       {},
       "the largest limit of /api/movies/search"},
      {"max_n",
       &max_n,
       1,
       kMaxSearchResults,
       {},
       "the largest n of /api/movies/{id}/similar and /api/users/{id}/recommendations"},
      {"quiet", &quiet, 0, 0, {}, "nothing on stderr: no start-up catalog line, no access log"},
  };
}

void ServeOptions::validate(const std::string& source) const {
  ServeOptions copy = *this;
  for (const ConfigField& field : copy.fields()) {
    if (const auto* number = std::get_if<int*>(&field.value)) {
      if (!(**number >= field.min && **number <= field.max)) {
        throw ConfigError(source, 0, field.name,
                          fmt::format("must be a whole number from {} to {}, got {}",
                                      static_cast<long long>(field.min),
                                      static_cast<long long>(field.max), **number));
      }
    }
  }
  if (host.empty()) throw ConfigError(source, 0, "host", "must not be empty");
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace movierec
