// The --json front end: each event of the line handler as one JSON object per line.
#include <istream>
#include <ostream>
#include <streambuf>

#include "movierec/frontends/repl.hpp"

namespace movierec {
namespace {

using json = nlohmann::ordered_json;

json movie_json(const MovieRef& movie) {
  return {{"movie_id", movie.movie_id}, {"title", movie.title}};
}

json movie_list(const std::vector<MovieRef>& movies) {
  json list = json::array();
  for (const MovieRef& movie : movies) list.push_back(movie_json(movie));
  return list;
}

json near_list(const std::vector<NearMovie>& near) {
  json list = json::array();
  for (const NearMovie& movie : near) {
    json entry = movie_json(movie.movie);
    entry["similarity"] = movie.similarity;
    entry["favourite"] = movie.favourite;
    list.push_back(std::move(entry));
  }
  return list;
}

// Unknown values are null rather than 0 or "", so programs cannot mistake them for data.
json or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }
json or_null(int value) { return value == 0 ? json(nullptr) : json(value); }

json event_json(const ChoicesEvent& event) {
  return {{"event", "choices"},
          {"query", event.query},
          {"reason", to_string(event.reason)},
          {"options", movie_list(event.options)},
          {"outside_catalog", event.outside_catalog}};
}

json event_json(const FavouriteEvent& event) {
  json out = {{"event", "favourite"}};
  out.update(movie_json(event.movie));
  out["number"] = event.number;
  return out;
}

json event_json(const RecommendationEvent& event) {
  json out = {{"event", "recommendation"}, {"number", event.number}};
  out.update(movie_json(event.movie));
  out["year"] = or_null(event.year);
  out["genres"] = event.genres;
  out["score"] = event.parts.total;
  out["parts"] = to_json(event.parts);
  out["because"] = near_list(event.because);
  return out;
}

json event_json(const InfoEvent& event) {
  const MovieInfo& info = event.info;
  json out = {{"event", "info"}};
  out.update(movie_json(event.movie));
  out["year"] = or_null(info.year);
  out["genres"] = info.genres;
  out["rating_mean"] = info.rating_count > 0 ? json(info.rating_mean) : json(nullptr);
  out["rating_count"] = info.rating_count;
  out["tags"] = info.tags;
  out["overview"] = or_null(info.overview);
  out["release_date"] = or_null(info.release_date);
  out["runtime_minutes"] = or_null(info.runtime_minutes);
  out["imdb_url"] = or_null(event.imdb_url);
  out["tmdb_url"] = or_null(event.tmdb_url);
  out["score"] = event.parts.total;
  out["parts"] = to_json(event.parts);
  out["nearest"] = near_list(event.nearest);
  return out;
}

json event_json(const ErrorEvent& event) {
  json out = {{"event", "error"}, {"code", to_string(event.code)}, {"message", event.message}};
  if (event.movie) out.update(movie_json(*event.movie));
  return out;
}

json event_json(const HelpEvent& event) { return {{"event", "help"}, {"lines", event.lines}}; }

json event_json(const EndEvent& event) {
  return {{"event", "end"},
          {"reason", to_string(event.reason)},
          {"likes", event.counts.likes},
          {"dislikes", event.counts.dislikes},
          {"skips", event.counts.skips},
          {"liked", movie_list(event.liked)}};
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

nlohmann::json to_json(const ScoreParts& parts) {
  return {{"model_score", parts.model_score},
          {"genre_affinity", parts.genre_affinity},
          {"model", parts.model},
          {"genre_distance", parts.genre_distance},
          {"popularity", parts.popularity},
          {"diversity", parts.diversity},
          {"exploration", parts.exploration},
          {"total", parts.total}};
}

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
  while (!handler.finished()) {
    if (!read_line(in, line, handler.options().max_line_bytes)) {
      emit(handler.end_of_input());
      break;
    }
    emit(handler.handle(line));
  }
  return reason;
}

}  // namespace movierec
