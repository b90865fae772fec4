// serve's connections under cpp-httplib (private to http_server.cpp): the worker pool the
// library hands accepted connections to, and one connection as the library's Stream with the
// server's limits on every read and write. Only the movierec_http target compiles these (it
// links the library).
#pragma once

#include <httplib.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "movierec/frontends/serve_options.hpp"

namespace movierec::http {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// poll() for `events` on `fd` for at most `timeout`, resumed after signals: > 0 ready, 0 not
// within the time, < 0 an error.
int wait_fd(int fd, short events, milliseconds timeout);

void set_option(int fd, int level, int name, int value);

// Reads and drops what the client is still sending (a body refused unread), for at most a
// second and 16 MiB, so that closing does not reset the connection before the client has read
// the response.
void drain(int fd);

// The workers: a fixed pool that runs every connection it is given, in order. waiting() is how
// many connections wait for a worker, which tells a worker to give up an idle connection.
class WorkerPool final : public httplib::TaskQueue {
 public:
  explicit WorkerPool(std::size_t threads);
  void enqueue(std::function<void()> job) override;
  // Runs every job already queued, then joins the workers.
  void shutdown() override;
  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  void work();

  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> jobs_;
  std::atomic<std::size_t> waiting_{0};
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable ready_;
};

// One client connection as the library's Stream, with the server's limits: reads and writes are
// buffered (a response leaves in one send when flush() is called, or before the next read),
// each waits at most the read timeout and never past the request's deadline, and a request may
// consume max_header_bytes up to the blank line that ends its headers, then its body's budget
// (twice max_body_bytes and some, for chunked encoding: the library refuses a declared length
// over max_body_bytes itself). Past a limit, reads fail, and the server closes the connection
// after its response.
class Connection final : public httplib::Stream {
 public:
  Connection(int fd, const ServeOptions& options);

  // Waits for the first byte of the next request, for at most `timeout`, checking `give_up`
  // every `slice`; once it says so, only a request already arrived is taken. False when there
  // is none to serve: the client closed, stayed silent, or the server gave the connection up.
  bool wait_for_request(milliseconds timeout, milliseconds slice,
                        const std::function<bool()>& give_up);
  // The next request starts: its deadline and byte budgets run from now.
  void start_request();

  // Sends what write() has kept. False (and failed()) when the client does not take it within
  // the write timeout. Reads flush first, so an interim answer (100 Continue) is never held.
  bool flush() const;

  bool failed() const { return failed_; }
  // The request outgrew a budget: the client may still be sending it.
  bool over_budget() const { return over_budget_; }
  bool body_too_large() const { return body_too_large_; }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* out, size_t size) override;
  ssize_t write(const char* data, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  ssize_t failure() const;
  bool send_all(const char* data, std::size_t size) const;
  // Reads what has arrived into the buffer, waiting within the read timeout and the deadline.
  // Returns bytes read, 0 at the end of input, -1 on a timeout or an error.
  ssize_t fill();
  // recv() into the buffer with `flags`; bytes read, 0 at the end of input, -1 (errno set).
  ssize_t receive(int flags);
  // How many of the next `count` buffered bytes the header section may take: up to and
  // including the blank line that ends it (then the body's budget starts), within the budget.
  // The section ends at a blank line after a non-blank one (the request line), so blank lines
  // sent ahead of a request cannot end it early.
  std::size_t consume_headers(std::size_t count);

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
  mutable bool failed_ = false;        // a read or a write failed: the connection is done
  mutable bool write_failed_ = false;  // a write failed: nothing more can be sent
  bool over_budget_ = false;
  bool body_too_large_ = false;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  // A response is written in pieces (status and headers, then the body) and sent in one go.
  mutable std::string out_;
};

}  // namespace movierec::http
