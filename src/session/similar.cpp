#include "movierec/session/similar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "movierec/io/error.hpp"

namespace movierec {

std::vector<SimilarMovie> similar_movies(const Model& model, std::size_t row, std::size_t count,
                                         std::int64_t min_evidence) {
  const std::size_t movies = model.movie_count();
  if (row >= movies) {
    throw Error(fmt::format("similar_movies: row {} is not in the model ({} movies)", row, movies));
  }
  const auto& embeddings = model.artifacts().movie_embeddings;
  const std::vector<float>& squared = model.squared_norms();
  std::vector<SimilarMovie> found;
  if (squared[row] <= 0 || count == 0) return found;
  // One pass of dot products against the query, in double so that ties are ties everywhere.
  const Eigen::VectorXd query = embeddings.row(static_cast<Eigen::Index>(row)).cast<double>();
  const double query_norm = query.norm();
  found.reserve(movies);
  for (std::size_t other = 0; other < movies; ++other) {
    if (other == row || squared[other] <= 0 || !model.recommendable(other, min_evidence)) continue;
    const Eigen::VectorXd vector = embeddings.row(static_cast<Eigen::Index>(other)).cast<double>();
    found.push_back({other, query.dot(vector) / (query_norm * vector.norm())});
  }
  const auto before = [](const SimilarMovie& a, const SimilarMovie& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.row < b.row;
  };
  const std::size_t kept = std::min(count, found.size());
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(kept), found.end(),
                    before);
  found.resize(kept);
  return found;
}

}  // namespace movierec
