#include "movierec/io/parallel.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace movierec;

TEST_CASE("parallel_for runs every index once, on any number of threads") {
  for (unsigned threads : {0u, 1u, 2u, 7u}) {
    std::vector<std::atomic<int>> runs(1000);
    parallel_for(
        runs.size(), [&](std::size_t i) { ++runs[i]; }, threads);
    for (const auto& count : runs) CHECK(count == 1);
  }
  parallel_for(0, [](std::size_t) { FAIL("no index to run"); });
}

TEST_CASE("parallel_for rethrows the first exception and stops handing out work") {
  std::atomic<std::size_t> ran{0};
  CHECK_THROWS_WITH(parallel_for(
                        100000,
                        [&](std::size_t i) {
                          ++ran;
                          if (i == 10) throw std::runtime_error("piece 10 failed");
                          // Slow pieces: the thread that throws must win the race to stop the
                          // other one even when a loaded machine pauses it mid-throw (with
                          // instant pieces the other thread could finish all 100,000 first).
                          std::this_thread::sleep_for(std::chrono::microseconds(50));
                        },
                        2),
                    "piece 10 failed");
  CHECK(ran < 100000);
}
