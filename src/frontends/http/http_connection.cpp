#include "http_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace movierec::http {
namespace {

constexpr std::size_t kBodySlack = 16 * 1024;    // chunked encoding's own bytes
constexpr std::size_t kMaxBuffered = 64 * 1024;  // responses larger than this are sent in parts
constexpr std::size_t kMaxDrainBytes = 16 * 1024 * 1024;
constexpr milliseconds kMaxDrain{1000};

milliseconds seconds_ms(int seconds) { return milliseconds(std::int64_t{seconds} * 1000); }

milliseconds left_until(Clock::time_point until) {
  return std::chrono::duration_cast<milliseconds>(until - Clock::now());
}

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

}  // namespace

int wait_fd(int fd, short events, milliseconds timeout) {
  pollfd entry{fd, events, 0};
  const auto until = Clock::now() + timeout;
  for (;;) {
    const auto left = std::max<milliseconds::rep>(left_until(until).count(), 0);
    const int ready = ::poll(&entry, 1, static_cast<int>(left));
    if (ready >= 0 || errno != EINTR) return ready;
  }
}

void set_option(int fd, int level, int name, int value) {
  ::setsockopt(fd, level, name, &value, sizeof(value));
}

void drain(int fd) {
  ::shutdown(fd, SHUT_WR);
  std::array<char, 16384> sink{};
  std::size_t drained = 0;
  const auto until = Clock::now() + kMaxDrain;
  while (drained < kMaxDrainBytes) {
    const milliseconds left = left_until(until);
    if (left.count() <= 0 || wait_fd(fd, POLLIN, left) <= 0) return;
    const ssize_t got = ::recv(fd, sink.data(), sink.size(), 0);
    if (got <= 0) return;
    drained += static_cast<std::size_t>(got);
  }
}

WorkerPool::WorkerPool(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

void WorkerPool::enqueue(std::function<void()> job) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(job));
    waiting_.store(jobs_.size(), std::memory_order_relaxed);
  }
  ready_.notify_one();
}

void WorkerPool::shutdown() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void WorkerPool::work() {
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

Connection::Connection(int fd, const ServeOptions& options)
    : fd_(fd),
      read_timeout_(seconds_ms(options.read_timeout_seconds)),
      write_timeout_(seconds_ms(options.write_timeout_seconds)),
      request_timeout_(seconds_ms(options.request_timeout_seconds)),
      header_budget_(static_cast<std::size_t>(options.max_header_bytes)),
      body_budget_(2 * static_cast<std::size_t>(options.max_body_bytes) + kBodySlack) {}

bool Connection::wait_for_request(milliseconds timeout, milliseconds slice,
                                  const std::function<bool()>& give_up) {
  if (begin_ < end_) return true;
  const auto until = Clock::now() + timeout;
  for (;;) {
    const bool stop = give_up();
    const milliseconds left = left_until(until);
    if (!stop && left.count() <= 0) return false;
    const int ready = wait_fd(fd_, POLLIN, stop ? milliseconds(0) : std::min(left, slice));
    if (ready < 0) return false;
    if (ready > 0) return receive(0) > 0;
    if (stop) return false;
  }
}

void Connection::start_request() {
  deadline_ = Clock::now() + request_timeout_;
  in_headers_ = true;
  line_length_ = 0;
  seen_line_ = false;
  budget_ = header_budget_;
}

bool Connection::is_readable() const {
  if (begin_ < end_) return true;
  if (!flush()) return false;
  const milliseconds left = left_until(deadline_);
  return left.count() > 0 && wait_fd(fd_, POLLIN, std::min(left, read_timeout_)) > 0;
}

bool Connection::is_writable() const { return wait_fd(fd_, POLLOUT, write_timeout_) > 0; }

ssize_t Connection::read(char* out, size_t size) {
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

ssize_t Connection::write(const char* data, size_t size) {
  if (write_failed_) return -1;
  if (out_.size() + size > kMaxBuffered) {
    if (!flush()) return -1;
    if (size > kMaxBuffered) return send_all(data, size) ? static_cast<ssize_t>(size) : -1;
  }
  out_.append(data, size);
  return static_cast<ssize_t>(size);
}

bool Connection::flush() const {
  if (out_.empty()) return !write_failed_;
  const bool sent = send_all(out_.data(), out_.size());
  out_.clear();
  return sent;
}

// Sends without waiting while the socket takes the data, and waits (within the write timeout)
// only when it is full.
bool Connection::send_all(const char* data, std::size_t size) const {
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd_, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (wait_fd(fd_, POLLOUT, write_timeout_) <= 0) break;
    } else {
      break;
    }
  }
  if (sent == size) return true;
  write_failed_ = failed_ = true;
  return false;
}

void Connection::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    address_of(address, ip, port);
  }
}

void Connection::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    address_of(address, ip, port);
  }
}

ssize_t Connection::failure() const {
  failed_ = true;
  return -1;
}

ssize_t Connection::fill() {
  if (!flush()) return -1;
  // What has arrived already is taken without waiting; otherwise wait within the limits.
  const ssize_t now = receive(MSG_DONTWAIT);
  if (now >= 0) return now;
  if (errno != EAGAIN && errno != EWOULDBLOCK) return failure();
  const milliseconds left = left_until(deadline_);
  if (left.count() <= 0) return failure();
  const int ready = wait_fd(fd_, POLLIN, std::min(left, read_timeout_));
  if (ready <= 0) return failure();
  const ssize_t got = receive(0);
  return got < 0 ? failure() : got;
}

ssize_t Connection::receive(int flags) {
  for (;;) {
    const ssize_t got = ::recv(fd_, buffer_.data(), buffer_.size(), flags);
    if (got < 0 && errno == EINTR) continue;
    begin_ = 0;
    end_ = got > 0 ? static_cast<std::size_t>(got) : 0;
    return got;
  }
}

std::size_t Connection::consume_headers(std::size_t count) {
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

}  // namespace movierec::http
