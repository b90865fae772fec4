// The terminal front end's text: every event of the line handler as lines for a person.
#include "movierec/frontends/terminal.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <istream>
#include <ostream>

#include "movierec/io/text.hpp"

namespace movierec {
namespace {

constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kCyan = "\033[36m";
constexpr const char* kReset = "\033[0m";
constexpr const char* kIndent = "  ";
constexpr const char* kDeepIndent = "    ";

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

// "+0.000" for a part that rounds to nothing, whatever its sign ("-0.000" reads as a penalty).
std::string signed_number(double value) {
  const std::string text = fmt::format("{:+.3f}", value);
  return text == "-0.000" ? "+0.000" : text;
}

std::string near_text(const NearMovie& near) {
  return fmt::format("{} ({}, similarity {:.2f})", near.movie.title,
                     near.favourite ? "favourite" : "liked", near.similarity);
}

// A part of the score as typed in the "why": "+0.812"; empty when it rounds to nothing.
std::string part_number(double value) {
  const std::string text = signed_number(value);
  return text == "+0.000" ? "" : text;
}

// What the exploration rule's part means, by rule ("ucb", "thompson", "random_dampening").
std::string exploration_words(const std::string& rule, double value) {
  if (rule == "ucb") return "little is known of how it fits you, so it is worth a try";
  if (rule == "thompson") {
    return value > 0 ? "a sampled guess at your taste likes it more"
                     : "a sampled guess at your taste likes it less";
  }
  if (rule == "random_dampening") return "held back at random, to explore";
  return "exploration";
}

// The "why" of i: the parts of the score that are not zero, each in words, then its number;
// then the total.
std::string why_text(const ScoreParts& parts, const std::string& rule) {
  std::vector<std::string> reasons;
  const auto add = [&](double value, const std::string& words) {
    const std::string number = part_number(value);
    if (!number.empty()) reasons.push_back(fmt::format("{} ({})", words, number));
  };
  add(parts.model, fmt::format("it is {} your taste (user . movie {:.3f})",
                               parts.model >= 0 ? "near" : "far from", parts.model_score));
  add(parts.genre_distance,
      fmt::format("its genres are {:.0f}% of your genre profile", parts.genre_affinity * 100));
  add(parts.popularity, "it is widely seen, so it is lowered to leave room for less known films");
  add(parts.diversity, "its genres are a change from your usual ones");
  add(parts.lead_ins, parts.lead_ins >= 0
                          ? "people who rated your favourites and likes often went on to like it"
                          : "people who rated what you disliked often went on to like it");
  add(parts.exploration, exploration_words(rule, parts.exploration));
  return fmt::format("Why: {}. Score {:.3f}.",
                     reasons.empty() ? std::string("every part of the score is zero")
                                     : join(reasons, "; "),
                     parts.total);
}

const char* end_text(EndReason reason) {
  switch (reason) {
    case EndReason::kQuit:
      return "you quit";
    case EndReason::kEof:
      return "input ended";
    case EndReason::kExhausted:
      return "no candidates left";
    case EndReason::kInterrupted:
      return "interrupted";
  }
  return "";
}

}  // namespace

bool colour_wanted(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  return isatty(fd) == 1 && (no_colour == nullptr || no_colour[0] == '\0');
}

std::string TerminalRenderer::paint(const char* code, const std::string& text) const {
  return style_.colour ? code + text + kReset : text;
}

std::string TerminalRenderer::wrap(const std::string& text, const std::string& indent) const {
  std::string out;
  std::string line;
  std::size_t line_columns = 0;
  const std::size_t room =
      style_.width > count_code_points(indent) + 1 ? style_.width - count_code_points(indent) : 1;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    const std::size_t word_columns = count_code_points(word);
    if (!line.empty() && line_columns + 1 + word_columns > room) {
      out += indent + line + "\n";
      line.clear();
      line_columns = 0;
    }
    line += (line.empty() ? "" : " ") + word;
    line_columns += (line_columns == 0 ? 0 : 1) + word_columns;
  }
  if (!line.empty()) out += indent + line + "\n";
  return out;
}

void TerminalRenderer::header(std::ostream& out, const Session& session, std::uint64_t seed,
                              bool completion, bool ask_favourites) const {
  out << paint(kBold, "movierec") << " - "
      << catalog_sentence(session.model(), session.policy().min_evidence) << '\n';
  out << paint(kDim, fmt::format("seed {} - replay with --seed {}", seed, seed)) << "\n";
  if (ask_favourites) {
    out << "Name four movies you love, one at a time"
        << (completion ? " (Tab completes titles)" : "") << "; h for help, q to quit.\n\n";
  } else {
    out << "h for help, q to quit.\n\n";
  }
  out.flush();
}

std::string TerminalRenderer::prompt(const ReplPrompt& prompt) const {
  switch (prompt.kind) {
    case ReplPrompt::Kind::kFavourite:
      return fmt::format("Favourite {} of {}: ", prompt.favourite, Session::kFavourites);
    case ReplPrompt::Kind::kChoice:
      return prompt.choices == 1
                 ? "[Y/n], or another title: "
                 : fmt::format("Pick 1-{}, or type another title: ", prompt.choices);
    case ReplPrompt::Kind::kAnswer:
      return "Like it? [y/n/s/w/u/i/m/l/q/h] ";
    case ReplPrompt::Kind::kNone:
      return "";
  }
  return "";
}

void TerminalRenderer::render(std::ostream& out, const ReplEvent& event) const {
  std::visit([&](const auto& e) { render_event(out, e); }, event);
  out.flush();
}

void TerminalRenderer::render_event(std::ostream& out, const ChoicesEvent& event) const {
  if (event.options.size() == 1) {  // a question, not a list of one
    out << kIndent << "Did you mean " << paint(kBold, event.options.front().title) << "?\n";
    if (event.outside_catalog) {
      out << paint(kDim, wrap("(other matching titles are outside the catalog, with too few "
                              "ratings)",
                              kIndent));
    }
    return;
  }
  switch (event.reason) {
    case ChoicesReason::kAmbiguous:
      out << kIndent << fmt::format("Several movies match \"{}\":\n", event.query);
      break;
    case ChoicesReason::kNotFound:
      out << kIndent << "Did you mean:\n";
      break;
    case ChoicesReason::kNotInCatalog:
      out << kIndent << "The closest titles in the catalog:\n";
      break;
  }
  for (std::size_t i = 0; i < event.options.size(); ++i) {
    out << kDeepIndent << paint(kCyan, fmt::format("{:>2}.", i + 1)) << ' '
        << event.options[i].title;
    if (i < event.notes.size() && !event.notes[i].empty()) {
      out << paint(kDim, " (" + event.notes[i] + ")");
    }
    out << '\n';
  }
  if (event.outside_catalog) {
    out << paint(kDim, wrap("(matching titles outside the catalog, with too few ratings, are "
                            "not shown)",
                            kIndent));
  }
}

void TerminalRenderer::render_event(std::ostream& out, const FavouriteEvent& event) const {
  if (event.replaced) {
    out << kIndent << paint(kGreen, fmt::format("Favourite {} is now ", event.number))
        << paint(kBold, event.movie.title) << fmt::format(" (was {}).\n", event.replaced->title);
    return;
  }
  out << kIndent << paint(kGreen, fmt::format("Favourite {}: ", event.number))
      << paint(kBold, event.movie.title) << '\n';
  if (event.evidence.source != Evidence::kTrained) {
    out << paint(kDim, wrap(evidence_sentence(event.evidence), kIndent));
  }
  if (event.number == Session::kFavourites) {
    out << '\n'
        << wrap("Recommendations - answer y (like), n (dislike), s (skip), w (want to watch), "
                "u (undo), i (info), m (more like this), l (list), q or h.",
                "");
  }
}

void TerminalRenderer::render_event(std::ostream& out, const RecommendationEvent& event) const {
  out << '\n'
      << paint(kCyan, fmt::format("#{}", event.number)) << ' ' << paint(kBold, event.movie.title)
      << '\n';
  if (!event.genres.empty()) out << kIndent << join(event.genres, ", ") << '\n';
  if (!event.because.empty()) {
    const NearMovie& near = event.because.front();
    out << kIndent
        << paint(kDim, fmt::format("because you {} {}", near.favourite ? "love" : "liked",
                                   near.movie.title))
        << '\n';
  }
}

void TerminalRenderer::render_event(std::ostream& out, const InfoEvent& event) const {
  const MovieInfo& info = event.info;
  out << kIndent << paint(kBold, event.movie.title) << '\n';
  std::vector<std::string> facts;
  if (!info.genres.empty()) facts.push_back(join(info.genres, ", "));
  if (!info.release_date.empty()) facts.push_back("released " + info.release_date);
  if (info.runtime_minutes > 0) facts.push_back(fmt::format("{} min", info.runtime_minutes));
  if (!facts.empty()) out << kIndent << join(facts, " | ") << '\n';
  out << kIndent
      << (info.rating_count > 0
              ? fmt::format("rated {:.2f} of 5 by {} {}", info.rating_mean, info.rating_count,
                            info.rating_count == 1 ? "person" : "people")
              : std::string("no ratings"))
      << '\n';
  if (!info.tags.empty()) out << wrap("tags: " + join(info.tags, ", "), kIndent);
  out << (info.overview.empty() ? paint(kDim, wrap("(no TMDB overview for this movie)", kIndent))
                                 : wrap(info.overview, kIndent));
  if (!event.imdb_url.empty()) out << kIndent << "IMDb " << event.imdb_url << '\n';
  if (!event.tmdb_url.empty()) out << kIndent << "TMDB " << event.tmdb_url << '\n';
  out << wrap(why_text(event.parts, event.exploration_rule), kIndent);
  out << paint(kDim, wrap(evidence_sentence(event.evidence), kIndent));
  if (!event.nearest.empty()) {
    std::vector<std::string> near;
    for (const NearMovie& movie : event.nearest) near.push_back(near_text(movie));
    out << wrap("Nearest of yours: " + join(near, "; ") + ".", kIndent);
  }
}

void TerminalRenderer::render_event(std::ostream& out, const ErrorEvent& event) const {
  const bool hint = event.code == ErrorCode::kEmpty || event.code == ErrorCode::kUnknownAnswer ||
                    event.code == ErrorCode::kBadChoice || event.code == ErrorCode::kDeclined ||
                    event.code == ErrorCode::kNothingToUndo;
  out << paint(hint ? kYellow : kRed, wrap(event.message, kIndent));
}

void TerminalRenderer::render_event(std::ostream& out, const HelpEvent& event) const {
  for (const std::string& line : event.lines) out << wrap(line, kIndent);
}

void TerminalRenderer::render_event(std::ostream& out, const EndEvent& event) const {
  out << '\n'
      << paint(kBold, fmt::format("Session over ({}):", end_text(event.reason)))
      << fmt::format(" {} liked, {} disliked, {} skipped, {} to watch.\n", event.counts.likes,
                     event.counts.dislikes, event.counts.skips, event.counts.watches);
  for (const MovieRef& movie : event.liked) {
    out << kIndent << paint(kGreen, "liked ") << movie.title << '\n';
  }
  for (const MovieRef& movie : event.watchlist) {
    out << kIndent << paint(kCyan, "to watch ") << movie.title << '\n';
  }
  out << paint(kDim, wrap(event.profile.empty()
                              ? "Nothing was kept: run with --profile NAME to keep your "
                                "favourites and answers, and to resume where you left off."
                              : fmt::format("Your answers are kept in profile {}: --profile {} "
                                            "resumes.",
                                            event.profile, event.profile),
                          kIndent));
}

void TerminalRenderer::render_event(std::ostream& out, const ProfileEvent& event) const {
  const ProfileRestore& restore = event.restore;
  if (!restore.resumed) {
    out << wrap(restore.found
                    ? fmt::format("Profile {} has no four favourites in this catalog yet: name "
                                  "them, and every answer is kept.",
                                  restore.name)
                    : fmt::format("New profile {}: your four favourites and every answer are "
                                  "kept.",
                                  restore.name),
                "");
    return;
  }
  std::vector<std::string> titles;
  for (const MovieRef& movie : event.favourites) titles.push_back(movie.title);
  const FeedbackCounts& counts = restore.counts;
  std::string text = fmt::format(
      "Welcome back, {}: favourites {}; {} answers restored ({} liked, {} disliked, {} skipped, "
      "{} to watch), none of them recommended again.",
      restore.name, join(titles, ", "), restore.answers, counts.likes, counts.dislikes,
      counts.skips, counts.watches);
  if (restore.trained_user) {
    text += fmt::format(
        " Started from the model trained with your answers (user {}), with the "
        "{} given since.",
        *restore.trained_user, restore.since_training);
  }
  if (restore.left_out > 0) {
    text += fmt::format(" {} stored answers left out (movies outside this model, or repeated).",
                        restore.left_out);
  }
  out << paint(kGreen, wrap(text, ""));
}

void TerminalRenderer::render_event(std::ostream& out, const SimilarEvent& event) const {
  if (event.similar.empty()) {
    out << kIndent << "Nothing in the catalog is like " << event.movie.title << ".\n";
    return;
  }
  out << kIndent << "More like " << paint(kBold, event.movie.title) << ":\n";
  for (std::size_t i = 0; i < event.similar.size(); ++i) {
    const SimilarItem& item = event.similar[i];
    out << kDeepIndent << paint(kCyan, fmt::format("{:>2}.", i + 1)) << ' ' << item.movie.title
        << paint(kDim, fmt::format("  {:.2f}", item.similarity)) << '\n';
  }
}

void TerminalRenderer::render_event(std::ostream& out, const UndoneEvent& event) const {
  static constexpr const char* kAnswered[] = {"liked {}", "disliked {}", "skipped {}",
                                              "put {} on the watchlist"};
  const std::string answered =
      fmt::format(fmt::runtime(kAnswered[static_cast<int>(event.answer)]), event.movie.title);
  out << paint(kYellow, wrap(fmt::format("Undone: you had {}. Your taste is as it was before, and "
                                         "the movie can be recommended again.",
                                         answered),
                             kIndent));
}

void TerminalRenderer::render_event(std::ostream& out, const ListEvent& event) const {
  const auto list = [&](const char* name, const std::vector<MovieRef>& movies) {
    std::vector<std::string> titles;
    for (const MovieRef& movie : movies) titles.push_back(movie.title);
    out << wrap(fmt::format("{} ({}): {}", name, movies.size(),
                            titles.empty() ? std::string("none yet") : join(titles, "; ")),
                kIndent);
  };
  list("Favourites", event.favourites);
  list("Liked", event.liked);
  list("Watchlist", event.watchlist);
}

EndReason run_plain_session(LineHandler& handler, const TerminalRenderer& renderer,
                            std::istream& in, std::ostream& out, bool echo) {
  EndReason reason = EndReason::kEof;
  const auto show = [&](const std::vector<ReplEvent>& events) {
    for (const ReplEvent& event : events) {
      if (const auto* end = std::get_if<EndEvent>(&event)) reason = end->reason;
      renderer.render(out, event);
    }
  };
  show(handler.opening());
  std::string line;
  while (!handler.finished()) {
    out << renderer.prompt(handler.prompt()) << std::flush;
    if (!read_line(in, line, handler.options().max_line_bytes) || interrupt_requested()) {
      out << '\n';
      show(interrupt_requested() ? handler.interrupt() : handler.end_of_input());
      break;
    }
    if (echo) {
      std::string_view echoed = line;
      if (!echoed.empty() && echoed.back() == '\r') echoed.remove_suffix(1);
      out << shown_text(echoed, handler.options().max_shown_chars) << '\n';
    }
    show(handler.handle(line));
  }
  return reason;
}

}  // namespace movierec
