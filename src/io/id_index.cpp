#include "movierec/io/id_index.hpp"

#include <algorithm>

namespace movierec {
namespace {

// A table of this many slots costs at most 4 bytes a slot, small next to the collections indexed;
// beyond it (ids spread far apart) the table would be mostly empty.
constexpr std::size_t kMinTableSlots = std::size_t{1} << 20;
constexpr std::size_t kSlotsPerItem = 2;

}  // namespace

bool IdIndex::use_table(std::int32_t low, std::int32_t high, std::size_t items) {
  const auto slots = static_cast<std::size_t>(static_cast<std::int64_t>(high) - low + 1);
  if (slots > std::max(kMinTableSlots, kSlotsPerItem * items)) return false;
  offset_ = low;
  table_.assign(slots, -1);
  return true;
}

void IdIndex::number_table() {
  std::int32_t next = 0;
  for (std::size_t slot = 0; slot < table_.size(); ++slot) {
    if (table_[slot] < 0) continue;
    table_[slot] = next++;
    ids_.push_back(static_cast<std::int32_t>(offset_ + static_cast<std::int64_t>(slot)));
  }
}

void IdIndex::sort_ids() {
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
  ids_.shrink_to_fit();
}

std::size_t IdIndex::find_sorted(std::int32_t id) const {
  const auto at = std::lower_bound(ids_.begin(), ids_.end(), id);
  if (at == ids_.end() || *at != id) return kNone;
  return static_cast<std::size_t>(at - ids_.begin());
}

}  // namespace movierec
