// The terminal front end of the line handler (repl.hpp): events rendered as text for a person,
// prompts, and the input loop. When stdin is a terminal, lines are read with libedit: a prompt,
// history, and Tab completion of titles while favourites are asked for. Otherwise lines are read
// plainly and echoed after their prompt, so a piped session reads like a typed one. Colours
// (ANSI escapes) only when stdout is a terminal and NO_COLOR is unset or empty
// (https://no-color.org).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "movierec/session/model.hpp"
#include "movierec/frontends/repl.hpp"

namespace movierec {

struct TerminalStyle {
  bool colour = false;          // ANSI colours and bold
  std::size_t width = 78;  // long text wraps at this many columns (the terminal's, when known)
  std::size_t max_listed = 12;  // completions listed under the line on Tab
};

// True when output to file descriptor `fd` may be coloured: it is a terminal and the NO_COLOR
// environment variable is unset or empty.
bool colour_wanted(int fd);

class TerminalRenderer {
 public:
  explicit TerminalRenderer(TerminalStyle style = {}) : style_(style) {}

  // The opening lines: how many movies can be favourites and how many recommended
  // (catalog_sentence, under the session's policy), the seed and how to replay it, what to do
  // (`ask_favourites`: name four movies; else a profile resumes and its event follows).
  void header(std::ostream& out, const Session& session, std::uint64_t seed, bool completion,
              bool ask_favourites = true) const;
  // One event, as one or more whole lines.
  void render(std::ostream& out, const ReplEvent& event) const;
  // What to ask for next, e.g. "Favourite 2 of 4: "; no colours (line editors measure it).
  std::string prompt(const ReplPrompt& prompt) const;
  const TerminalStyle& style() const { return style_; }

 private:
  void render_event(std::ostream& out, const ChoicesEvent& event) const;
  void render_event(std::ostream& out, const FavouriteEvent& event) const;
  void render_event(std::ostream& out, const RecommendationEvent& event) const;
  void render_event(std::ostream& out, const InfoEvent& event) const;
  void render_event(std::ostream& out, const ErrorEvent& event) const;
  void render_event(std::ostream& out, const HelpEvent& event) const;
  void render_event(std::ostream& out, const EndEvent& event) const;
  void render_event(std::ostream& out, const ProfileEvent& event) const;
  void render_event(std::ostream& out, const SimilarEvent& event) const;
  void render_event(std::ostream& out, const UndoneEvent& event) const;
  void render_event(std::ostream& out, const ListEvent& event) const;
  // `text` wrapped in the escape `code` when colours are on.
  std::string paint(const char* code, const std::string& text) const;
  // `text` as lines of at most style_.width columns, each starting with `indent`.
  std::string wrap(const std::string& text, const std::string& indent) const;

  TerminalStyle style_;
};

// A session over plain streams: prompts and events to `out`, lines from `in`. With `echo`, each
// line is written after its prompt (cleaned and cut as the handler shows input), so a piped
// session reads like a typed one; a terminal echoes typed lines itself. Returns how the session
// ended.
EndReason run_plain_session(LineHandler& handler, const TerminalRenderer& renderer,
                            std::istream& in, std::ostream& out, bool echo = true);

// The whole terminal session on stdin and stdout: the header, then libedit when both are
// terminals, else run_plain_session (echoing lines unless stdin is a terminal). Returns how the session ended.
EndReason run_terminal_session(LineHandler& handler, std::uint64_t seed);

}  // namespace movierec
