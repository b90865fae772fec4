// The HTTP transport of `serve`: cpp-httplib (Debian's libcpp-httplib) carrying requests to an
// HttpApi and its responses back. Nothing here decides what a request means (http_api.hpp does);
// this file owns sockets, threads, limits, timeouts, signals and the access log.
//
// Connections. A pool of options.threads workers serves connections; each worker reads one
// request at a time from its connection and keeps it alive for options.keep_alive_seconds and
// options.keep_alive_requests; but while another connection waits for a worker, its response
// says "close", and an idle connection gives the worker up after a tenth of a second (a new
// connection that has sent nothing, after a quarter). A request's line and headers may take
// max_header_bytes and its body max_body_bytes (past them: 413, or the connection is closed);
// every read waits at most read_timeout_seconds, a whole request must arrive within
// request_timeout_seconds, and a response must leave within write_timeout_seconds, so slow or
// silent clients are cut off.
//
// Lifetime. serve_http() binds, prints exactly one line on `out`, "listening on
// http://HOST:PORT/" (flushed), and serves until SIGINT or SIGTERM; it then stops accepting,
// answers the requests already received, and returns. A host other than a loopback address gets
// a warning on stderr (the API has no authentication). Unless options.quiet, each request gets
// one access-log line on stderr (access_log_line()).
#pragma once

#include <iosfwd>

#include "movierec/frontends/http_api.hpp"

namespace movierec {

// Serves `api` with api.options() until SIGINT or SIGTERM. Call it from the process's only
// thread: it blocks SIGINT and SIGTERM in every thread it starts and waits for them on its own.
// Throws Error when it cannot listen on the host and port.
void serve_http(HttpApi& api, std::ostream& out);

}  // namespace movierec
