// read_rating_share (training.hpp): one process's share of the train ratings under mpirun.
#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "movierec/io/error.hpp"
#include "movierec/train/training.hpp"

namespace movierec {
namespace {

using IdCounts = std::vector<std::pair<std::int32_t, std::int64_t>>;  // ids ascending

struct ShareCounts {
  IdCounts users, movies;
  std::int64_t nonzeros = 0;
};

// Pass 1: ratings per user (they come in runs: one look-up per run) and per movie.
ShareCounts count_share_ratings(const ProcessedFolder& processed, const std::string& file,
                                Target target) {
  std::unordered_map<std::int32_t, std::int64_t> per_user;
  std::unordered_map<std::int32_t, std::int64_t> per_movie;
  ShareCounts counts;
  read_target_blocks(processed, file, target, [&](std::span<const TargetRating> block) {
    std::int64_t* run = nullptr;
    std::int32_t run_user = 0;
    for (const TargetRating& r : block) {
      if (run == nullptr || r.user != run_user) {
        run_user = r.user;
        run = &per_user[run_user];
      }
      ++*run;
      ++per_movie[r.movie];
    }
    counts.nonzeros += static_cast<std::int64_t>(block.size());
  });
  if (counts.nonzeros == 0) {
    throw Error((processed.dir() / file).string() + ": no ratings to train on");
  }
  // Ids ascending, as the matrix orders its rows and columns.
  const auto ascending = [](const std::unordered_map<std::int32_t, std::int64_t>& map) {
    IdCounts sorted(map.begin(), map.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  };
  counts.users = ascending(per_user);
  counts.movies = ascending(per_movie);
  return counts;
}

// The ids of `counts` and the blocks of `parts` processes over them (balanced_bounds); adds the
// ratings of `part`'s block to `held`.
std::vector<Eigen::Index> share_blocks(const IdCounts& counts, int parts, int part,
                                       std::vector<std::int32_t>& ids, std::size_t& held) {
  std::vector<std::int64_t> sizes;
  for (const auto& [id, count] : counts) {
    ids.push_back(id);
    sizes.push_back(count);
  }
  std::vector<Eigen::Index> bounds = balanced_bounds(sizes, parts);
  const auto at = static_cast<std::size_t>(part);
  held += static_cast<std::size_t>(
      std::accumulate(sizes.begin() + bounds[at], sizes.begin() + bounds[at + 1], std::int64_t{0}));
  return bounds;
}

// [first id, end id) of `part`'s block; an empty block owns no id.
std::pair<std::int64_t, std::int64_t> share_id_range(const std::vector<std::int32_t>& ids,
                                                     const std::vector<Eigen::Index>& bounds,
                                                     int part) {
  const auto at = static_cast<std::size_t>(part);
  const Eigen::Index first = bounds[at];
  const Eigen::Index end = bounds[at + 1];
  if (first == end) return {0, 0};
  return {ids[static_cast<std::size_t>(first)],
          std::int64_t{ids[static_cast<std::size_t>(end) - 1]} + 1};
}

// The builder's rows and columns are the ids it met: `local` widened into `wide` to all ids'
// rows and columns, its arrays swapped in, not copied (Eigen's SparseMatrix has no move
// constructor, and a returned one could be copied).
void widen_share(RatingMatrix& local, std::vector<std::int32_t> user_ids,
                 std::vector<std::int32_t> movie_ids, RatingMatrix& wide) {
  IdMap all_users(std::move(user_ids));
  IdMap all_movies(std::move(movie_ids));
  SparseMatrix& values = local.values;
  int* inner = values.innerIndexPtr();
  std::vector<int> to_column(local.movies.size());
  for (std::size_t c = 0; c < to_column.size(); ++c) {
    to_column[c] = static_cast<int>(*all_movies.row(local.movies.id(c)));
  }
  for (Eigen::Index at = 0; at < values.nonZeros(); ++at) inner[at] = to_column[inner[at]];
  std::vector<int> outer(all_users.size() + 1, 0);
  for (std::size_t row = 0; row < local.users.size(); ++row) {
    const std::size_t global = *all_users.row(local.users.id(row));
    outer[global + 1] = values.outerIndexPtr()[row + 1] - values.outerIndexPtr()[row];
  }
  std::partial_sum(outer.begin(), outer.end(), outer.begin());
  wide.values = SparseMatrix(static_cast<Eigen::Index>(all_users.size()),
                             static_cast<Eigen::Index>(all_movies.size()));
  wide.values.data().swap(values.data());
  std::copy(outer.begin(), outer.end(), wide.values.outerIndexPtr());
  wide.users = std::move(all_users);
  wide.movies = std::move(all_movies);
}

}  // namespace

RatingShare read_rating_share(const ProcessedFolder& processed, const std::string& file,
                              Target target, int parts, int part, const ProgressSink& progress) {
  ShareCounts counts = count_share_ratings(processed, file, target);
  // At most the ratings of the part's users plus those of its movies are kept (less their
  // overlap): room reserved once, so that the builder never grows its arrays by copying.
  std::size_t expected = 0;
  std::vector<std::int32_t> user_ids;
  std::vector<std::int32_t> movie_ids;
  RatingShare share;
  share.user_bounds = share_blocks(counts.users, parts, part, user_ids, expected);
  share.movie_bounds = share_blocks(counts.movies, parts, part, movie_ids, expected);
  share.nonzeros = counts.nonzeros;
  counts = {};
  // Plain variables, not structured bindings: the lambda below captures them (clang 14 cannot
  // capture a binding).
  const std::pair<std::int64_t, std::int64_t> users =
      share_id_range(user_ids, share.user_bounds, part);
  const std::pair<std::int64_t, std::int64_t> movies =
      share_id_range(movie_ids, share.movie_bounds, part);

  // Pass 2: the part's users' and movies' ratings into a builder, the rest dropped as parsed.
  RatingMatrixBuilder builder((processed.dir() / file).string(),
                              std::min(expected, static_cast<std::size_t>(share.nonzeros)));
  read_target_blocks(
      processed, file, target,
      [&](std::span<const TargetRating> block) {
        // Each run of kept ratings added as it lies in the block: no copy.
        const auto keep = [&](const TargetRating& r) {
          return (r.user >= users.first && r.user < users.second) ||
                 (r.movie >= movies.first && r.movie < movies.second);
        };
        std::size_t at = 0;
        while (at < block.size()) {
          while (at < block.size() && !keep(block[at])) ++at;
          std::size_t end = at;
          while (end < block.size() && keep(block[end])) ++end;
          if (end > at) builder.add(block.subspan(at, end - at));
          at = end;
        }
      },
      progress);
  RatingMatrix local = builder.finish();
  widen_share(local, std::move(user_ids), std::move(movie_ids), share.matrix);
  return share;
}

}  // namespace movierec
