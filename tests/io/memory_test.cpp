#include "movierec/io/memory.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>
#include <vector>

using namespace movierec;

// The advice never changes what the memory holds, whatever the range: before the first write
// (as callers use it), after it, cut anywhere, under one huge page, or empty.
TEST_CASE("prefer_huge_pages leaves the memory as it was, on any range") {
  std::vector<std::uint32_t> values;
  values.reserve(std::size_t{3} << 20);  // 12 MB: several whole 2 MB pages inside
  prefer_huge_pages(values.data(), values.capacity() * sizeof(std::uint32_t));
  values.resize(values.capacity());
  std::iota(values.begin(), values.end(), 7u);
  prefer_huge_pages(values.data() + 1, 4096 * 513 + 3);  // unaligned ends, past a huge page
  prefer_huge_pages(values.data() + 5, 100);             // under one huge page
  prefer_huge_pages(values.data(), 0);
  prefer_huge_pages(nullptr, 0);
  for (std::size_t i = 0; i < values.size(); i += 4099) {
    REQUIRE(values[i] == 7u + static_cast<std::uint32_t>(i));
  }
  CHECK(values.back() == 7u + static_cast<std::uint32_t>(values.size() - 1));
}
