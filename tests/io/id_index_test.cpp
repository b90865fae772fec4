#include "movierec/io/id_index.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <vector>

using namespace movierec;

namespace {
IdIndex index_of(const std::vector<std::int32_t>& ids) {
  return IdIndex(ids, [](std::int32_t id) { return id; });
}
}  // namespace

TEST_CASE("IdIndex numbers distinct ids in increasing order") {
  // Close ids use the table; ids far apart the sorted list. Both must behave the same.
  const std::vector<std::vector<std::int32_t>> cases = {
      {7, 3, 7, 5, -2, 3}, {2000000000, 3, 2000000000, 5, -2000000000, 3}};
  for (const auto& ids : cases) {
    const IdIndex index = index_of(ids);
    REQUIRE(index.size() == 4);
    CHECK(index.ids() == std::vector<std::int32_t>{ids[4], 3, 5, ids[0]});
    for (std::size_t i = 0; i < index.size(); ++i) CHECK(index.find(index.id(i)) == i);
    CHECK(index.find(4) == IdIndex::kNone);
    CHECK(index.find(std::numeric_limits<std::int32_t>::max()) == IdIndex::kNone);
    CHECK(index.find(std::numeric_limits<std::int32_t>::min()) == IdIndex::kNone);
  }
}

TEST_CASE("IdIndex of nothing finds nothing") {
  const IdIndex index = index_of({});
  CHECK(index.size() == 0);
  CHECK(index.find(0) == IdIndex::kNone);
  CHECK(IdIndex().find(1) == IdIndex::kNone);
}
