#include "movierec/train/scoring.hpp"

#include <algorithm>
#include <string>

namespace movierec {

void score_movies(const Artifacts& artifacts, const Eigen::VectorXf& user,
                  Eigen::VectorXf& scores) {
  score_movies(artifacts, user, scores,
               static_cast<std::size_t>(artifacts.movie_embeddings.rows()));
}

void score_movies(const Artifacts& artifacts, const Eigen::VectorXf& user, Eigen::VectorXf& scores,
                  std::size_t rows) {
  const auto count = std::min(static_cast<Eigen::Index>(rows), artifacts.movie_embeddings.rows());
  scores.resize(count);
  scores.noalias() = artifacts.movie_embeddings.topRows(count) * user;
}

double predict(const Artifacts& artifacts, std::size_t user_row, std::size_t movie_row) {
  const auto user = artifacts.user_embeddings.row(static_cast<Eigen::Index>(user_row));
  const auto movie = artifacts.movie_embeddings.row(static_cast<Eigen::Index>(movie_row));
  double value = user.cast<double>().dot(movie.cast<double>());
  if (artifacts.has_biases()) {
    value += artifacts.global_mean +
             double{artifacts.user_bias[static_cast<Eigen::Index>(user_row)]} +
             double{artifacts.movie_bias[static_cast<Eigen::Index>(movie_row)]};
  }
  return value;
}

bool predicts_stars(const nlohmann::json& manifest) {
  const auto text = [&](const char* key) {
    const auto at = manifest.find(key);
    return at != manifest.end() && at->is_string() ? at->get<std::string>() : std::string();
  };
  return text("target") == "rating" || text("predicts") == "stars";
}

}  // namespace movierec
