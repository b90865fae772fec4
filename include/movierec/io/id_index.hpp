// Dense indexes for MovieLens ids: the distinct ids of a collection, numbered 0..n-1 in
// increasing id order. The pipeline counts and looks up per user and per movie tens of millions
// of times; a table indexed by id does that in one memory access where a hash map needs several.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <vector>

namespace movierec {

class IdIndex {
 public:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  IdIndex() = default;

  // The distinct values of get_id(item) over `items` (any order, repeats allowed).
  template <typename Items, typename GetId>
  IdIndex(const Items& items, GetId get_id) {
    if (std::empty(items)) return;
    std::int32_t low = std::numeric_limits<std::int32_t>::max();
    std::int32_t high = std::numeric_limits<std::int32_t>::min();
    for (const auto& item : items) {
      const std::int32_t id = get_id(item);
      if (id < low) low = id;
      if (id > high) high = id;
    }
    if (use_table(low, high, std::size(items))) {
      for (const auto& item : items) table_[static_cast<std::size_t>(get_id(item) - low)] = 0;
      number_table();
    } else {
      ids_.reserve(std::size(items));
      for (const auto& item : items) ids_.push_back(get_id(item));
      sort_ids();
    }
  }

  std::size_t size() const { return ids_.size(); }
  // The ids in increasing order; index i holds ids()[i].
  const std::vector<std::int32_t>& ids() const { return ids_; }
  std::int32_t id(std::size_t index) const { return ids_[index]; }

  // The index of `id`, or kNone when it is not in the collection.
  std::size_t find(std::int32_t id) const {
    if (!table_.empty()) {
      const std::int64_t slot = static_cast<std::int64_t>(id) - offset_;
      if (slot < 0 || slot >= static_cast<std::int64_t>(table_.size())) return kNone;
      const std::int32_t index = table_[static_cast<std::size_t>(slot)];
      return index < 0 ? kNone : static_cast<std::size_t>(index);
    }
    return find_sorted(id);
  }

 private:
  // Chooses the id-indexed table when the id range is not much larger than the collection
  // (always so for MovieLens); otherwise a sorted list searched by bisection.
  bool use_table(std::int32_t low, std::int32_t high, std::size_t items);
  void number_table();
  void sort_ids();
  std::size_t find_sorted(std::int32_t id) const;

  std::int64_t offset_ = 0;          // id of table_[0]
  std::vector<std::int32_t> table_;  // index per id - offset_, -1 when absent
  std::vector<std::int32_t> ids_;
};

}  // namespace movierec
