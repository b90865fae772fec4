// A session as a function of its start and its answers: answering any movie (resuming a stored
// profile), undo, replacing a favourite, watching, and starting from a known user's vector.
#include <catch2/catch.hpp>

#include "movierec/session/session.hpp"
#include "session_models.hpp"

using namespace movierec;
using namespace movierec::test;

namespace {

// Every rule that keeps state across answers: the moving average, the least-squares fit, and the
// ucb variances (updated by Sherman-Morrison per answer).
std::vector<Policy> stateful_policies() {
  Policy average = plain_policy();
  Policy squares = plain_policy();
  squares.user_update = UserUpdate::kLeastSquares;
  squares.favourites_as_likes = true;
  Policy ucb = plain_policy();
  ucb.exploration = Exploration::kUcb;
  ucb.ucb_alpha = 0.5;
  return {average, squares, ucb};
}

// Answers the first `count` recommendations with the answers in turn.
void answer_some(Session& session, std::size_t count) {
  const Feedback answers[] = {Feedback::kLike, Feedback::kDislike, Feedback::kSkip,
                              Feedback::kWatch};
  for (std::size_t i = 0; i < count && session.next(); ++i) session.feedback(answers[i % 4]);
}

}  // namespace

TEST_CASE("answer() applies an answer to any unseen movie, as feedback() does to the current one") {
  const Model model = Model::build(random_parts(60, 4, 7));
  for (const Policy& policy : stateful_policies()) {
    Session live = started(model, policy, 3);
    answer_some(live, 9);
    // The same answers replayed on the same movies, without asking for recommendations.
    Session replayed = started(model, policy, 3);
    for (const FeedbackEvent& event : live.history()) replayed.answer(event.row, event.feedback);
    CHECK(replayed.user_vector() == live.user_vector());  // bit for bit
    CHECK(replayed.history().size() == live.history().size());
    CHECK(replayed.seen_count() == live.seen_count());
    CHECK(replayed.candidates_left() == live.candidates_left());
    CHECK(replayed.liked() == live.liked());
    CHECK(replayed.watchlist() == live.watchlist());
  }
}

TEST_CASE("answer() refuses what it cannot apply") {
  const Model model = small_model();
  Session session(model, plain_policy(), 1);
  CHECK_THROWS_MATCHES(session.answer(5, Feedback::kLike), SessionError,
                       Catch::Predicate<SessionError>([](const SessionError& e) {
                         return e.problem() == SessionError::Problem::kNotStarted;
                       }));
  for (std::size_t row = 0; row < Session::kFavourites; ++row) session.add_favourite(row);
  const auto problem = [&](std::size_t row) {
    try {
      session.answer(row, Feedback::kLike);
    } catch (const SessionError& e) {
      return e.problem();
    }
    FAIL("no error");
    return SessionError::Problem::kUnknownMovie;
  };
  CHECK(problem(2) == SessionError::Problem::kAlreadySeen);  // a favourite
  session.answer(5, Feedback::kSkip);
  CHECK(problem(5) == SessionError::Problem::kAlreadySeen);  // answered
  CHECK(problem(10) == SessionError::Problem::kUnknownMovie);
}

TEST_CASE("answering another movie drops the current recommendation") {
  const Model model = small_model();
  Session session = started(model, plain_policy());
  const std::size_t first = session.next()->row;  // row 4, the best score
  CHECK(first == 4);
  session.answer(7, Feedback::kDislike);
  REQUIRE(session.next());
  CHECK_FALSE(session.seen(4));
  CHECK(session.seen(7));
  CHECK(session.history().back().row == 7);
}

TEST_CASE("undo returns the user vector, the fit and the candidates exactly to before the answer") {
  const Model model = Model::build(random_parts(60, 4, 11));
  for (const Policy& policy : stateful_policies()) {
    Session session = started(model, policy, 5);
    CHECK_FALSE(session.undo());  // nothing to take back yet
    answer_some(session, 6);
    const Eigen::VectorXd before = session.user_vector();
    const Eigen::MatrixXd fit_before = session.fit().matrix();
    const std::size_t left_before = session.candidates_left();
    const FeedbackCounts counts_before = session.counts();
    const std::size_t row = session.next()->row;
    session.feedback(Feedback::kLike);
    REQUIRE(session.user_vector() != before);
    const std::optional<FeedbackEvent> undone = session.undo();
    REQUIRE(undone);
    CHECK(undone->row == row);
    CHECK(undone->feedback == Feedback::kLike);
    CHECK(session.user_vector() == before);  // bit for bit
    CHECK(session.fit().matrix() == fit_before);
    CHECK(session.candidates_left() == left_before);
    CHECK(session.counts().likes == counts_before.likes);
    CHECK_FALSE(session.seen(row));
    CHECK(session.history().size() == 6);
    // Undo all the way back to the favourites' mean.
    while (session.undo()) {
    }
    CHECK(session.user_vector() == started(model, policy, 5).user_vector());
    CHECK(session.history().empty());
    CHECK(session.seen_count() == Session::kFavourites);
  }
}

TEST_CASE("replacing a favourite rebuilds the session as if it had started with the new one") {
  const Model model = Model::build(random_parts(60, 4, 13));
  for (const Policy& policy : stateful_policies()) {
    Session session = started(model, policy, 2);
    answer_some(session, 5);
    const std::vector<FeedbackEvent> history = session.history();
    std::size_t fresh = 4;
    while (session.seen(fresh)) ++fresh;
    session.replace_favourite(1, fresh);

    Session expected(model, policy, 2);
    for (const std::size_t row : {std::size_t{0}, fresh, std::size_t{2}, std::size_t{3}}) {
      expected.add_favourite(row);
    }
    for (const FeedbackEvent& event : history) expected.answer(event.row, event.feedback);
    CHECK(session.favourites() == expected.favourites());
    CHECK(session.user_vector() == expected.user_vector());
    CHECK(session.fit().matrix() == expected.fit().matrix());
    CHECK_FALSE(session.seen(1));  // the old favourite can be recommended now
    CHECK(session.seen(fresh));
    CHECK(session.candidates_left() == expected.candidates_left());
  }
}

TEST_CASE("replace_favourite refuses an empty slot, a favourite and an answered movie") {
  const Model model = small_model();
  Session session(model, plain_policy(), 1);
  session.add_favourite(0);
  session.add_favourite(1);
  const auto problem = [&](std::size_t slot, std::size_t row) {
    try {
      session.replace_favourite(slot, row);
    } catch (const SessionError& e) {
      return e.problem();
    }
    FAIL("no error");
    return SessionError::Problem::kUnknownMovie;
  };
  CHECK(problem(2, 5) == SessionError::Problem::kNotFavourite);
  CHECK(problem(0, 1) == SessionError::Problem::kDuplicateFavourite);
  CHECK(problem(0, 99) == SessionError::Problem::kUnknownMovie);
  // While favourites are still being chosen, a replaced one simply changes places.
  session.replace_favourite(0, 6);
  CHECK(session.favourites() == std::vector<std::size_t>{6, 1});
  CHECK_FALSE(session.seen(0));
  session.add_favourite(2);
  session.add_favourite(3);
  session.answer(5, Feedback::kSkip);
  CHECK(problem(0, 5) == SessionError::Problem::kAlreadySeen);
}

TEST_CASE("watch: on the watchlist, counted, and learned from as a like") {
  const Model model = small_model();
  Session watched = started(model, plain_policy());
  Session liked = started(model, plain_policy());
  watched.answer(8, Feedback::kWatch);
  liked.answer(8, Feedback::kLike);
  CHECK(watched.user_vector() == liked.user_vector());
  CHECK(watched.watchlist() == std::vector<std::size_t>{8});
  CHECK(watched.liked().empty());
  CHECK(watched.counts().watches == 1);
  CHECK(watched.counts().likes == 0);
  CHECK(choice_name(Feedback::kWatch) == "watch");
  CHECK(parse_choice<Feedback>("dislike") == Feedback::kDislike);
  CHECK_FALSE(parse_choice<Feedback>("love"));
}

TEST_CASE("a known user's session starts from their vector, with what they rated seen") {
  const Model model = small_model();
  Session session(model, plain_policy(), 1);
  Eigen::VectorXd vector(2);
  vector << 0.0, 1.0;  // scores each movie by its second dimension
  session.start_known({vector, {1, 5}, {1}, {}});
  CHECK(session.state() == SessionState::kRecommending);
  CHECK(session.user_vector() == vector);
  CHECK(session.score_unit() == Approx(1.0));
  CHECK(session.seen(5));
  CHECK(session.seen(1));
  CHECK(session.favourites().empty());
  const std::size_t first = session.next()->row;
  CHECK(first == 2);  // (1, 1): the best unseen, with row 1 (0, 1) and row 5 (0, 1) seen
  // Answers and undo work from this start too.
  session.feedback(Feedback::kLike);
  CHECK(session.user_vector() != vector);
  session.undo();
  CHECK(session.user_vector() == vector);
  CHECK(session.seen(5));  // still seen: it was rated before the session
  // Favourites can be given for explanations; they are seen but do not move the start.
  Session with_favourites(model, plain_policy(), 1);
  with_favourites.start_known({vector, {}, {}, {2, 3}});
  CHECK(with_favourites.favourites() == std::vector<std::size_t>{2, 3});
  CHECK(with_favourites.user_vector() == vector);
  CHECK(with_favourites.seen(2));
  CHECK_THROWS_AS(with_favourites.add_favourite(4), SessionError);
}

TEST_CASE("start_known refuses a vector of the wrong size, unknown rows and a second start") {
  const Model model = small_model();
  Session session(model, plain_policy(), 1);
  CHECK_THROWS_AS(session.start_known({Eigen::VectorXd::Zero(3), {}, {}, {}}), Error);
  Eigen::VectorXd nan(2);
  nan << 0.0, std::nan("");
  CHECK_THROWS_AS(session.start_known({nan, {}, {}, {}}), Error);
  CHECK_THROWS_AS(session.start_known({Eigen::VectorXd::Zero(2), {42}, {}, {}}), SessionError);
  Session favourites = started(model, plain_policy());
  CHECK_THROWS_AS(favourites.start_known({Eigen::VectorXd::Zero(2), {}, {}, {}}), SessionError);
}
