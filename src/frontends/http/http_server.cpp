// cpp-httplib 0.11 (Debian bookworm) parses requests and writes responses; this file replaces
// its per-connection loop (Server::process_and_close_socket, virtual) so that the server decides
// how long a connection may hold a worker: the library's own loop has no limit on the whole
// request (a client sending one byte every few seconds would hold a worker for hours), none on
// the number of header lines, no limit on chunked bodies, and keeps idle connections while others
// wait. The request itself still goes through the library's process_request().
#include "movierec/frontends/http_server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <ostream>
#include <thread>

#include "movierec/io/error.hpp"

namespace movierec {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kListenBacklog = 512;            // the library listens with a backlog of 5
constexpr milliseconds kPollSlice{10};         // how often an idle connection checks for a stop
// How long an idle connection keeps its worker while others wait for one. A busy client sends
// its next request a moment after the last response, and closing then would race with it (the
// last response says "close" instead when others wait); a new client sends its first request as
// soon as it connects, and one connected ahead of need can connect again.
constexpr milliseconds kIdleGrace{100};
constexpr milliseconds kFirstRequestGrace{250};
constexpr std::size_t kBodySlack = 16 * 1024;  // chunked encoding's own bytes
constexpr std::size_t kMaxDrainBytes = 16 * 1024 * 1024;
constexpr milliseconds kMaxDrain{1000};

int wait_fd(int fd, short events, milliseconds timeout) {
  pollfd entry{fd, events, 0};
  const auto until = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    const int ready =
        ::poll(&entry, 1, static_cast<int>(std::max<milliseconds::rep>(left.count(), 0)));
    if (ready >= 0 || errno != EINTR) return ready;
  }
}

milliseconds seconds_ms(int seconds) { return milliseconds(std::int64_t{seconds} * 1000); }

// The workers: a fixed pool that runs every connection it is given, in order. waiting() is
// how many connections wait for a worker, which tells a worker to give up an idle connection.
class WorkerPool final : public httplib::TaskQueue {
 public:
  explicit WorkerPool(std::size_t threads) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }

  void enqueue(std::function<void()> job) override {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back(std::move(job));
      waiting_.store(jobs_.size(), std::memory_order_relaxed);
    }
    ready_.notify_one();
  }

  // Runs every job already queued, then joins the workers.
  void shutdown() override {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        waiting_.store(jobs_.size(), std::memory_order_relaxed);
      }
      try {
        job();
      } catch (...) {
        // The connection's own code catches everything; nothing may end a worker.
      }
    }
  }

  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> jobs_;
  std::atomic<std::size_t> waiting_{0};
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable ready_;
};

void address_of(const sockaddr_storage& address, std::string& ip, int& port) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text.data(), text.size());
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text.data(), text.size());
    port = ntohs(v6.sin6_port);
  }
  ip = text.data();
}

// One client connection as the library's Stream, with this server's limits: reads are
// buffered, each waits at most the read timeout and never past the request's deadline, and a
// request may consume max_header_bytes up to the blank line that ends its headers, then its
// body's budget. Past a limit, reads fail and the connection is closed after the response.
class Connection final : public httplib::Stream {
 public:
  Connection(int fd, const ServeOptions& options)
      : fd_(fd),
        read_timeout_(seconds_ms(options.read_timeout_seconds)),
        write_timeout_(seconds_ms(options.write_timeout_seconds)),
        request_timeout_(seconds_ms(options.request_timeout_seconds)),
        header_budget_(static_cast<std::size_t>(options.max_header_bytes)),
        body_budget_(2 * static_cast<std::size_t>(options.max_body_bytes) + kBodySlack) {}

  // Waits for the first byte of the next request, for at most `timeout`, checking `give_up`
  // every slice; once it says so, only a request already arrived is taken. False when there is
  // none to serve: the client closed, stayed silent, or the server gave the connection up.
  template <typename GiveUp>
  bool wait_for_request(milliseconds timeout, GiveUp give_up) {
    if (begin_ < end_) return true;
    const auto until = Clock::now() + timeout;
    for (;;) {
      const bool stop = give_up();
      const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
      if (!stop && left.count() <= 0) return false;
      const int ready = wait_fd(fd_, POLLIN, stop ? milliseconds(0) : std::min(left, kPollSlice));
      if (ready < 0) return false;
      if (ready > 0) return receive() > 0;
      if (stop) return false;
    }
  }

  // The next request starts: its deadline and byte budgets run from now.
  void start_request() {
    deadline_ = Clock::now() + request_timeout_;
    in_headers_ = true;
    line_length_ = 0;
    seen_line_ = false;
    budget_ = header_budget_;
  }

  bool failed() const { return failed_; }
  // The request outgrew a budget: the client may still be sending it.
  bool over_budget() const { return over_budget_; }
  bool body_too_large() const { return body_too_large_; }

  bool is_readable() const override {
    if (begin_ < end_) return true;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
    return left.count() > 0 && wait_fd(fd_, POLLIN, std::min(left, read_timeout_)) > 0;
  }

  bool is_writable() const override { return wait_fd(fd_, POLLOUT, write_timeout_) > 0; }

  ssize_t read(char* out, size_t size) override {
    if (begin_ == end_) {
      const ssize_t got = fill();
      if (got <= 0) return got;
    }
    std::size_t count = std::min(size, end_ - begin_);
    if (in_headers_) {
      count = consume_headers(count);
    } else if (count > budget_) {
      over_budget_ = body_too_large_ = failed_ = true;
      return -1;
    } else {
      budget_ -= count;
    }
    if (failed_) return -1;
    std::memcpy(out, buffer_.data() + begin_, count);
    begin_ += count;
    return static_cast<ssize_t>(count);
  }

  ssize_t write(const char* data, size_t size) override {
    std::size_t sent = 0;
    while (sent < size) {
      if (wait_fd(fd_, POLLOUT, write_timeout_) <= 0) return failure();
      const ssize_t n = ::send(fd_, data + sent, size - sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return failure();
      sent += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      address_of(address, ip, port);
    }
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      address_of(address, ip, port);
    }
  }

  socket_t socket() const override { return fd_; }

 private:
  ssize_t failure() {
    failed_ = true;
    return -1;
  }

  // Reads what has arrived into the buffer, waiting within the read timeout and the deadline.
  // Returns bytes read, 0 at the end of input, -1 on a timeout or an error.
  ssize_t fill() {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
    if (left.count() <= 0) return failure();
    const int ready = wait_fd(fd_, POLLIN, std::min(left, read_timeout_));
    if (ready <= 0) return failure();
    const ssize_t got = receive();
    return got < 0 ? failure() : got;
  }

  ssize_t receive() {
    for (;;) {
      const ssize_t got = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
      if (got < 0 && errno == EINTR) continue;
      begin_ = 0;
      end_ = got > 0 ? static_cast<std::size_t>(got) : 0;
      return got;
    }
  }

  // How many of the next `count` buffered bytes the header section may take: up to and
  // including the blank line that ends it (then the body's budget starts), within the budget.
  // The section ends at a blank line after a non-blank one (the request line), so blank lines
  // sent ahead of a request cannot end it early.
  std::size_t consume_headers(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      if (budget_ == 0) {
        over_budget_ = failed_ = true;
        return i;
      }
      --budget_;
      const char c = buffer_[begin_ + i];
      if (c == '\n') {
        if (line_length_ == 0 && seen_line_) {
          in_headers_ = false;
          budget_ = body_budget_;
          return i + 1;
        }
        seen_line_ = seen_line_ || line_length_ > 0;
        line_length_ = 0;
      } else if (c != '\r') {
        ++line_length_;
      }
    }
    return count;
  }

  int fd_;
  milliseconds read_timeout_;
  milliseconds write_timeout_;
  milliseconds request_timeout_;
  std::size_t header_budget_;
  std::size_t body_budget_;
  Clock::time_point deadline_ = Clock::now();
  bool in_headers_ = true;
  std::size_t line_length_ = 0;
  bool seen_line_ = false;
  std::size_t budget_ = 0;
  bool failed_ = false;
  bool over_budget_ = false;
  bool body_too_large_ = false;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// What the worker thread's current request did, for its access-log line: set by the route
// handler, read by the logger the library calls after the response.
struct RequestNote {
  bool handled = false;
  double seconds = 0;
  const Connection* connection = nullptr;
  bool close = false;  // the library refused the request: what follows on the connection is lost
};
thread_local RequestNote t_note;

void set_option(int fd, int level, int name, int value) {
  ::setsockopt(fd, level, name, &value, sizeof(value));
}

// Reads and drops what the client is still sending (a body refused unread), briefly, so that
// closing does not reset the connection before the client has read the response.
void drain(int fd) {
  ::shutdown(fd, SHUT_WR);
  std::array<char, 16384> sink{};
  std::size_t drained = 0;
  const auto until = Clock::now() + kMaxDrain;
  while (drained < kMaxDrainBytes) {
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    if (left.count() <= 0 || wait_fd(fd, POLLIN, left) <= 0) return;
    const ssize_t got = ::recv(fd, sink.data(), sink.size(), 0);
    if (got <= 0) return;
    drained += static_cast<std::size_t>(got);
  }
}

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
      const milliseconds wait =
          seconds_ms(first ? options_.read_timeout_seconds : options_.keep_alive_seconds);
      if (!connection.wait_for_request(wait, give_up)) break;
      const bool last = served + 1 >= max_requests || options_.keep_alive_seconds == 0 ||
                        stopping() || pool_->waiting() > 0;
      connection.start_request();
      t_note = {false, 0, &connection, false};
      bool closed = false;
      set_option(sock, IPPROTO_TCP, TCP_CORK, 1);  // the header and body in one packet
      const bool answered = process_request(connection, last, closed, nullptr);
      set_option(sock, IPPROTO_TCP, TCP_CORK, 0);
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
