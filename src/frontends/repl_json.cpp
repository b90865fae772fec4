// The --json front end: each event of the line handler as one JSON object per line.
#include <csignal>
#include <istream>
#include <ostream>
#include <streambuf>

#include "movierec/frontends/repl.hpp"
#include "movierec/frontends/session_json.hpp"

namespace movierec {
namespace {

using json = nlohmann::ordered_json;

json event_json(const ChoicesEvent& event) {
  json options = movie_list_json(event.options);
  for (std::size_t i = 0; i < event.notes.size() && i < options.size(); ++i) {
    if (!event.notes[i].empty()) options[i]["note"] = event.notes[i];
  }
  return {{"event", "choices"},
          {"query", event.query},
          {"reason", to_string(event.reason)},
          {"options", std::move(options)},
          {"outside_catalog", event.outside_catalog}};
}

json event_json(const FavouriteEvent& event) {
  json out = {{"event", "favourite"}};
  out.update(movie_json(event.movie));
  out["number"] = event.number;
  if (event.replaced) out["replaced"] = movie_json(*event.replaced);
  out.update(evidence_json(event.evidence));
  return out;
}

json event_json(const RecommendationEvent& event) {
  json out = {{"event", "recommendation"}};
  out.update(recommendation_json(event));
  return out;
}

json event_json(const InfoEvent& event) {
  json out = {{"event", "info"}};
  out.update(info_json(event));
  return out;
}

json event_json(const ErrorEvent& event) {
  json out = {{"event", "error"}, {"code", to_string(event.code)}, {"message", event.message}};
  if (event.movie) out.update(movie_json(*event.movie));
  return out;
}

json event_json(const SimilarEvent& event) {
  json out = {{"event", "similar"}};
  out.update(similar_json(event));
  return out;
}

json event_json(const HelpEvent& event) { return {{"event", "help"}, {"lines", event.lines}}; }

json event_json(const ProfileEvent& event) {
  json out = {{"event", "profile"}};
  out.update(profile_json(event.restore, event.favourites));
  return out;
}

json event_json(const UndoneEvent& event) {
  json out = {{"event", "undone"}};
  out.update(undone_json(event));
  return out;
}

json event_json(const ListEvent& event) {
  json out = {{"event", "list"}};
  out.update(list_json(event));
  return out;
}

json event_json(const EndEvent& event) {
  json out = {{"event", "end"}};
  out.update(end_json(event));
  return out;
}

void write_events(const std::vector<ReplEvent>& events, std::ostream& out) {
  for (const ReplEvent& event : events) {
    // Titles and echoed input are valid UTF-8 already; replacing keeps a bad byte from ending
    // the session should one slip through.
    out << to_json(event).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    out.flush();
  }
}

}  // namespace

namespace {

volatile std::sig_atomic_t interrupt_flag = 0;

extern "C" void on_interrupt(int) { interrupt_flag = 1; }

}  // namespace

// Ctrl-C: SIGINT sets a flag and cuts the read in progress short (no SA_RESTART: EINTR), so the
// session ends with its summary instead of the process dying.
void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = &on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
}

bool interrupt_requested() { return interrupt_flag != 0; }

nlohmann::ordered_json to_json(const ReplEvent& event) {
  return std::visit([](const auto& e) { return event_json(e); }, event);
}

bool read_line(std::istream& in, std::string& line, std::size_t max_bytes) {
  line.clear();
  std::istream::sentry sentry(in, true);
  if (!sentry) return false;
  std::streambuf* buffer = in.rdbuf();
  bool read_any = false;
  for (;;) {
    const auto c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      if (!read_any) in.setstate(std::ios::failbit);
      return read_any;
    }
    read_any = true;
    if (c == '\n') return true;
    if (line.size() <= max_bytes) line += static_cast<char>(c);
  }
}

EndReason run_json_session(LineHandler& handler, std::istream& in, std::ostream& out) {
  std::string line;
  EndReason reason = EndReason::kEof;
  const auto emit = [&](const std::vector<ReplEvent>& events) {
    for (const ReplEvent& event : events) {
      if (const auto* end = std::get_if<EndEvent>(&event)) reason = end->reason;
    }
    write_events(events, out);
  };
  emit(handler.opening());
  while (!handler.finished()) {
    if (!read_line(in, line, handler.options().max_line_bytes) || interrupt_requested()) {
      emit(interrupt_requested() ? handler.interrupt() : handler.end_of_input());
      break;
    }
    emit(handler.handle(line));
  }
  return reason;
}

}  // namespace movierec
