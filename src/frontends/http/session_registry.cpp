#include "movierec/frontends/session_registry.hpp"

#include <sys/random.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <random>
#include <utility>

namespace movierec {

struct SessionRegistry::Entry {
  explicit Entry(std::string id_, std::unique_ptr<ServedSession> session_)
      : id(std::move(id_)), session(std::move(session_)) {}

  const std::string id;
  std::mutex mutex;  // held by the one Lease using the session
  std::unique_ptr<ServedSession> session;
  bool closed = false;                   // guarded by mutex: a find that waited misses it
  std::atomic<Clock::rep> last_used{0};  // read by drop_idle without the mutex
};

namespace {

constexpr auto kSweepInterval = std::chrono::seconds(1);

void random_bytes(unsigned char* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = getrandom(out + done, size - done, 0);
    if (got > 0) {
      done += static_cast<std::size_t>(got);
    } else if (got < 0 && errno != EINTR) {
      // No getrandom (very old kernels): std::random_device reads the same kernel source.
      std::random_device device;
      for (; done < size; ++done) out[done] = static_cast<unsigned char>(device());
    }
  }
}

}  // namespace

std::string random_session_id() {
  std::array<unsigned char, 16> bytes{};
  random_bytes(bytes.data(), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(bytes.size() * 2);
  for (const unsigned char byte : bytes) {
    id += kHex[byte >> 4];
    id += kHex[byte & 0xF];
  }
  return id;
}

std::uint64_t random_session_seed() {
  std::array<unsigned char, 8> bytes{};
  random_bytes(bytes.data(), bytes.size());
  std::uint64_t seed = 0;
  for (const unsigned char byte : bytes) seed = (seed << 8) | byte;
  return seed & ((std::uint64_t{1} << 53) - 1);
}

SessionRegistry::Lease::Lease(std::shared_ptr<Entry> entry, std::unique_lock<std::mutex> lock,
                              const SessionRegistry* owner)
    : entry_(std::move(entry)), lock_(std::move(lock)), owner_(owner) {}

SessionRegistry::Lease::~Lease() {
  if (entry_ && owner_ != nullptr) owner_->touch(*entry_);
}

ServedSession& SessionRegistry::Lease::operator*() const { return *entry_->session; }

const std::string& SessionRegistry::Lease::id() const { return entry_->id; }

SessionRegistry::SessionRegistry(Options options, std::function<Clock::time_point()> clock)
    : options_(options), clock_(std::move(clock)), last_sweep_(clock_()) {}

SessionRegistry::~SessionRegistry() = default;

void SessionRegistry::touch(Entry& entry) const {
  entry.last_used.store(clock_().time_since_epoch().count(), std::memory_order_relaxed);
}

std::optional<SessionRegistry::Lease> SessionRegistry::open(
    std::unique_ptr<ServedSession> session) {
  auto entry = std::make_shared<Entry>(random_session_id(), std::move(session));
  touch(*entry);
  std::unique_lock<std::mutex> entry_lock(entry->mutex);
  const std::lock_guard<std::mutex> lock(mutex_);
  const Clock::time_point now = clock_();
  if (sessions_.size() >= options_.max_sessions || now - last_sweep_ >= kSweepInterval) {
    drop_idle_locked(now);
  }
  if (sessions_.size() >= options_.max_sessions) {
    ++counts_.refused;
    return std::nullopt;
  }
  // 128 random bits do not collide in practice; a repeat would only be refused, never shared.
  if (!sessions_.emplace(entry->id, entry).second) return std::nullopt;
  ++counts_.opened;
  return Lease(std::move(entry), std::move(entry_lock), this);
}

std::optional<SessionRegistry::Lease> SessionRegistry::find(std::string_view id) {
  std::shared_ptr<Entry> entry;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    const Clock::time_point now = clock_();
    if (now - last_sweep_ >= kSweepInterval) drop_idle_locked(now);
    const auto found = sessions_.find(std::string(id));
    if (found == sessions_.end()) return std::nullopt;
    entry = found->second;
    touch(*entry);  // before the lock is released, so that no sweep takes it as idle meanwhile
  }
  std::unique_lock<std::mutex> entry_lock(entry->mutex);
  if (entry->closed) return std::nullopt;
  return Lease(std::move(entry), std::move(entry_lock), this);
}

void SessionRegistry::close(Lease& lease) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (lease.entry_->closed) return;
  lease.entry_->closed = true;
  sessions_.erase(lease.entry_->id);
  ++counts_.closed;
}

bool SessionRegistry::full() {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (sessions_.size() < options_.max_sessions) return false;
  drop_idle_locked(clock_());
  if (sessions_.size() < options_.max_sessions) return false;
  ++counts_.refused;
  return true;
}

std::size_t SessionRegistry::drop_idle() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return drop_idle_locked(clock_());
}

std::size_t SessionRegistry::drop_idle_locked(Clock::time_point now) {
  last_sweep_ = now;
  const Clock::rep oldest = (now - options_.idle_timeout).time_since_epoch().count();
  std::size_t dropped = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const std::shared_ptr<Entry> entry_alive = it->second;  // outlives the lock below
    Entry& entry = *entry_alive;
    // A session in use (its mutex held, or about to be) is not idle, whatever its time says.
    std::unique_lock<std::mutex> entry_lock(entry.mutex, std::try_to_lock);
    if (entry_lock.owns_lock() && entry.last_used.load(std::memory_order_relaxed) <= oldest) {
      entry.closed = true;
      it = sessions_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  counts_.expired += dropped;
  return dropped;
}

SessionRegistry::Counts SessionRegistry::counts() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  Counts counts = counts_;
  counts.open = sessions_.size();
  return counts;
}

}  // namespace movierec
