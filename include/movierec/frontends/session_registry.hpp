// The sessions a server holds for many people at once. Each session has an id of 128 random bits
// (32 lowercase hex digits), which is all a client needs to use it, so ids are unguessable and
// never reused. Thread-safe: any thread may open, find and close sessions; a session is used by
// one request at a time (a Lease holds its mutex, and a second request for it waits). Memory is
// bounded: at most max_sessions are open, and sessions unused for idle_timeout are dropped (when
// a session is opened or found, at most once per second, and whenever the registry is full).
// The model the sessions share is read-only and must outlive the registry.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "movierec/frontends/profile_session.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/session.hpp"

namespace movierec {

// What a server keeps per session: the Session and what the front end needs around it.
struct ServedSession {
  ServedSession(const Model& model, const Policy& policy, std::uint64_t session_seed)
      : session(model, policy, session_seed), seed(session_seed) {}

  Session session;
  std::uint64_t seed;                     // replays the session with the same answers
  std::size_t shown = 0;                  // recommendations shown so far
  std::optional<Recommendation> current;  // the one waiting for an answer; none when exhausted
  std::optional<ProfileRecorder> profile;  // the profile its answers are kept in, if any
};

class SessionRegistry {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::size_t max_sessions = 10000;
    Clock::duration idle_timeout = std::chrono::minutes(30);
  };

  // Counts since the registry was made, for metrics.
  struct Counts {
    std::size_t open = 0;       // sessions open now
    std::uint64_t opened = 0;   // sessions opened
    std::uint64_t closed = 0;   // sessions ended by close()
    std::uint64_t expired = 0;  // sessions dropped as idle
    std::uint64_t refused = 0;  // opens refused because max_sessions were open
  };

 private:
  struct Entry;

 public:
  // Exclusive use of one open session until the lease is destroyed; using it counts as activity
  // (at the start and at the end of the lease).
  class Lease {
   public:
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();

    ServedSession& operator*() const;
    ServedSession* operator->() const { return &**this; }
    const std::string& id() const;

   private:
    friend class SessionRegistry;
    Lease(std::shared_ptr<Entry> entry, std::unique_lock<std::mutex> lock,
          const SessionRegistry* owner);

    std::shared_ptr<Entry> entry_;
    std::unique_lock<std::mutex> lock_;
    const SessionRegistry* owner_ = nullptr;
  };

  // `clock` gives the time idle sessions are measured by (tests pass their own).
  explicit SessionRegistry(Options options, std::function<Clock::time_point()> clock = Clock::now);
  ~SessionRegistry();
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  // Opens `session` under a new id and leases it; none when max_sessions sessions are open even
  // after idle ones are dropped (the session is then discarded).
  std::optional<Lease> open(std::unique_ptr<ServedSession> session);
  // The open session with this id, waiting while another request uses it; none when no session
  // has the id (never opened, closed, or dropped as idle).
  std::optional<Lease> find(std::string_view id);
  // Ends the leased session: later finds miss it. The lease stays valid until destroyed.
  void close(Lease& lease);
  // True when max_sessions are open and none is idle: open() would refuse, and the refusal is
  // counted (a quick check before building a session).
  bool full();
  // Drops every session idle for idle_timeout or longer that no request is using; returns how
  // many.
  std::size_t drop_idle();

  Counts counts() const;
  const Options& options() const { return options_; }

 private:
  std::size_t drop_idle_locked(Clock::time_point now);
  void touch(Entry& entry) const;

  Options options_;
  std::function<Clock::time_point()> clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> sessions_;
  Clock::time_point last_sweep_;
  Counts counts_;
};

// 128 bits from the kernel's random source as 32 lowercase hex digits.
std::string random_session_id();
// A seed for a session that gives none: random, below 2^53 so that JavaScript reads it exactly.
std::uint64_t random_session_seed();

}  // namespace movierec
