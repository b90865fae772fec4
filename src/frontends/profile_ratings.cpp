#include "movierec/frontends/profile_ratings.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <ostream>

namespace movierec {
namespace {

// Each movie's latest answer.
std::map<std::int32_t, const Answer*> latest_by_movie(const Profile& profile) {
  std::map<std::int32_t, const Answer*> latest;
  for (const Answer& answer : profile.answers) {  // by seq: later ones replace earlier
    latest[answer.movie_id] = &answer;
  }
  return latest;
}

}  // namespace

std::optional<float> profile_stars(AnswerKind kind, const PipelineConfig& config) {
  double stars = 0;
  switch (kind) {
    case AnswerKind::kFavourite:
      stars = config.favourite_stars;
      break;
    case AnswerKind::kLike:
      stars = config.like_stars;
      break;
    case AnswerKind::kDislike:
      stars = config.dislike_stars;
      break;
    case AnswerKind::kSkip:
      stars = config.skip_stars;
      break;
    case AnswerKind::kWatch:
      stars = config.watch_stars;
      break;
  }
  if (stars == 0) return std::nullopt;
  return static_cast<float>(stars);
}

std::vector<Rating> profile_ratings(const Profile& profile, const PipelineConfig& config,
                                    std::int32_t user) {
  std::vector<Rating> ratings;
  for (const auto& [movie, answer] : latest_by_movie(profile)) {
    if (const auto stars = profile_stars(answer->kind, config)) {
      ratings.push_back(Rating{user, movie, *stars, answer->answered_at});
    }
  }
  return ratings;
}

std::vector<Answer> profile_watchlist(const Profile& profile) {
  std::vector<Answer> watchlist;
  for (const auto& [movie, answer] : latest_by_movie(profile)) {
    if (answer->kind == AnswerKind::kWatch) watchlist.push_back(*answer);
  }
  std::sort(watchlist.begin(), watchlist.end(),
            [](const Answer& a, const Answer& b) { return a.seq < b.seq; });
  return watchlist;
}

std::vector<ProfileRatings> read_profile_ratings(ProfileStore& store,
                                                 const PipelineConfig& config) {
  std::vector<ProfileRatings> out;
  for (const ProfileSummary& summary : store.list_profiles()) {
    // A profile deleted since the list was read is simply not there.
    if (const auto profile = store.load_profile(summary.name)) {
      out.push_back({summary.name, profile_ratings(*profile, config, 0)});
    }
  }
  return out;
}

void write_ratings_csv(std::ostream& out, const std::vector<Rating>& ratings) {
  out << "userId,movieId,rating,timestamp\n";
  char stars[32];
  for (const Rating& r : ratings) {
    // Half stars as MovieLens writes them ("4.5", "5.0"); any other value in full.
    const double value = r.rating;
    std::snprintf(stars, sizeof stars, "%.1f", value);
    if (std::strtod(stars, nullptr) != value) std::snprintf(stars, sizeof stars, "%.9g", value);
    out << r.user << ',' << r.movie << ',' << stars << ',' << r.timestamp << '\n';
  }
}

}  // namespace movierec
