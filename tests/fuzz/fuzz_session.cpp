// Fuzzes the session's input handling (repl.hpp): the input, split into lines, is fed to the
// line handler over the small fixed model of the unit tests (tests/repl_fixture_model.hpp), with
// Tab completion asked for each line, then the end of input; every event is rendered by both
// front ends. The same input is also run whole through the --json session and the plain terminal
// session, with a short line limit so that long lines are met. Properties: nothing throws, no
// line ends in an `internal` error (an exception inside the handler), every event is valid UTF-8
// JSON, and the session ends with one `end` event. The line-by-line session is kept in a profile
// (an in-memory store); resumed from it, it has the same user vector and answers.
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <variant>

#include "fuzz_support.hpp"
#include "movierec/frontends/repl.hpp"
#include "movierec/frontends/terminal.hpp"
#include "repl_fixture_model.hpp"

namespace {

using movierec::fuzz::check;
constexpr std::uint64_t kSeed = 7;
constexpr std::size_t kShortLine = 48;

struct Fixed {
  movierec::Model model = movierec::test::fixture_model();
  movierec::TitleIndex titles{movierec::title_entries(model.catalog())};
  movierec::Policy policy = [] {
    movierec::Policy exploring = movierec::test::fixture_policy();
    exploring.exploration_rate = 0.2;  // draws from the session's random numbers
    return exploring;
  }();
  movierec::TerminalRenderer renderer{movierec::TerminalStyle{true}};
};

std::size_t check_events(const Fixed& fixed, const std::vector<movierec::ReplEvent>& events) {
  std::size_t ends = 0;
  for (const movierec::ReplEvent& event : events) {
    if (const auto* error = std::get_if<movierec::ErrorEvent>(&event)) {
      if (error->code == movierec::ErrorCode::kInternal) {
        std::fprintf(stderr, "%s\n", error->message.c_str());
        movierec::fuzz::fail("a line ended in an internal error");
      }
    }
    ends += std::holds_alternative<movierec::EndEvent>(event) ? 1 : 0;
    try {
      (void)movierec::to_json(event).dump();
    } catch (const nlohmann::json::exception&) {
      movierec::fuzz::fail("an event that is not valid UTF-8");
    }
    std::ostringstream text;
    fixed.renderer.render(text, event);
  }
  return ends;
}

void run_lines(const Fixed& fixed, std::string_view input) {
  // Kept in a profile, so that every favourite, answer and change is stored as well.
  const auto store = movierec::open_profile_store(":memory:");
  movierec::LineHandler handler(fixed.model, fixed.titles, fixed.policy, kSeed);
  handler.keep_profile(*store, "fuzz");
  std::size_t ends = check_events(fixed, handler.opening());
  for (const std::string_view line : movierec::fuzz::split_lines(input)) {
    (void)handler.complete(line);
    ends += check_events(fixed, handler.handle(line));
  }
  ends += check_events(fixed, handler.end_of_input());
  check(handler.finished() && ends == 1, "a session that did not end once");
  check(handler.prompt().kind == movierec::ReplPrompt::Kind::kNone, "a prompt after the end");

  // Resumed from the store: the same favourites and answers make the same user vector.
  movierec::LineHandler resumed(fixed.model, fixed.titles, fixed.policy, kSeed);
  resumed.keep_profile(*store, "fuzz");
  (void)check_events(fixed, resumed.opening());
  if (handler.session().favourites().size() == movierec::Session::kFavourites) {
    check(resumed.session().user_vector() == handler.session().user_vector(),
          "a resumed profile with another user vector");
    check(resumed.session().history().size() == handler.session().history().size(),
          "a resumed profile with other answers");
  }
}

void run_streams(const Fixed& fixed, std::string_view input) {
  movierec::ReplOptions options;
  options.max_line_bytes = kShortLine;
  {
    movierec::LineHandler handler(fixed.model, fixed.titles, fixed.policy, kSeed, options);
    movierec::fuzz::PipeBuffer buffer(input);
    std::istream in(&buffer);
    std::ostringstream out;
    movierec::run_json_session(handler, in, out);
    check(handler.finished(), "a --json session that did not end");
    std::istringstream lines(out.str());
    std::string line;
    while (std::getline(lines, line)) {
      check(nlohmann::json::accept(line), "a --json line that is not JSON");
    }
  }
  movierec::LineHandler handler(fixed.model, fixed.titles, fixed.policy, kSeed, options);
  std::istringstream in{std::string(input)};
  std::ostringstream out;
  movierec::run_plain_session(handler, fixed.renderer, in, out);
  check(handler.finished(), "a terminal session that did not end");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixed fixed;
  const std::string_view input = movierec::fuzz::as_text(data, size);
  run_lines(fixed, input);
  run_streams(fixed, input);
  return 0;
}
