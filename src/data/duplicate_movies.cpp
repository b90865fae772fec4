// Movies a release lists twice, merged into one (movielens.hpp).
#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "movierec/data/movielens.hpp"

namespace movierec {
namespace {

// Union-find over movie positions, the root always the lowest id of its group.
class MovieGroups {
 public:
  explicit MovieGroups(const std::vector<Movie>& movies) : movies_(&movies), parent_(movies.size()) {
    for (std::size_t i = 0; i < parent_.size(); ++i) parent_[i] = i;
  }
  std::size_t root(std::size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  void join(std::size_t a, std::size_t b) {
    a = root(a);
    b = root(b);
    if (a == b) return;
    if ((*movies_)[b].id < (*movies_)[a].id) std::swap(a, b);
    parent_[b] = a;
  }

 private:
  const std::vector<Movie>* movies_;
  std::vector<std::size_t> parent_;
};

// IMDb ids compare as numbers: "0114709" and "114709" are one film.
std::string imdb_key(const std::string& imdb_id) {
  const std::size_t first = imdb_id.find_first_not_of('0');
  return first == std::string::npos ? "" : imdb_id.substr(first);
}

// Each duplicate id -> the id it merges into.
std::unordered_map<std::int32_t, std::int32_t> duplicate_ids(const RawDataset& data) {
  MovieGroups groups(data.movies);
  std::unordered_map<std::int32_t, std::size_t> position;
  std::map<std::pair<std::string, std::string>, std::size_t> by_title;
  for (std::size_t i = 0; i < data.movies.size(); ++i) {
    const Movie& movie = data.movies[i];
    position.emplace(movie.id, i);
    const auto [it, added] = by_title.try_emplace({movie.title, movie.genres}, i);
    if (!added) groups.join(it->second, i);
  }
  std::unordered_map<std::string, std::size_t> by_imdb;
  for (const Link& link : data.links) {
    const auto at = position.find(link.movie);
    const std::string key = imdb_key(link.imdb_id);
    if (at == position.end() || key.empty()) continue;
    const auto [it, added] = by_imdb.try_emplace(key, at->second);
    if (!added) groups.join(it->second, at->second);
  }
  std::unordered_map<std::int32_t, std::int32_t> into;
  for (std::size_t i = 0; i < data.movies.size(); ++i) {
    const std::size_t root = groups.root(i);
    if (root != i) into.emplace(data.movies[i].id, data.movies[root].id);
  }
  return into;
}

void merge_links(RawDataset& data, const std::unordered_map<std::int32_t, std::int32_t>& into) {
  std::unordered_map<std::int32_t, std::size_t> kept;  // movie -> its link's position
  std::vector<Link> links;
  for (Link& link : data.links) {
    if (const auto found = into.find(link.movie); found != into.end()) link.movie = found->second;
    const auto [it, added] = kept.try_emplace(link.movie, links.size());
    if (added) {
      links.push_back(std::move(link));
      continue;
    }
    Link& first = links[it->second];
    if (first.imdb_id.empty()) first.imdb_id = link.imdb_id;
    if (first.tmdb_id.empty()) first.tmdb_id = link.tmdb_id;
  }
  data.links = std::move(links);
}

}  // namespace

void merge_duplicate_movies(RawDataset& data) {
  const std::unordered_map<std::int32_t, std::int32_t> into = duplicate_ids(data);
  if (into.empty()) return;
  const auto moved = [&](std::int32_t& movie) {
    if (const auto found = into.find(movie); found != into.end()) movie = found->second;
  };
  for (Rating& rating : data.ratings) moved(rating.movie);
  for (Tag& tag : data.tags) moved(tag.movie);
  merge_links(data, into);
  std::erase_if(data.movies, [&](const Movie& movie) { return into.count(movie.id) != 0; });
  data.merged_movies += into.size();
}

}  // namespace movierec
