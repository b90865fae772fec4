// cpp-httplib 0.11 (Debian bookworm) parses requests and writes responses; this file replaces
// its per-connection loop (Server::process_and_close_socket, virtual) so that the server decides
// how long a connection may hold a worker: the library's own loop has no limit on the whole
// request (a client sending one byte every few seconds would hold a worker for hours), none on
// the number of header lines, no limit on chunked bodies, and keeps idle connections while others
// wait. The request itself still goes through the library's process_request().
#include "movierec/frontends/http_server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <thread>

#include "http_connection.hpp"
#include "movierec/io/error.hpp"

namespace movierec {
namespace {

using http::Clock;
using http::Connection;
using http::drain;
using http::set_option;
using http::WorkerPool;
using std::chrono::milliseconds;

constexpr int kListenBacklog = 512;     // the library listens with a backlog of 5
constexpr milliseconds kPollSlice{10};  // how often an idle connection checks for a stop
// How long an idle connection keeps its worker while others wait for one. A busy client sends
// its next request a moment after the last response, and closing then would race with it (the
// last response says "close" instead when others wait); a new client sends its first request as
// soon as it connects, and one connected ahead of need can connect again.
constexpr milliseconds kIdleGrace{100};
constexpr milliseconds kFirstRequestGrace{250};

// What the worker thread's current request did, for its access-log line: set by the route
// handler, read by the logger the library calls after the response.
struct RequestNote {
  bool handled = false;
  double seconds = 0;
  const Connection* connection = nullptr;
  bool close = false;  // the library refused the request: what follows on the connection is lost
};
thread_local RequestNote t_note;

class Server final : public httplib::Server {
 public:
  explicit Server(const ServeOptions& options) : options_(options) {
    new_task_queue = [this] {
      pool_ = new WorkerPool(static_cast<std::size_t>(options_.threads));
      return pool_;
    };
  }

  // Raises the library's listen backlog of 5, so that a burst of connections is queued by the
  // kernel instead of being refused or retried a second later.
  void raise_backlog() { ::listen(svr_sock_, kListenBacklog); }

 private:
  bool stopping() const { return svr_sock_ == INVALID_SOCKET; }

  bool process_and_close_socket(socket_t sock) override {
    try {
      serve_connection(sock);
    } catch (...) {
      // The connection is closed below whatever happened to it.
    }
    t_note = {};
    ::close(sock);
    return true;
  }

  void serve_connection(socket_t sock) {
    set_option(sock, IPPROTO_TCP, TCP_NODELAY, 1);
    Connection connection(sock, options_);
    const auto max_requests = static_cast<std::size_t>(options_.keep_alive_requests);
    for (std::size_t served = 0;; ++served) {
      // While another connection waits for a worker, an idle connection gives its worker up
      // after a short grace (longer for a new one that has sent nothing yet).
      const bool first = served == 0;
      const auto since = Clock::now();
      const auto give_up = [&] {
        return stopping() || (pool_->waiting() > 0 &&
                              Clock::now() - since >= (first ? kFirstRequestGrace : kIdleGrace));
      };
      const milliseconds wait(
          std::int64_t{first ? options_.read_timeout_seconds : options_.keep_alive_seconds} * 1000);
      if (!connection.wait_for_request(wait, kPollSlice, give_up)) break;
      const bool last = served + 1 >= max_requests || options_.keep_alive_seconds == 0 ||
                        stopping() || pool_->waiting() > 0;
      connection.start_request();
      t_note = {false, 0, &connection, false};
      bool closed = false;
      const bool processed = process_request(connection, last, closed, nullptr);
      const bool answered = connection.flush() && processed;  // error answers are sent too
      if (connection.failed()) {
        if (connection.over_budget()) drain(sock);
        return;
      }
      if (!answered || closed || last || t_note.close) break;
    }
    ::shutdown(sock, SHUT_RDWR);
  }

  const ServeOptions& options_;
  WorkerPool* pool_ = nullptr;
};

HttpRequest to_request(const httplib::Request& request) {
  HttpRequest out;
  out.method = request.method;
  out.path = request.path;
  const std::size_t question = request.target.find('?');
  if (question != std::string::npos) out.query = parse_query(request.target.substr(question + 1));
  out.body = request.body;
  return out;
}

void copy_response(const HttpResponse& from, httplib::Response& to) {
  to.status = from.status;
  to.headers.clear();
  std::string content_type = "application/octet-stream";
  for (const auto& [name, value] : from.headers) {
    if (name == "Content-Type") {
      content_type = value;
    } else {
      to.set_header(name, value);
    }
  }
  to.set_content(from.body, content_type);
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

void serve_http(HttpApi& api, std::ostream& out) {
  const ServeOptions& options = api.options();
  // Blocked here, before any thread starts, so that every thread inherits the mask and the two
  // signals reach only the waiting thread below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  Server server(options);
  const auto handler = [&api](const httplib::Request& request, httplib::Response& response) {
    const auto start = Clock::now();
    const HttpResponse answer = api.handle(to_request(request));
    copy_response(answer, response);
    t_note.handled = true;
    t_note.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  };
  // Every path of every method the library knows reaches the API, which routes it.
  const std::string any = ".*";
  server.Get(any, handler).Post(any, handler).Put(any, handler).Patch(any, handler);
  server.Delete(any, handler).Options(any, handler);
  // Responses the library makes itself (a malformed request, a body too large, a method it
  // knows but no route has) get the API's JSON errors and headers.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&api](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        HttpResponse answer;
        if (response.status == 404) {
          answer = api.handle(to_request(request));
        } else {
          const bool too_large =
              t_note.connection != nullptr && t_note.connection->body_too_large();
          answer = api.transport_error(request.method, too_large ? 413 : response.status);
          // The request was not read whole, so nothing after it on the connection can be trusted.
          answer.headers.emplace_back("Connection", "close");
          t_note.close = true;
        }
        copy_response(answer, response);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [&api](const httplib::Request& request, httplib::Response& response, std::exception_ptr) {
        copy_response(api.transport_error(request.method, 500), response);
      });
  if (!options.quiet) {
    server.set_logger([](const httplib::Request& request, const httplib::Response& response) {
      const std::string line = access_log_line(request.method, request.target, response.status,
                                               t_note.handled ? t_note.seconds : 0);
      std::fprintf(stderr, "%s\n", line.c_str());
      t_note.handled = false;
    });
  }
  // SO_REUSEADDR only: the library's default adds SO_REUSEPORT, with which a second server on
  // the same port would silently share its connections instead of failing to start.
  server.set_socket_options([](socket_t sock) { set_option(sock, SOL_SOCKET, SO_REUSEADDR, 1); });
  server.set_payload_max_length(static_cast<std::size_t>(options.max_body_bytes));
  // A client that asks before sending a body (Expect: 100-continue) learns at once that it is
  // too large, and sends nothing. (The library answers with the response's status, not the
  // one returned, so both are set.)
  server.set_expect_100_continue_handler(
      [&options](const httplib::Request& request, httplib::Response& response) {
        const auto length = request.get_header_value<std::uint64_t>("Content-Length");
        if (length <= static_cast<std::uint64_t>(options.max_body_bytes)) return 100;
        response.status = 413;
        return 413;
      });
  server.set_keep_alive_max_count(static_cast<std::size_t>(options.keep_alive_requests));
  server.set_keep_alive_timeout(options.keep_alive_seconds);

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    throw Error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                ": the port is taken, or the host is not an address of this machine");
  }
  server.raise_backlog();
  if (!is_loopback_host(options.host)) {
    std::fprintf(stderr,
                 "serve: warning: listening on %s, which other machines may reach; the API has no "
                 "authentication, so anyone who can connect can use it\n",
                 options.host.c_str());
  }
  out << "listening on http://" << url_host(options.host) << ':' << port << "/" << std::endl;

  std::atomic<bool> done{false};
  std::thread waiter([&] {
    const timespec slice{0, 100'000'000};
    while (!done.load()) {
      if (::sigtimedwait(&signals, nullptr, &slice) < 0) continue;
      // The library asserts when stopped twice or before it runs: stop once, once it runs.
      while (!server.is_running() && !done.load()) std::this_thread::sleep_for(milliseconds(10));
      if (!done.load()) server.stop();
      return;
    }
  });
  server.listen_after_bind();
  done.store(true);
  waiter.join();
}

}  // namespace movierec
