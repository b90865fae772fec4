// Layout detection, loading a release folder, and the clean-up that needs every file: ratings
// of movies missing from the movie list, and pairs rated more than once. The per-file readers
// are in movielens.cpp.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/data/movielens.hpp"

namespace movierec {
namespace fs = std::filesystem;

namespace {

struct LayoutFiles {
  Layout layout;
  std::string_view name;  // short, for messages
  std::vector<std::string_view> required;
};

const std::vector<LayoutFiles>& layout_files() {
  static const std::vector<LayoutFiles> kLayouts = {
      {Layout::kCsv, "csv", {"ratings.csv", "movies.csv"}},
      {Layout::kDat, "dat", {"ratings.dat", "movies.dat"}},
      {Layout::kMl100k, "ml100k", {"u.data", "u.item", "u.genre"}},
  };
  return kLayouts;
}

bool has_file(const fs::path& dir, std::string_view name) {
  std::error_code error;
  return fs::is_regular_file(dir / name, error);
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : std::string(separator)) + item;
  return text;
}

const LayoutFiles* matching_layout(const fs::path& dir) {
  for (const LayoutFiles& spec : layout_files()) {
    if (std::all_of(spec.required.begin(), spec.required.end(),
                    [&](std::string_view name) { return has_file(dir, name); })) {
      return &spec;
    }
  }
  return nullptr;
}

// Says what each layout needs, what is missing from layouts partly present, what the folder
// holds, and which subfolders hold a release (the usual mistake is passing their parent).
std::string no_release_message(const fs::path& dir) {
  std::vector<std::string> needs, partial;
  for (const LayoutFiles& spec : layout_files()) {
    std::vector<std::string> names(spec.required.begin(), spec.required.end());
    needs.push_back(describe(spec.layout) + ": " + joined(names, " + "));
    std::vector<std::string> missing;
    for (const std::string& name : names) {
      if (!has_file(dir, name)) missing.push_back(name);
    }
    if (missing.size() < names.size()) {
      partial.push_back(std::string(spec.name) + ": " + joined(missing, ", "));
    }
  }
  std::vector<std::string> found, releases;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    const bool is_folder = entry.is_directory(error);
    found.push_back(name + (is_folder ? "/" : ""));
    if (is_folder) {
      if (const LayoutFiles* layout = matching_layout(entry.path())) {
        releases.push_back(entry.path().string() + " (" + std::string(layout->name) + ")");
      }
    }
  }
  std::sort(found.begin(), found.end());
  constexpr std::size_t kMaxListed = 12;
  const std::size_t more = found.size() > kMaxListed ? found.size() - kMaxListed : 0;
  found.resize(found.size() - more);
  if (more > 0) found.push_back("and " + std::to_string(more) + " more");

  std::string message =
      "no MovieLens release found. Each layout needs these files: " + joined(needs, "; ") +
      ". Found: " + (found.empty() ? std::string("nothing (empty folder)") : joined(found, ", "));
  if (!partial.empty()) message += ". Missing for " + joined(partial, "; for ");
  if (!releases.empty()) message += ". Releases in subfolders: " + joined(releases, ", ");
  return message;
}

// Movie ids as a bitmap when they are small (they are, in every release), else a hash set:
// the membership test runs once per rating row.
class MovieIdSet {
 public:
  explicit MovieIdSet(const std::vector<Movie>& movies) {
    constexpr std::int32_t kMaxBitmapId = 1 << 26;  // an 8 MB bitmap at most
    std::int32_t max_id = 0;
    for (const Movie& movie : movies) max_id = std::max(max_id, movie.id);
    use_bitmap_ = max_id <= kMaxBitmapId;
    if (use_bitmap_) {
      bitmap_.resize(static_cast<std::size_t>(max_id) + 1);
      for (const Movie& movie : movies) bitmap_[static_cast<std::size_t>(movie.id)] = true;
    } else {
      for (const Movie& movie : movies) hashed_.insert(movie.id);
    }
  }

  bool contains(std::int32_t id) const {
    if (!use_bitmap_) return hashed_.count(id) > 0;
    const auto index = static_cast<std::size_t>(id);  // ids are positive: readers checked
    return index < bitmap_.size() && bitmap_[index];
  }

 private:
  bool use_bitmap_ = true;
  std::vector<bool> bitmap_;
  std::unordered_set<std::int32_t> hashed_;
};

void drop_unknown_movies(RawDataset& data) {
  const MovieIdSet known(data.movies);
  const std::size_t before = data.ratings.size();
  std::erase_if(data.ratings, [&](const Rating& rating) { return !known.contains(rating.movie); });
  data.dropped_unknown_movie += before - data.ratings.size();
}

// A rating as duplicate detection sorts it: movie in the high half, row in the low half, so
// sorting one user's keys puts each movie's ratings together, in file order.
std::uint64_t movie_row_key(std::int32_t movie, std::size_t row) {
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(movie)) << 32 | row;
}
std::uint32_t key_movie(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 32); }
std::size_t key_row(std::uint64_t key) { return static_cast<std::uint32_t>(key); }

// Ratings grouped by user: group g is keys [offsets[g], offsets[g + 1]). Releases that list each
// user's ratings together (all the big ones) are grouped already, and then `keys` stays empty:
// the groups are runs of rows. Otherwise the keys are copied out by user, so that the work per
// user stays in cache however the file is ordered.
struct UserGroups {
  std::vector<std::size_t> offsets;
  std::vector<std::uint64_t> keys;
};

// Numbers users 0, 1, 2, ... in order of appearance. User ids are small in every release (1 to
// the number of users), and then a table indexed by id does it; other ids go through a hash map.
class UserNumbers {
 public:
  explicit UserNumbers(const std::vector<Rating>& ratings) {
    std::int32_t max_id = 0;
    for (const Rating& rating : ratings) max_id = std::max(max_id, rating.user);
    // A table no longer than the ratings costs no more than the keys grouping makes.
    if (static_cast<std::size_t>(max_id) <= ratings.size()) {
      table_.assign(static_cast<std::size_t>(max_id) + 1, kNone);
    }
  }

  // The user's number, and whether it was new.
  std::pair<std::uint32_t, bool> number(std::int32_t user) {
    if (!table_.empty()) {
      std::uint32_t& slot = table_[static_cast<std::size_t>(user)];
      const bool is_new = slot == kNone;
      if (is_new) slot = count_++;
      return {slot, is_new};
    }
    const auto [it, is_new] = hashed_.try_emplace(user, count_);
    if (is_new) ++count_;
    return {it->second, is_new};
  }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> table_;
  std::unordered_map<std::int32_t, std::uint32_t> hashed_;
  std::uint32_t count_ = 0;
};

UserGroups group_by_user(const std::vector<Rating>& ratings) {
  UserNumbers numbers(ratings);
  std::vector<std::size_t> sizes;
  bool together = true;
  // Consecutive rows nearly always share a user, so the last lookup is remembered (user ids are
  // positive, so 0 matches nothing).
  std::int32_t last_user = 0;
  std::uint32_t last_group = 0;
  const auto group = [&](std::int32_t user) {
    if (user == last_user) return last_group;
    const auto [number, is_new] = numbers.number(user);
    if (is_new) {
      sizes.push_back(0);
    } else {
      together = false;  // the user came back after another one
    }
    last_user = user;
    last_group = number;
    return last_group;
  };
  for (const Rating& rating : ratings) ++sizes[group(rating.user)];

  UserGroups groups;
  groups.offsets.assign(sizes.size() + 1, 0);
  for (std::size_t g = 0; g < sizes.size(); ++g) {
    groups.offsets[g + 1] = groups.offsets[g] + sizes[g];
  }
  if (together) return groups;
  groups.keys.resize(ratings.size());
  std::vector<std::size_t> next(groups.offsets.begin(), groups.offsets.end() - 1);
  for (std::size_t i = 0; i < ratings.size(); ++i) {
    groups.keys[next[group(ratings[i].user)]++] = movie_row_key(ratings[i].movie, i);
  }
  return groups;
}

// Marks all but the newest rating of each movie among one user's keys (given in file order);
// ties in time go to the later row. Returns how many it marked.
std::size_t mark_older_ratings(const std::vector<Rating>& ratings, std::span<std::uint64_t> keys,
                               std::vector<bool>& dropped) {
  const auto movie_not_increasing = [](std::uint64_t a, std::uint64_t b) {
    return key_movie(a) >= key_movie(b);
  };
  if (std::adjacent_find(keys.begin(), keys.end(), movie_not_increasing) == keys.end()) return 0;
  std::sort(keys.begin(), keys.end());
  std::size_t marked = 0;
  for (std::size_t begin = 0, end = 0; begin < keys.size(); begin = end) {
    end = begin + 1;
    while (end < keys.size() && key_movie(keys[end]) == key_movie(keys[begin])) ++end;
    if (end - begin == 1) continue;
    std::size_t newest = key_row(keys[begin]);
    for (std::size_t k = begin + 1; k < end; ++k) {
      const std::size_t row = key_row(keys[k]);  // rows ascend, so >= prefers the later row
      if (ratings[row].timestamp >= ratings[newest].timestamp) newest = row;
    }
    for (std::size_t k = begin; k < end; ++k) {
      if (key_row(keys[k]) != newest) dropped[key_row(keys[k])] = true;
    }
    marked += end - begin - 1;
  }
  return marked;
}

void drop_duplicates(RawDataset& data, const std::string& ratings_file) {
  std::vector<Rating>& ratings = data.ratings;
  if (ratings.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(ratings_file, 0, "more than 4294967295 ratings are not supported");
  }
  UserGroups groups = group_by_user(ratings);
  std::vector<bool> dropped(ratings.size());
  std::vector<std::uint64_t> run;  // one user's keys when the rows are grouped already
  std::size_t marked = 0;
  for (std::size_t g = 0; g + 1 < groups.offsets.size(); ++g) {
    const std::size_t begin = groups.offsets[g];
    const std::size_t end = groups.offsets[g + 1];
    if (groups.keys.empty()) {
      run.clear();
      for (std::size_t row = begin; row < end; ++row) {
        run.push_back(movie_row_key(ratings[row].movie, row));
      }
      marked += mark_older_ratings(ratings, run, dropped);
    } else {
      marked += mark_older_ratings(ratings, {groups.keys.data() + begin, end - begin}, dropped);
    }
  }
  if (marked == 0) return;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ratings.size(); ++i) {
    if (!dropped[i]) ratings[kept++] = ratings[i];
  }
  ratings.resize(kept);
  data.dropped_duplicate += marked;
}

}  // namespace

std::string describe(Layout layout) {
  switch (layout) {
    case Layout::kCsv:
      return "csv (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m)";
    case Layout::kDat:
      return "dat (ml-1m, ml-10m)";
    case Layout::kMl100k:
      return "ml100k (ml-100k)";
  }
  return "unknown layout";
}

Layout detect_layout(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    throw InputError(dir.string(), 0,
                     fs::exists(dir, error) ? "not a folder (expected a MovieLens release folder)"
                                            : "no such folder");
  }
  if (const LayoutFiles* layout = matching_layout(dir)) return layout->layout;
  throw InputError(dir.string(), 0, no_release_message(dir));
}

RawDataset load_movielens(const fs::path& dir, const ProgressCallback& progress) {
  RawDataset data;
  data.layout = detect_layout(dir);
  std::string ratings_file;
  const auto read = [&](std::string_view name, const auto& reader) {
    const fs::path path = dir / name;
    std::ifstream in = open_input(path);
    reader(in, path.string());
    data.files.push_back(path.string());
  };
  const auto read_if_present = [&](std::string_view name, const auto& reader) {
    if (has_file(dir, name)) read(name, reader);
  };
  const auto ratings_reader = [&](auto read_ratings) {
    return [&, read_ratings](std::istream& in, const std::string& source) {
      ratings_file = source;
      read_ratings(in, source, data, progress);
    };
  };
  const auto into_data = [&](auto reader) {
    return [&, reader](std::istream& in, const std::string& source) { reader(in, source, data); };
  };

  switch (data.layout) {
    case Layout::kCsv:
      read("movies.csv", into_data(read_movies_csv));
      read("ratings.csv", ratings_reader(read_ratings_csv));
      read_if_present("links.csv", into_data(read_links_csv));
      read_if_present("tags.csv", into_data(read_tags_csv));
      break;
    case Layout::kDat:
      read("movies.dat", into_data(read_movies_dat));
      read("ratings.dat", ratings_reader(read_ratings_dat));
      read_if_present("tags.dat", into_data(read_tags_dat));
      break;
    case Layout::kMl100k: {
      std::vector<std::string> genres;
      read("u.genre", [&](std::istream& in, const std::string& source) {
        genres = read_genres_100k(in, source);
      });
      read("u.item", [&](std::istream& in, const std::string& source) {
        read_movies_100k(in, source, genres, data);
      });
      read("u.data", ratings_reader(read_ratings_100k));
      break;
    }
  }
  merge_duplicate_movies(data);
  drop_unknown_movies(data);
  drop_duplicates(data, ratings_file);
  return data;
}

}  // namespace movierec
