// Every setting of `serve` (the HTTP front end): where it listens, how many threads serve, how
// many sessions it keeps and for how long, and the limits that keep a hostile or slow client
// from holding the server. One struct, defaults in place, each key with its range in fields();
// the program's flags are generated from that list (--max-sessions, --session-idle-minutes...).
#pragma once

#include <string>
#include <vector>

#include "movierec/io/config.hpp"

namespace movierec {

struct ServeOptions {
  // Where to listen. Anything but a loopback address is reachable from other machines, and the
  // API has no authentication: serve warns when it is so.
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port (the listening line says which)
  // Worker threads. Each serves one connection at a time; an idle kept-alive connection gives its
  // worker up at once when another connection waits for one.
  int threads = 8;
  // Sessions open at once. Past it, new sessions are refused (503) until idle ones are dropped
  // or ended; the sessions already open keep working. Memory stays bounded by it.
  int max_sessions = 10000;
  int session_idle_minutes = 30;  // a session unused this long is dropped
  int max_body_bytes = 65536;     // larger request bodies are refused (413) unread
  // The request line and headers together; past it the connection is closed. (The HTTP library
  // also refuses any single line over 8 KiB with 400.)
  int max_header_bytes = 16384;
  int read_timeout_seconds = 5;      // longest silence within a request, or before the first one
  int request_timeout_seconds = 10;  // a whole request must arrive within this (slow clients)
  int write_timeout_seconds = 5;     // longest wait for a client to take the response
  int keep_alive_seconds = 5;        // an idle connection is closed after this long
  int keep_alive_requests = 100;     // requests served on one connection before it is closed
  int max_search_results = 50;       // the largest `limit` of /api/movies/search
  int max_n = 100;  // the largest `n` of /api/movies/{id}/similar and /api/users/{id}/recommendations
  bool quiet = false;  // nothing on stderr: no catalog line, no access log

  // Every key above, bound to this struct (names, ranges, help); the flag of a key is its name
  // with dashes.
  std::vector<ConfigField> fields();
  // Checks every range (for options built in code); throws ConfigError naming `source`.
  void validate(const std::string& source) const;
};

// True for the addresses only this machine can reach: 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

}  // namespace movierec
