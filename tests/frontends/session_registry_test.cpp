// The session registry: ids, the limit, idle expiry by a clock the test moves, and one request
// per session at a time across threads.
#include "movierec/frontends/session_registry.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "repl_fixture_model.hpp"

using namespace movierec;
using namespace movierec::test;
using namespace std::chrono_literals;

namespace {

struct Registry {
  explicit Registry(std::size_t max_sessions = 3)
      : registry({max_sessions, 10min}, [this] { return now; }) {}

  std::unique_ptr<ServedSession> session() {
    return std::make_unique<ServedSession>(model, fixture_policy(), 1);
  }
  std::string open() {
    auto lease = registry.open(session());
    REQUIRE(lease);
    return lease->id();
  }

  Model model = fixture_model();
  SessionRegistry::Clock::time_point now{};
  SessionRegistry registry;
};

}  // namespace

TEST_CASE("session ids are 128 random bits in hex, and seeds fit JavaScript's integers") {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = random_session_id();
    REQUIRE(id.size() == 32);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    ids.insert(id);
  }
  CHECK(ids.size() == 1000);
  std::set<std::uint64_t> seeds;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t seed = random_session_seed();
    CHECK(seed < (std::uint64_t{1} << 53));
    seeds.insert(seed);
  }
  CHECK(seeds.size() == 100);
}

TEST_CASE("the registry opens up to its limit, then refuses; closing makes room") {
  Registry r;
  const std::string a = r.open();
  r.open();
  r.open();
  CHECK(r.registry.full());
  CHECK_FALSE(r.registry.open(r.session()));
  {
    auto lease = r.registry.find(a);
    REQUIRE(lease);
    CHECK((*lease)->seed == 1);
    r.registry.close(*lease);
  }
  CHECK_FALSE(r.registry.find(a));
  CHECK_FALSE(r.registry.full());
  r.open();
  const auto counts = r.registry.counts();
  CHECK(counts.open == 3);
  CHECK(counts.opened == 4);
  CHECK(counts.closed == 1);
  CHECK(counts.refused == 2);  // full() said so once, open() refused once
  CHECK_FALSE(r.registry.find("not an id"));
}

TEST_CASE("sessions idle for the timeout are dropped, used ones stay") {
  Registry r;
  const std::string idle = r.open();
  const std::string used = r.open();
  r.now += 9min;
  CHECK(r.registry.find(used));
  r.now += 1min;
  CHECK(r.registry.drop_idle() == 1);
  CHECK_FALSE(r.registry.find(idle));
  CHECK(r.registry.find(used));
  CHECK(r.registry.counts().expired == 1);

  SECTION("a session in use is never dropped, however old its last use") {
    auto lease = r.registry.find(used);
    r.now += 1h;
    CHECK(r.registry.drop_idle() == 0);
  }
  SECTION("a full registry drops idle sessions to make room") {
    r.open();
    r.open();
    CHECK(r.registry.counts().open == 3);
    r.now += 11min;
    CHECK(r.registry.open(r.session()));
    CHECK(r.registry.counts().open == 1);
  }
}

TEST_CASE("one request at a time per session: a second waits for the first") {
  Registry r;
  const std::string id = r.open();
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto lease = r.registry.find(id);
        if (!lease) continue;
        ++found;
        const int now_inside = ++inside;
        int seen = most.load();
        while (now_inside > seen && !most.compare_exchange_weak(seen, now_inside)) {
        }
        ++(*lease)->shown;  // unsynchronised but for the lease: a race would lose counts
        std::this_thread::yield();
        --inside;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(most.load() == 1);
  CHECK(found.load() == 400);
  CHECK(r.registry.find(id).value()->shown == 400);
}

TEST_CASE("closing a session while another request waits for it: the waiter misses it") {
  Registry r;
  const std::string id = r.open();
  auto lease = r.registry.find(id);
  REQUIRE(lease);
  std::atomic<bool> missed{false};
  std::thread waiter([&] { missed = !r.registry.find(id).has_value(); });
  std::this_thread::sleep_for(50ms);
  r.registry.close(*lease);
  lease.reset();
  waiter.join();
  CHECK(missed.load());
}

TEST_CASE("many threads opening, using and closing sessions at once") {
  Registry r(1000);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        std::string id;
        {
          auto lease = r.registry.open(r.session());
          if (!lease) {
            ++failures;
            continue;
          }
          id = lease->id();
          (*lease)->session.add_favourite(0);
        }
        auto again = r.registry.find(id);
        if (!again || (*again)->session.favourites().size() != 1) ++failures;
        if (i % 2 == 0 && again) r.registry.close(*again);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(r.registry.counts().open == 160);
}
