// Profiles for people to read: the table `profiles list` prints and the page `profiles show`
// prints (favourites, likes, dislikes, skips, watchlist and counts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "movierec/data/catalog.hpp"
#include "movierec/store/profile_store.hpp"

namespace movierec {

// Unix seconds as "2025-01-02 10:11 UTC".
std::string utc_minute_text(std::int64_t seconds);

// One line per profile under a header: name, counts per kind of answer, last answer's time.
// "no profiles" for an empty list.
std::string profiles_table(const std::vector<ProfileSummary>& profiles);

// The profile's favourites by slot, then its likes, dislikes and skips in the order given, its
// watchlist (profile_watchlist) and the counts. Movies are shown by id, followed by the title
// when `catalog` (may be null) knows them.
std::string profile_text(const Profile& profile, const Catalog* catalog);

}  // namespace movierec
