#include "movierec/frontends/profile_text.hpp"

#include <algorithm>
#include <ctime>

#include "movierec/frontends/profile_ratings.hpp"

namespace movierec {
namespace {

// "  318  Shawshank Redemption, The (1994)", or the id alone.
std::string movie_line(std::int32_t movie, const Catalog* catalog) {
  std::string line = "  " + std::to_string(movie);
  const MovieInfo* info = catalog != nullptr ? catalog->find(movie) : nullptr;
  if (info != nullptr)
    line += std::string(std::max<std::size_t>(2, 9 - line.size()), ' ') + info->title;
  return line + "\n";
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string plural(std::size_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

}  // namespace

std::string utc_minute_text(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  char text[32] = "?";
  if (gmtime_r(&time, &parts) != nullptr) {
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &parts);
  }
  return text;
}

std::string profiles_table(const std::vector<ProfileSummary>& profiles) {
  if (profiles.empty()) return "no profiles\n";
  std::size_t width = 9;  // "profile" and two spaces
  for (const ProfileSummary& p : profiles) width = std::max(width, p.name.size() + 2);
  std::string text =
      padded("profile", width) + "favourites  likes  dislikes  skips  watch  last answer\n";
  for (const ProfileSummary& p : profiles) {
    text += padded(p.name, width);
    const std::size_t widths[] = {12, 7, 10, 7, 7};
    for (std::size_t k = 0; k < kAnswerKinds; ++k) {
      text += padded(std::to_string(p.counts[k]), widths[k]);
    }
    text += utc_minute_text(p.last_answer_at) + "\n";
  }
  return text;
}

std::string profile_text(const Profile& profile, const Catalog* catalog) {
  std::string text = profile.name + " (since " + utc_minute_text(profile.created_at) + ")\n";
  const auto favourites = profile.favourites();
  const auto filled = static_cast<std::size_t>(std::count_if(
      favourites.begin(), favourites.end(), [](const auto& slot) { return slot.has_value(); }));
  text +=
      "favourites (" + std::to_string(filled) + " of " + std::to_string(kFavouriteSlots) + "):\n";
  for (const auto& slot : favourites) {
    if (slot) text += movie_line(slot->movie_id, catalog);
  }
  const std::pair<AnswerKind, const char*> sections[] = {{AnswerKind::kLike, "likes"},
                                                         {AnswerKind::kDislike, "dislikes"},
                                                         {AnswerKind::kSkip, "skips"}};
  for (const auto& [kind, title] : sections) {
    text += std::string(title) + " (" + std::to_string(profile.count(kind)) + "):\n";
    for (const Answer& answer : profile.answers) {
      if (answer.kind == kind) text += movie_line(answer.movie_id, catalog);
    }
  }
  const std::vector<Answer> watchlist = profile_watchlist(profile);
  text += "watchlist (" + std::to_string(watchlist.size()) + "):\n";
  for (const Answer& answer : watchlist) text += movie_line(answer.movie_id, catalog);
  const std::size_t answers = profile.answers.size() - profile.count(AnswerKind::kFavourite);
  text += "counts: " + plural(filled, "favourite", "favourites") + ", " +
          plural(profile.count(AnswerKind::kLike), "like", "likes") + ", " +
          plural(profile.count(AnswerKind::kDislike), "dislike", "dislikes") + ", " +
          plural(profile.count(AnswerKind::kSkip), "skip", "skips") + ", " +
          std::to_string(profile.count(AnswerKind::kWatch)) + " to watch (" +
          plural(answers, "answer", "answers") + " in all)\n";
  return text;
}

}  // namespace movierec
