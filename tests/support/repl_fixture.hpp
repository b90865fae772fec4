// The line handler's test fixture: the small model of repl_fixture_model.hpp, its title index
// and a handler, and helpers to pick events out of the handler's answers.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/frontends/repl.hpp"
#include "movierec/session/title_search.hpp"
#include "repl_fixture_model.hpp"

namespace movierec::test {

// The model, its title index and a handler, kept together.
struct Fixture {
  Model model = fixture_model();
  TitleIndex titles{title_entries(model.catalog())};
  LineHandler handler{model, titles, fixture_policy(), 42};

  std::vector<ReplEvent> say(std::string_view line) { return handler.handle(line); }
  // Sends the four favourites the tests start from.
  std::vector<ReplEvent> start() {
    for (const char* line : {"The Matrix (1999)", "Pulp Fiction (1994)", "Forrest Gump (1994)"}) {
      say(line);
    }
    return say("Fargo (1996)");
  }
};

// The event at `at`, which must be an `Event` (a copy, so that it outlives `events`).
template <typename Event>
Event only(const std::vector<ReplEvent>& events, std::size_t at = 0) {
  REQUIRE(events.size() > at);
  REQUIRE(std::holds_alternative<Event>(events[at]));
  return std::get<Event>(events[at]);
}

template <typename Event>
bool holds(const std::vector<ReplEvent>& events, std::size_t at) {
  return events.size() > at && std::holds_alternative<Event>(events[at]);
}

}  // namespace movierec::test
