// The terminal session's input: libedit (prompt, history, Tab completion of titles) when stdin is
// a terminal, plain reading otherwise.
#include <histedit.h>
#include <langinfo.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cstring>
#include <cwchar>
#include <iostream>
#include <optional>
#include <string>

#include "movierec/frontends/terminal.hpp"
#include "movierec/io/text.hpp"

namespace movierec {
namespace {

constexpr int kHistorySize = 500;
constexpr char kPromptEscape = '\1';  // brackets escape codes libedit must not count as columns
constexpr std::size_t kInputChunk = 4096;  // bytes read from the terminal at a time
constexpr unsigned kMinWrapWidth = 40;      // narrower terminals keep the default width

// The longest common beginning of `titles`, cut back to a whole UTF-8 character.
std::string common_prefix(const std::vector<std::string>& titles) {
  std::string prefix = titles.front();
  for (const std::string& title : titles) {
    std::size_t n = 0;
    while (n < prefix.size() && n < title.size() && prefix[n] == title[n]) ++n;
    prefix.resize(n);
  }
  while (!prefix.empty() && (static_cast<unsigned char>(prefix.back()) & 0xC0) == 0x80) {
    prefix.pop_back();
  }
  if (!prefix.empty() && static_cast<unsigned char>(prefix.back()) >= 0xC0) prefix.pop_back();
  return prefix;
}

// libedit with a history and Tab bound to the handler's title completion.
class LineEditor {
 public:
  LineEditor(LineHandler& handler, const TerminalRenderer& renderer)
      : handler_(handler), renderer_(renderer) {
    history_ = history_init();
    history(history_, &event_, H_SETSIZE, kHistorySize);
    history(history_, &event_, H_SETUNIQUE, 1);
    editor_ = el_init("recommend", stdin, stdout, stderr);
    el_set(editor_, EL_CLIENTDATA, this);
    el_set(editor_, EL_GETCFN, &LineEditor::read_char);
    el_set(editor_, EL_EDITOR, "emacs");
    el_set(editor_, EL_SIGNAL, 1);
    el_set(editor_, EL_PROMPT_ESC, &LineEditor::prompt_text, kPromptEscape);
    el_set(editor_, EL_HIST, history, history_);
    // The wide call: el_set copies a function's name and help into strings libedit never frees
    // (its eln.c says so), which LeakSanitizer reports; el_wset keeps these static ones.
    el_wset(editor_, EL_ADDFN, L"movierec-complete", L"Complete a movie title",
            &LineEditor::complete);
    el_set(editor_, EL_BIND, "^I", "movierec-complete", nullptr);
    el_source(editor_, nullptr);  // the user's ~/.editrc, if any
  }
  ~LineEditor() {
    el_end(editor_);
    history_end(history_);
  }
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // One line without its line break; none at the end of input (Ctrl-D).
  std::optional<std::string> read(const std::string& prompt) {
    prompt_ = prompt;
    if (renderer_.style().colour && !prompt.empty()) {
      // libedit ties an escape to the character after it, so the reset goes before the prompt's
      // last character rather than at its very end, where it would be dropped.
      const std::string last = prompt.substr(prompt.size() - 1);
      prompt_ = std::string{kPromptEscape} + "\033[1m" + kPromptEscape +
                prompt.substr(0, prompt.size() - 1) + kPromptEscape + "\033[0m" + kPromptEscape +
                last;
    }
    int count = 0;
    const char* text = el_gets(editor_, &count);
    if (text == nullptr || count <= 0) return std::nullopt;
    std::string line(text, static_cast<std::size_t>(count));
    if (!line.empty() && line.back() == '\n') line.pop_back();
    if (!trim(line).empty()) history(history_, &event_, H_ENTER, line.c_str());
    return line;
  }

 private:
  // libedit's own reader, with a bound: once a line holds more characters than the handler
  // accepts bytes, further characters up to the line break are read and dropped. libedit redraws
  // the whole line for each character it inserts, so a pasted megabyte would otherwise take hours
  // to arrive; the handler refuses the cut line as too long all the same. Bytes are decoded by the
  // locale (use_utf8_ctype); an invalid sequence is dropped, as libedit drops it.
  static int read_char(EditLine* editor, wchar_t* out) {
    LineEditor* self = nullptr;
    el_get(editor, EL_CLIENTDATA, &self);
    for (;;) {
      const int got = self->decode(out);
      if (got != 1) return got;
      if (*out == L'\n' || *out == L'\r') {
        self->dropping_ = false;
        return 1;
      }
      if (self->dropping_) continue;
      const LineInfoW* line = el_wline(editor);
      const auto length = static_cast<std::size_t>(line->lastchar - line->buffer);
      // Editing keys (control characters, DEL) still work, so the line can be shortened.
      if (length > self->handler_.options().max_line_bytes && *out >= L' ' && *out != L'\x7f') {
        self->dropping_ = true;
        continue;
      }
      return 1;
    }
  }

  // The next character from standard input: 1, or 0 at its end, or -1 on a read error. Bytes
  // are read as many as are there (this reader is stdin's only one in an edited session): a
  // pasted megabyte is a few hundred reads, not a million, which kept slow machines waiting.
  int decode(wchar_t* out) {
    for (;;) {
      if (next_ == filled_) {
        const ssize_t got = ::read(STDIN_FILENO, input_.data(), input_.size());
        if (got < 0 && errno == EINTR) {
          if (!interrupt_requested()) continue;  // a resize; libedit's handler has redrawn
          *out = L'\0';
          return 0;  // Ctrl-C: ends the line as Ctrl-D does; the session sees the flag
        }
        if (got <= 0) {
          *out = L'\0';
          return got == 0 ? 0 : -1;
        }
        next_ = 0;
        filled_ = static_cast<std::size_t>(got);
      }
      const char byte = input_[next_++];
      const std::size_t length = std::mbrtowc(out, &byte, 1, &decoding_);
      if (length == static_cast<std::size_t>(-2)) continue;  // more bytes of this character
      if (length == static_cast<std::size_t>(-1)) {
        decoding_ = std::mbstate_t{};
        continue;
      }
      return 1;
    }
  }

  static char* prompt_text(EditLine* editor) {
    LineEditor* self = nullptr;
    el_get(editor, EL_CLIENTDATA, &self);
    return self->prompt_.data();
  }

  // Tab: one title replaces what is typed; several are listed under the line, and what they
  // share replaces it when that says at least as much as the text typed.
  static unsigned char complete(EditLine* editor, int) {
    LineEditor* self = nullptr;
    el_get(editor, EL_CLIENTDATA, &self);
    const LineInfo* line = el_line(editor);
    const std::string typed(line->buffer, static_cast<std::size_t>(line->cursor - line->buffer));
    const std::vector<std::string> titles = self->handler_.complete(typed);
    if (titles.empty()) return CC_REFRESH_BEEP;
    const std::string replacement = titles.size() == 1 ? titles.front() : common_prefix(titles);
    if (!replacement.empty() &&
        fold_for_search(replacement).size() >= fold_for_search(typed).size()) {
      el_deletestr(editor, static_cast<int>(count_code_points(typed)));
      el_insertstr(editor, replacement.c_str());
    }
    if (titles.size() == 1) return CC_REFRESH;
    std::fputc('\n', stdout);
    const std::size_t listed = std::min(titles.size(), self->renderer_.style().max_listed);
    for (std::size_t i = 0; i < listed; ++i) std::fprintf(stdout, "  %s\n", titles[i].c_str());
    if (titles.size() > listed) std::fprintf(stdout, "  ... and more: type more of the title\n");
    std::fflush(stdout);
    return CC_REDISPLAY;
  }

  LineHandler& handler_;
  const TerminalRenderer& renderer_;
  History* history_ = nullptr;
  HistEvent event_{};
  EditLine* editor_ = nullptr;
  std::string prompt_;
  std::mbstate_t decoding_{};
  bool dropping_ = false;  // the line is too long: characters are dropped until its end
  std::array<char, kInputChunk> input_{};  // bytes read from stdin, not yet decoded
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
};

// libedit reads and measures multibyte characters by the C locale's LC_CTYPE: use the user's,
// or C.UTF-8 when theirs is not UTF-8 (titles are).
void use_utf8_ctype() {
  if (std::setlocale(LC_CTYPE, "") == nullptr || std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0) {
    std::setlocale(LC_CTYPE, "C.UTF-8");
  }
}

EndReason run_edited_session(LineHandler& handler, const TerminalRenderer& renderer) {
  use_utf8_ctype();
  LineEditor editor(handler, renderer);
  EndReason reason = EndReason::kEof;
  const auto show = [&](const std::vector<ReplEvent>& events) {
    for (const ReplEvent& event : events) {
      if (const auto* end = std::get_if<EndEvent>(&event)) reason = end->reason;
      renderer.render(std::cout, event);
    }
  };
  show(handler.opening());
  while (!handler.finished()) {
    std::cout.flush();
    const std::optional<std::string> line =
        interrupt_requested() ? std::nullopt : editor.read(renderer.prompt(handler.prompt()));
    if (!line || interrupt_requested()) {
      std::cout << '\n';
      show(interrupt_requested() ? handler.interrupt() : handler.end_of_input());
      break;
    }
    show(handler.handle(*line));
  }
  return reason;
}

}  // namespace

EndReason run_terminal_session(LineHandler& handler, std::uint64_t seed) {
  TerminalStyle style;
  style.colour = colour_wanted(STDOUT_FILENO);
  winsize size{};
  if (isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col >= kMinWrapWidth) {
    style.width = size.ws_col - 1U;  // text wraps to the terminal's width, one column spare
  }
  const TerminalRenderer renderer(style);
  const bool typed = isatty(STDIN_FILENO) == 1;
  const bool editing = typed && isatty(STDOUT_FILENO) == 1;
  const std::vector<ReplEvent> opening = handler.opening();
  renderer.header(std::cout, handler.session(), seed, editing,
                  handler.session().state() == SessionState::kCollectingFavourites);
  for (const ReplEvent& event : opening) renderer.render(std::cout, event);
  return editing ? run_edited_session(handler, renderer)
                 : run_plain_session(handler, renderer, std::cin, std::cout, !typed);
}

}  // namespace movierec
