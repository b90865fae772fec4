#include "movierec/session/session.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include "movierec/io/error.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

// Every recommendation until exhaustion, answering each with `answer`.
std::vector<std::size_t> drain(Session& session, Feedback answer = Feedback::kSkip) {
  std::vector<std::size_t> rows;
  while (const auto recommendation = session.next()) {
    rows.push_back(recommendation->row);
    session.feedback(answer);
  }
  return rows;
}

SessionError::Problem problem_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const SessionError& e) {
    return e.problem();
  }
  FAIL("no SessionError");
  return SessionError::Problem::kUnknownMovie;
}

}  // namespace

TEST_CASE("four favourites start the session: mean vector, seen, genre profile") {
  const Model model = small_model();
  Session session(model, plain_policy(), 1);
  CHECK(session.state() == SessionState::kCollectingFavourites);
  for (std::size_t row = 0; row < 3; ++row) session.add_favourite(row);
  CHECK(session.state() == SessionState::kCollectingFavourites);
  CHECK(session.user_vector().size() == 0);
  session.add_favourite(3);
  CHECK(session.state() == SessionState::kRecommending);
  REQUIRE(session.user_vector().size() == 2);
  CHECK(session.user_vector()[0] == Approx(0.625).margin(kTolerance));
  CHECK(session.user_vector()[1] == Approx(0.5).margin(kTolerance));
  CHECK(session.genre_profile() == std::vector<double>{0.4, 0.4, 0.2, 0.0});
  CHECK(session.seen_count() == 4);
  for (std::size_t row = 0; row < 10; ++row) CHECK(session.seen(row) == (row < 4));
  CHECK(session.favourites() == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(session.candidates_left() == 6);
}

TEST_CASE("favourite and feedback errors") {
  const Model model = small_model();
  Session session(model, plain_policy(), 1);
  using P = SessionError::Problem;
  CHECK(problem_of([&] { session.next(); }) == P::kNotStarted);
  CHECK(problem_of([&] { session.feedback(Feedback::kLike); }) == P::kNoRecommendation);
  CHECK(problem_of([&] { session.explain(); }) == P::kNoRecommendation);
  CHECK(problem_of([&] { session.add_favourite(10); }) == P::kUnknownMovie);
  session.add_favourite(2);
  CHECK(problem_of([&] { session.add_favourite(2); }) == P::kDuplicateFavourite);
  CHECK_THROWS_WITH(session.add_favourite(2), "'Movie 2' is already a favourite");
  CHECK_THROWS_WITH(session.add_favourite(99),
                    "movie row 99 is not in the model (it has 10 movies)");
  session.add_favourite(0);
  session.add_favourite(1);
  session.add_favourite(3);
  CHECK(problem_of([&] { session.add_favourite(5); }) == P::kTooManyFavourites);
  CHECK(session.favourites().size() == 4);
  CHECK_FALSE(session.seen(5));
  // Started, but no recommendation asked for yet.
  CHECK(problem_of([&] { session.feedback(Feedback::kSkip); }) == P::kNoRecommendation);
  CHECK(session.next().has_value());
  session.feedback(Feedback::kSkip);
  CHECK(problem_of([&] { session.feedback(Feedback::kSkip); }) == P::kNoRecommendation);
}

TEST_CASE("like and dislike move the user vector by the seed's formula") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.learning_rate = 0.5;
  policy.negative_weight = 2;
  Session session = started(model, policy);
  // Model scores 4: 0.625, 7: 0.6, 8: 0.575, 6: 0.5625, 5: 0.5, 9: -1.125.
  auto recommendation = session.next();
  REQUIRE(recommendation);
  CHECK(recommendation->row == 4);
  CHECK(session.next()->row == 4);  // the same until answered
  session.feedback(Feedback::kLike);
  // u = 0.5 (0.625, 0.5) + 0.5 (1, 0) = (0.8125, 0.25)
  CHECK(session.user_vector()[0] == Approx(0.8125).margin(kTolerance));
  CHECK(session.user_vector()[1] == Approx(0.25).margin(kTolerance));
  // Now 7: 0.7, 6: 0.53125, 8: 0.3875, 5: 0.25, 9: -1.0625.
  recommendation = session.next();
  REQUIRE(recommendation);
  CHECK(recommendation->row == 7);
  CHECK(recommendation->parts.model_score == Approx(0.7).margin(kTolerance));
  session.feedback(Feedback::kDislike);
  // u = 0.5 (0.8125, 0.25) - 0.5 * 2 * (0.8, 0.2) = (-0.39375, -0.075)
  CHECK(session.user_vector()[0] == Approx(-0.39375).margin(kTolerance));
  CHECK(session.user_vector()[1] == Approx(-0.075).margin(kTolerance));
  // Now 9: 0.46875, 5: -0.075, 8: -0.14625, 6: -0.234375.
  CHECK(session.next()->row == 9);
  CHECK(session.counts().likes == 1);
  CHECK(session.counts().dislikes == 1);
  CHECK(session.liked() == std::vector<std::size_t>{4});
  CHECK(session.disliked() == std::vector<std::size_t>{7});
}

TEST_CASE("with online learning off, answers are recorded but never move the user vector") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.learning_rate = 0.5;
  policy.online_learning = false;
  Session session = started(model, policy);
  const Eigen::VectorXd before = session.user_vector();
  REQUIRE(session.next()->row == 4);
  session.feedback(Feedback::kLike);
  CHECK(session.user_vector() == before);
  // Unmoved, the ranking continues as it began: 7 (0.6), then 8 (0.575).
  REQUIRE(session.next()->row == 7);
  session.feedback(Feedback::kDislike);
  CHECK(session.user_vector() == before);
  CHECK(session.next()->row == 8);
  CHECK(session.counts().likes == 1);
  CHECK(session.counts().dislikes == 1);
  CHECK(session.liked() == std::vector<std::size_t>{4});
  CHECK(session.seen(4));
  CHECK(session.seen(7));
}

TEST_CASE("skip changes nothing but marks the movie seen") {
  const Model model = small_model();
  Session session = started(model, plain_policy());
  const Eigen::VectorXd before = session.user_vector();
  REQUIRE(session.next()->row == 4);
  session.feedback(Feedback::kSkip);
  CHECK(session.user_vector() == before);
  CHECK(session.seen(4));
  CHECK(session.seen_count() == 5);
  CHECK(session.candidates_left() == 5);
  CHECK(session.counts().skips == 1);
  CHECK(session.liked().empty());
  REQUIRE(session.history().size() == 1);
  CHECK(session.history()[0].row == 4);
  CHECK(session.history()[0].feedback == Feedback::kSkip);
  CHECK(session.next()->row == 7);  // the next best, 4 never again
}

TEST_CASE("exhaustion: next returns none once every candidate is seen") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.learning_rate = 0;
  Session session = started(model, policy);
  CHECK(drain(session) == std::vector<std::size_t>{4, 7, 8, 6, 5, 9});
  CHECK(session.state() == SessionState::kExhausted);
  CHECK_FALSE(session.next().has_value());
  CHECK(session.candidates_left() == 0);
  CHECK(problem_of([&] { session.feedback(Feedback::kLike); }) ==
        SessionError::Problem::kNoRecommendation);
  // A filter that lets nothing through exhausts the session at once.
  policy.min_genre_affinity = 0.9;
  Session empty = started(model, policy);
  CHECK(empty.state() == SessionState::kExhausted);
  CHECK_FALSE(empty.next().has_value());
}

TEST_CASE("the genre filters exclude what they should") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.learning_rate = 0;
  SECTION("min_genre_affinity drops the Horror movie (affinity 0)") {
    policy.min_genre_affinity = 0.1;
    Session session = started(model, policy);
    CHECK(session.candidates_left() == 5);
    CHECK(drain(session) == std::vector<std::size_t>{4, 7, 8, 6, 9});
  }
  SECTION("min_genre_affinity is inclusive") {
    policy.min_genre_affinity = 0.4;  // keeps 4, 7, 8, 9 (0.4, 0.8, 0.6, 0.4), drops 5 and 6
    Session session = started(model, policy);
    CHECK(drain(session) == std::vector<std::size_t>{4, 7, 8, 9});
  }
  SECTION("max_genre_distance keeps only movies close in genre") {
    policy.max_genre_distance = 0.5;  // affinity >= 0.5: 7 (0.8) and 8 (0.6)
    Session session = started(model, policy);
    CHECK(session.candidates_left() == 2);
    CHECK(drain(session) == std::vector<std::size_t>{7, 8});
  }
}

TEST_CASE("equal scores go to the lower row") {
  ModelParts parts = small_parts();
  parts.artifacts.movie_embeddings.row(9) = parts.artifacts.movie_embeddings.row(4);
  const Model model = Model::build(std::move(parts));
  Policy policy = plain_policy();
  policy.learning_rate = 0;
  Session session = started(model, policy);
  CHECK(drain(session) == std::vector<std::size_t>{4, 9, 7, 8, 6, 5});
}

TEST_CASE("the genre distance penalty reorders by hand-computed scores") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.learning_rate = 0;
  policy.genre_distance_penalty = 0.5;
  // 4: 0.625-0.3 = 0.325, 5: 0.5-0.5 = 0, 6: 0.5625-0.4 = 0.1625, 7: 0.6-0.1 = 0.5,
  // 8: 0.575-0.2 = 0.375, 9: -1.125-0.3 = -1.425
  Session session = started(model, policy);
  const auto first = session.next();
  CHECK(first->parts.genre_distance == Approx(-0.1).margin(kTolerance));
  CHECK(first->parts.total == Approx(0.5).margin(kTolerance));
  CHECK(drain(session) == std::vector<std::size_t>{7, 8, 4, 6, 5, 9});
}

TEST_CASE("the popularity penalty reorders by hand-computed scores") {
  std::vector<std::int64_t> popularity(10, 0);
  popularity[4] = 100;  // the most popular: loses the whole penalty
  popularity[7] = 10;
  const Model model = small_model(popularity);
  Policy policy = plain_policy();
  policy.learning_rate = 0;
  policy.popularity_penalty = 0.1;
  // 4: 0.625-0.1 = 0.525, 7: 0.6-0.01 = 0.59, 8: 0.575, 6: 0.5625, 5: 0.5, 9: -1.125
  Session session = started(model, policy);
  const auto first = session.next();
  REQUIRE(first->row == 7);
  CHECK(first->parts.popularity == Approx(-0.01).margin(kTolerance));
  CHECK(first->parts.total == Approx(0.59).margin(kTolerance));
  CHECK(drain(session) == std::vector<std::size_t>{7, 8, 6, 4, 5, 9});
}

TEST_CASE("the diversity boost lifts genre-adjacent, non-obvious movies only") {
  const Model model = small_model();
  Policy policy = plain_policy();
  policy.learning_rate = 0;
  policy.diversity_boost = 0.1;
  policy.diversity_max_affinity = 0.3;
  // Only 6 (affinity 0.2) is boosted: 0.6625. 5 (affinity 0) is not adjacent; 4 and 9 (0.4)
  // are past the band.
  Session session = started(model, policy);
  const auto first = session.next();
  REQUIRE(first->row == 6);
  CHECK(first->parts.diversity == 0.1);
  CHECK(first->parts.total == Approx(0.6625).margin(kTolerance));
  CHECK(drain(session) == std::vector<std::size_t>{6, 4, 7, 8, 5, 9});
  // The band's upper end is inclusive: 0.4 boosts 4 and 9 as well (4: 0.725 beats 6: 0.6625).
  policy.diversity_max_affinity = 0.4;
  Session wider = started(model, policy);
  CHECK(drain(wider) == std::vector<std::size_t>{4, 6, 7, 8, 5, 9});
}

TEST_CASE("explain: parts sum to the total and the nearest liked or favourite movies") {
  const Model model = small_model({0, 0, 0, 0, 50, 20, 0, 100, 70, 10});
  Policy policy = plain_policy();
  policy.genre_distance_penalty = 0.2;
  policy.popularity_penalty = 0.3;
  policy.diversity_boost = 0.05;
  policy.exploration_rate = 1;  // every score dampened, so that part is not 0 either
  policy.exploration_damping = 0.5;
  Session session = started(model, policy);
  REQUIRE(session.next());
  const std::size_t liked = session.next()->row;
  session.feedback(Feedback::kLike);
  const auto recommendation = session.next();
  REQUIRE(recommendation);
  const Explanation explanation = session.explain();
  CHECK(explanation.row == recommendation->row);
  const ScoreParts& parts = explanation.parts;
  CHECK(parts.total == recommendation->parts.total);
  CHECK(parts.model + parts.genre_distance + parts.popularity + parts.diversity +
            parts.exploration ==
        Approx(parts.total).margin(1e-12));
  CHECK(parts.exploration == Approx(-0.5 * (parts.total - parts.exploration)).margin(1e-12));
  CHECK(parts.exploration < 0);
  CHECK(parts.popularity < 0);
  CHECK(parts.genre_distance < 0);
  // Cosine similarities to the recommendation, computed here.
  const auto& embeddings = model.artifacts().movie_embeddings;
  const auto cosine = [&](std::size_t a, std::size_t b) {
    const Eigen::VectorXd x = embeddings.row(a).cast<double>();
    const Eigen::VectorXd y = embeddings.row(b).cast<double>();
    return x.dot(y) / (x.norm() * y.norm());
  };
  std::vector<std::pair<double, std::size_t>> expected;
  for (const std::size_t row :
       {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, liked}) {
    expected.emplace_back(-cosine(explanation.row, row), row);
  }
  std::sort(expected.begin(), expected.end());
  REQUIRE(explanation.nearest.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(explanation.nearest[i].similarity == Approx(-expected[i].first).margin(1e-6));
    CHECK(explanation.nearest[i].row == expected[i].second);
    CHECK(explanation.nearest[i].favourite == (expected[i].second != liked));
  }
  // explain() does not consume the recommendation.
  CHECK(session.next()->row == explanation.row);
}

TEST_CASE("explain names the liked movie when it is nearest") {
  const Model model = small_model();
  Policy policy = plain_policy();
  Session session = started(model, policy);
  session.next();
  session.feedback(Feedback::kLike);  // 4 = (1, 0)
  REQUIRE(session.next()->row == 7);  // (0.8, 0.2)
  const Explanation explanation = session.explain();
  // (1, 0) favourite 0, (0.5, 0) favourite 3 and (1, 0) liked 4 tie at 0.970; ties go by row.
  REQUIRE(explanation.nearest.size() == 3);
  CHECK(explanation.nearest[0].row == 0);
  CHECK(explanation.nearest[1].row == 3);
  CHECK(explanation.nearest[2].row == 4);
  CHECK_FALSE(explanation.nearest[2].favourite);
  CHECK(explanation.nearest[2].similarity == Approx(0.8 / std::sqrt(0.68)).margin(1e-6));
}

TEST_CASE("a session refuses a bad policy") {
  const Model model = small_model();
  Policy policy;
  policy.learning_rate = std::nan("");
  CHECK_THROWS_AS(Session(model, policy, 1), ConfigError);
  policy = Policy{};
  policy.exploration = static_cast<Exploration>(7);  // only a cast makes an unknown rule
  CHECK_THROWS_WITH(Session(model, policy, 1),
                    "policy: key 'exploration': is not a known rule (value 7)");
  policy = Policy{};
  policy.ls_regularization = 0;
  CHECK_THROWS_WITH(Session(model, policy, 1),
                    "policy: key 'ls_regularization': must be a number from 1e-06 to 1000000, got 0");
}

TEST_CASE("IMAX is a screen format, not a genre: it has no weight in the genre profile") {
  // Four favourites: two Action, one Action + IMAX, one Drama; then an IMAX-only movie.
  const Model model = make_model({{1, 0}, {1, 0.1f}, {0.9f, 0}, {0, 1}, {0.5f, 0.5f}, {0.4f, 0.6f}},
                                 {{0}, {0}, {0, 1}, {2}, {1}, {2}}, {10, 10, 10, 10, 10, 10},
                                 {"Action", "IMAX", "Drama"});
  CHECK(is_screen_format("IMAX"));
  CHECK_FALSE(is_screen_format("Action"));
  const Session session = started(model, plain_policy());
  // The model sorts genre names: Action, Drama, IMAX.
  CHECK(session.genre_profile() == std::vector<double>{0.75, 0.25, 0.0});
  // The IMAX-only movie has no affinity; a Drama has Drama's weight.
  Session picking = started(model, plain_policy());
  std::vector<double> affinities(model.movie_count(), -1);
  while (const auto rec = picking.next()) {
    affinities[rec->row] = rec->parts.genre_affinity;
    picking.feedback(Feedback::kSkip);
  }
  CHECK(affinities[4] == 0.0);
  CHECK(affinities[5] == Approx(0.25));
}

TEST_CASE(
    "a movie outside the trained catalog can be a favourite, and is recommended only "
    "with min_evidence train ratings") {
  ModelParts parts = small_parts();
  std::vector<MovieInfo> movies = parts.catalog.movies();
  MovieInfo outside = movies.front();
  outside.id = 1000;
  outside.title = "Outside (2001)";
  movies.push_back(outside);
  parts.catalog = Catalog(std::move(movies));
  parts.artifacts.outside_embeddings = RowMatrixXf{{3, 3}};  // it would score highest of all
  parts.artifacts.outside_map = IdMap({1000});
  parts.artifacts.outside_ratings = Eigen::VectorXf::Constant(1, 5);
  const Model model = Model::build(std::move(parts));
  REQUIRE(model.movie_count() == 11);
  CHECK(model.trained_movie_count() == 10);
  CHECK(model.popularity()[10] == 5);
  CHECK(model.recommendable_count(Policy().min_evidence) == 10);
  CHECK(model.recommendable_count(5) == 11);

  Policy policy = plain_policy();
  {
    Session session(model, policy, 1);
    for (std::size_t row = 0; row < 4; ++row) session.add_favourite(row);
    CHECK(session.next()->row == 4);  // the best trained candidate
    CHECK(session.candidates_left() == 6);
  }
  policy.min_evidence = 5;
  {
    Session session(model, policy, 1);
    for (std::size_t row = 0; row < 4; ++row) session.add_favourite(row);
    CHECK(session.next()->row == 10);
  }
  Session session(model, plain_policy(), 1);
  for (const std::size_t row : {10, 1, 2, 3}) session.add_favourite(row);
  // The start vector is the mean of the four, the outside one included: (1.125, 1.25).
  CHECK(session.user_vector()[0] == Approx(1.125));
  CHECK(session.user_vector()[1] == Approx(1.25));
  CHECK(session.next()->row != 10);
}
