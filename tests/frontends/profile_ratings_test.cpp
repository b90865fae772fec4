// A stored profile as ratings (preprocess --profiles, profiles export) and as text (profiles
// show and list).
#include "movierec/frontends/profile_ratings.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "movierec/frontends/profile_text.hpp"

using namespace movierec;

namespace {

// Favourites 1 and 2; 10 liked, then disliked; 11 skipped; 12 to watch; 13 to watch, then liked.
Profile sample_profile() {
  Profile profile;
  profile.name = "ana";
  profile.created_at = 1700000000;
  std::int64_t seq = 0;
  const auto add = [&](AnswerKind kind, std::int32_t movie, int slot = 0) {
    ++seq;
    profile.answers.push_back({seq, kind, movie, 1700000000 + seq, slot});
  };
  add(AnswerKind::kFavourite, 1, 1);
  add(AnswerKind::kFavourite, 2, 2);
  add(AnswerKind::kLike, 10);
  add(AnswerKind::kSkip, 11);
  add(AnswerKind::kWatch, 12);
  add(AnswerKind::kWatch, 13);
  add(AnswerKind::kDislike, 10);
  add(AnswerKind::kLike, 13);
  return profile;
}

}  // namespace

TEST_CASE("a profile's ratings: per movie its latest answer, in the configured stars") {
  PipelineConfig config;
  const std::vector<Rating> ratings = profile_ratings(sample_profile(), config, 7);
  REQUIRE(ratings.size() == 4);
  CHECK(ratings[0].movie == 1);
  CHECK(ratings[0].rating == 5.0f);
  CHECK(ratings[0].user == 7);
  CHECK(ratings[2].movie == 10);
  CHECK(ratings[2].rating == 1.5f);  // the dislike, not the earlier like
  CHECK(ratings[2].timestamp == 1700000007);
  CHECK(ratings[3].movie == 13);
  CHECK(ratings[3].rating == 4.5f);
  config.skip_stars = 2.5;
  config.favourite_stars = 0;
  const std::vector<Rating> other = profile_ratings(sample_profile(), config, 7);
  REQUIRE(other.size() == 3);
  CHECK(other[1].movie == 11);
  CHECK(other[1].rating == 2.5f);
  CHECK_FALSE(profile_stars(AnswerKind::kWatch, PipelineConfig{}).has_value());
}

TEST_CASE("the watchlist holds the movies whose latest answer is watch") {
  const std::vector<Answer> watchlist = profile_watchlist(sample_profile());
  REQUIRE(watchlist.size() == 1);
  CHECK(watchlist[0].movie_id == 12);
}

TEST_CASE("ratings.csv as ml-latest writes it") {
  std::ostringstream out;
  write_ratings_csv(out, {{7, 1, 5.0f, 10}, {7, 3, 4.5f, 11}, {7, 4, 3.25f, 12}});
  CHECK(out.str() == "userId,movieId,rating,timestamp\n7,1,5.0,10\n7,3,4.5,11\n7,4,3.25,12\n");
}

TEST_CASE("profiles as text: the list and one profile") {
  ProfileSummary summary;
  summary.name = "ana";
  summary.last_answer_at = 1700000000;
  summary.counts = {4, 2, 1, 0, 3};
  CHECK(profiles_table({summary}) ==
        "profile  favourites  likes  dislikes  skips  watch  last answer\n"
        "ana      4           2      1         0      3      2023-11-14 22:13 UTC\n");
  CHECK(profiles_table({}) == "no profiles\n");
  MovieInfo heat;
  heat.id = 12;
  heat.title = "Heat (1995)";
  const Catalog catalog({heat});
  const std::string text = profile_text(sample_profile(), &catalog);
  CHECK_THAT(text, Catch::Contains("favourites (2 of 4):\n  1\n  2\n"));
  CHECK_THAT(text, Catch::Contains("likes (2):\n  10\n  13\n"));
  CHECK_THAT(text, Catch::Contains("watchlist (1):\n  12     Heat (1995)\n"));
  CHECK_THAT(text, Catch::Contains("counts: 2 favourites, 2 likes, 1 dislike, 1 skip, 2 to "
                                   "watch (6 answers in all)"));
}
