#include "movierec/frontends/repl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <utility>

#include "movierec/io/text.hpp"

namespace movierec {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "...";
constexpr std::size_t kMaxChoiceDigits = 3;  // "007" is still a number, "0000001" a query

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_control(char32_t code) {
  return (code < 0x20 && code != '\t') || (code >= 0x7F && code <= 0x9F);
}

bool has_control(std::string_view text) {
  char32_t code = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = decode_utf8(text, i, code);
    if (length == 0) return true;  // not reached for valid text
    if (is_control(code)) return true;
    i += length;
  }
  return false;
}

// A line that is a choice's number (of one to kMaxChoiceDigits digits), in range or not.
bool is_choice_number(std::string_view text) {
  return !text.empty() && text.size() <= kMaxChoiceDigits &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The choice a line picks, when it is a number from 1 to `count`.
std::optional<std::size_t> choice_number(std::string_view text, std::size_t count) {
  if (!is_choice_number(text)) return std::nullopt;
  std::size_t number = 0;
  for (char c : text) number = number * 10 + static_cast<std::size_t>(c - '0');
  if (number < 1 || number > count) return std::nullopt;
  return number - 1;
}

bool is_yes(const std::string& word) { return word == "y" || word == "yes"; }
bool is_no(const std::string& word) { return word == "n" || word == "no"; }

bool is_quit(const std::string& word) { return word == "q" || word == "quit" || word == "exit"; }
bool is_help(const std::string& word) { return word == "h" || word == "help" || word == "?"; }

std::string counted(std::int64_t count, const char* noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

}  // namespace

std::string shown_text(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  char32_t code = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (chars == max_chars) {
      out += kEllipsis;
      break;
    }
    const std::size_t length = decode_utf8(text, i, code);
    if (length == 0 || is_control(code)) {
      out += kReplacement;
    } else {
      out.append(text.substr(i, length));
    }
    i += length == 0 ? 1 : length;
    ++chars;
  }
  return out;
}

const char* to_string(ChoicesReason reason) {
  switch (reason) {
    case ChoicesReason::kAmbiguous:
      return "ambiguous";
    case ChoicesReason::kNotFound:
      return "not_found";
    case ChoicesReason::kNotInCatalog:
      return "not_in_catalog";
  }
  return "?";
}

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kEmpty:
      return "empty";
    case ErrorCode::kTooLong:
      return "too_long";
    case ErrorCode::kNotText:
      return "not_text";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kNotInCatalog:
      return "not_in_catalog";
    case ErrorCode::kDuplicate:
      return "duplicate";
    case ErrorCode::kUnknownAnswer:
      return "unknown_answer";
    case ErrorCode::kEnded:
      return "ended";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kStore:
      return "store";
    case ErrorCode::kBadChoice:
      return "bad_choice";
    case ErrorCode::kDeclined:
      return "declined";
    case ErrorCode::kNothingToUndo:
      return "nothing_to_undo";
  }
  return "?";
}

std::shared_future<TitleIndex> build_title_index_async(const Catalog& catalog) {
  return std::async(std::launch::async, [&catalog] { return TitleIndex(title_entries(catalog)); })
      .share();
}

namespace {

std::shared_future<TitleIndex> ready(TitleIndex titles) {
  std::promise<TitleIndex> promise;
  promise.set_value(std::move(titles));
  return promise.get_future().share();
}

}  // namespace

LineHandler::LineHandler(const Model& model, TitleIndex titles, const Policy& policy,
                         std::uint64_t seed, ReplOptions options)
    : LineHandler(model, ready(std::move(titles)), policy, seed, options) {}

LineHandler::LineHandler(const Model& model, std::shared_future<TitleIndex> titles,
                         const Policy& policy, std::uint64_t seed, ReplOptions options)
    : model_(&model),
      titles_(std::move(titles)),
      options_(options),
      session_(model, policy, seed),
      catalog_filter_([&model](std::int32_t id) { return in_catalog(model, id); }) {}

void LineHandler::keep_profile(ProfileStore& store, std::string name) {
  recorder_.emplace(store, std::move(name));
  ProfileEvent event;
  const std::optional<Profile> profile = store.load_profile(recorder_->name());
  if (profile) {
    event.restore = restore_profile(session_, *profile);
    if (!event.restore.resumed) unresumed_ = profile;
  } else {
    event.restore.name = recorder_->name();
  }
  opening_.clear();
  if (event.restore.resumed) {
    for (const std::size_t row : session_.favourites()) {
      event.favourites.push_back(movie_ref_at(*model_, row));
    }
  }
  opening_.push_back(std::move(event));
  if (session_.state() != SessionState::kCollectingFavourites) {
    for (ReplEvent& next : recommend_next()) opening_.push_back(std::move(next));
  }
}

std::vector<ReplEvent> LineHandler::opening() { return std::exchange(opening_, {}); }

std::vector<ReplEvent> LineHandler::handle(std::string_view line) {
  if (finished_) return {ErrorEvent{ErrorCode::kEnded, "The session has ended.", std::nullopt}};
  try {
    return handle_line(line);
  } catch (const std::exception& e) {
    return {ErrorEvent{ErrorCode::kInternal,
                       "Something went wrong with that line (" +
                           shown_text(e.what(), options_.max_line_bytes) +
                           "); the session goes on.",
                       std::nullopt}};
  } catch (...) {
    return {ErrorEvent{ErrorCode::kInternal,
                       "Something went wrong with that line; the session "
                       "goes on.",
                       std::nullopt}};
  }
}

void LineHandler::start_known(KnownStart start) {
  session_.start_known(std::move(start));
  opening_ = recommend_next();
}

std::vector<ReplEvent> LineHandler::end_of_input() { return end_now(EndReason::kEof); }

std::vector<ReplEvent> LineHandler::interrupt() { return end_now(EndReason::kInterrupted); }

std::vector<ReplEvent> LineHandler::end_now(EndReason reason) {
  if (finished_) return {};
  try {
    return finish(reason);
  } catch (...) {
    finished_ = true;
    return {EndEvent{reason, session_.counts(), {}, {}, recorder_ ? recorder_->name() : ""}};
  }
}

ReplPrompt LineHandler::prompt() const {
  ReplPrompt prompt;
  const std::size_t favourite = session_.favourites().size() + 1;
  if (finished_) {
    prompt.kind = ReplPrompt::Kind::kNone;
  } else if (session_.state() != SessionState::kCollectingFavourites) {
    prompt.kind = ReplPrompt::Kind::kAnswer;
  } else if (!choices_.empty()) {
    prompt.kind = ReplPrompt::Kind::kChoice;
    prompt.favourite = favourite;
    prompt.choices = choices_.size();
  } else {
    prompt.kind = ReplPrompt::Kind::kFavourite;
    prompt.favourite = favourite;
  }
  return prompt;
}

std::vector<std::string> LineHandler::complete(std::string_view typed) const {
  if (finished_ || session_.state() != SessionState::kCollectingFavourites) return {};
  try {
    return titles().complete(typed, options_.max_completions, catalog_filter_);
  } catch (...) {
    return {};  // completion is a convenience: failing quietly leaves the line as typed
  }
}

std::optional<ErrorEvent> LineHandler::check_text(std::string_view line) const {
  const auto error = [](ErrorCode code, std::string message) {
    return ErrorEvent{code, std::move(message), std::nullopt};
  };
  if (line.size() > options_.max_line_bytes) {
    return error(ErrorCode::kTooLong,
                 fmt::format("That line is longer than {} bytes; type a title or an answer.",
                             options_.max_line_bytes));
  }
  if (!is_valid_utf8(line) || has_control(line)) {
    return error(ErrorCode::kNotText,
                 "That line is not plain text (invalid UTF-8 or control characters); type a "
                 "title or an answer.");
  }
  if (trim(line).empty()) {
    switch (prompt().kind) {
      case ReplPrompt::Kind::kChoice:
        if (choices_.size() == 1) return std::nullopt;  // [Y/n]: an empty line takes it
        return error(ErrorCode::kEmpty,
                     fmt::format("Type a number from 1 to {}, or another title (h for help).",
                                 choices_.size()));
      case ReplPrompt::Kind::kAnswer:
        return error(ErrorCode::kEmpty,
                     "Answer y (like), n (dislike), s (skip), w (want to watch), u (undo), i "
                     "(info), l (list), q (quit) or h (help).");
      default:
        return error(ErrorCode::kEmpty, "Type the title of a movie you love (h for help).");
    }
  }
  return std::nullopt;
}

std::vector<ReplEvent> LineHandler::handle_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (auto error = check_text(line)) return {std::move(*error)};
  const std::string_view text = trim(line);
  const std::string word = lower_ascii(text);
  if (is_quit(word)) return finish(EndReason::kQuit);
  if (is_help(word)) return {help()};
  if (session_.state() == SessionState::kCollectingFavourites) return handle_favourite(text);
  if (change_slot_) {
    const std::size_t slot = *change_slot_;
    change_slot_.reset();
    const auto picked = choice_number(text, choices_.size());
    const std::vector<MovieRef> choices = std::exchange(choices_, {});
    if (picked) return change_favourite(slot, choices[*picked].movie_id);
  }
  if (word == "f" || word.starts_with("f ")) return handle_change_favourite(text.substr(1));
  if (word == "m" || word.rfind("m ", 0) == 0) return handle_similar(trim(text.substr(1)));
  return handle_answer(word);
}

std::vector<ReplEvent> LineHandler::handle_favourite(std::string_view text) {
  const std::string word = lower_ascii(text);
  if (word == "l") return {list_event(session_)};
  if (!choices_.empty()) return handle_choice(text, word);
  return handle_query(text);
}

std::vector<ReplEvent> LineHandler::handle_choice(std::string_view text, const std::string& word) {
  // The choices stay until a favourite is taken or a new query replaces them: a refused pick
  // (a duplicate) or a number out of range leaves them to pick again.
  if (const auto picked = choice_number(text, choices_.size())) {
    return choose(choices_[*picked].movie_id);
  }
  if (is_choice_number(text)) {
    return {ErrorEvent{
        ErrorCode::kBadChoice,
        fmt::format("There is no choice {}: type a number from 1 to {}, or another title (a title "
                    "that is a number goes with its year: \"300 2006\").",
                    text, choices_.size()),
        std::nullopt}};
  }
  if (choices_.size() == 1) {
    if (word.empty() || is_yes(word)) return choose(choices_.front().movie_id);
    if (is_no(word)) {
      choices_.clear();
      return {ErrorEvent{ErrorCode::kDeclined, "Then type the title of another movie you love.",
                         std::nullopt}};
    }
  }
  return handle_query(text);
}

std::vector<ReplEvent> LineHandler::handle_query(std::string_view query) {
  choices_.clear();
  const std::string shown = shown_text(query, options_.max_shown_chars);
  const TitleSearchResult all = titles().resolve(query, options_.max_choices);
  if (all.resolution == Resolution::kCertain) return choose(all.matches.front().id);

  std::vector<ReplEvent> events;
  if (all.resolution == Resolution::kAmbiguous) {
    const TitleSearchResult inside = titles().resolve(query, options_.max_choices, catalog_filter_);
    if (!inside.matches.empty()) {
      ChoicesEvent choices{shown, ChoicesReason::kAmbiguous, {}, false};
      for (const TitleMatch& match : inside.matches) choices.options.push_back(ref(match.id));
      std::vector<MovieRef> matches;  // over every movie: a namesake may be outside the catalog
      for (const TitleMatch& match : all.matches) matches.push_back(ref(match.id));
      choices.notes = apart_notes(*model_, choices.options, matches);
      if (std::all_of(choices.notes.begin(), choices.notes.end(),
                      [](const std::string& note) { return note.empty(); })) {
        choices.notes.clear();
      }
      choices.outside_catalog =
          std::any_of(all.matches.begin(), all.matches.end(),
                      [&](const TitleMatch& m) { return !in_catalog(*model_, m.id); });
      choices_ = choices.options;
      events.push_back(std::move(choices));
      return events;
    }
    // Every match is outside the catalog: name a few, and why.
    std::string names;
    for (std::size_t i = 0; i < all.matches.size() && i < options_.max_info_neighbours; ++i) {
      names += fmt::format("{}{} ({})", i > 0 ? "; " : "", ref(all.matches[i].id).title,
                           short_refusal_reason(*model_, all.matches[i].id));
    }
    events.push_back(ErrorEvent{
        ErrorCode::kNotInCatalog,
        fmt::format("No movie in the catalog matches \"{}\". Matching titles outside it: {}. The "
                    "catalog keeps movies with at least {} (filter.min_movie_ratings).",
                    shown, names, counted(model_->pipeline().min_movie_ratings, "rating")),
        std::nullopt});
  } else {
    events.push_back(ErrorEvent{ErrorCode::kNotFound,
                                fmt::format("No title matches \"{}\".", shown), std::nullopt});
  }
  ChoicesEvent suggestions{
      shown,
      all.resolution == Resolution::kNone ? ChoicesReason::kNotFound : ChoicesReason::kNotInCatalog,
      {},
      false};
  for (const TitleMatch& match :
       titles().closest(query, options_.max_suggestions, catalog_filter_)) {
    suggestions.options.push_back(ref(match.id));
  }
  if (!suggestions.options.empty()) {
    choices_ = suggestions.options;
    events.push_back(std::move(suggestions));
  }
  return events;
}

std::vector<ReplEvent> LineHandler::choose(std::int32_t movie_id) {
  std::vector<ReplEvent> events;
  if (auto refusal = refuse_favourite(session_, movie_id)) {
    const bool duplicate = refusal->problem == FavouriteRefusal::Problem::kDuplicate;
    const MovieRef movie = refusal->movie;
    events.push_back(ErrorEvent{duplicate ? ErrorCode::kDuplicate : ErrorCode::kNotInCatalog,
                                std::move(refusal->message), movie});
    if (duplicate) return events;
    ChoicesEvent closest{movie.title, ChoicesReason::kNotInCatalog, {}, false};
    for (const TitleMatch& match :
         titles().closest(movie.title, options_.max_suggestions, catalog_filter_)) {
      closest.options.push_back(ref(match.id));
    }
    if (!closest.options.empty()) {
      choices_ = closest.options;
      events.push_back(std::move(closest));
    }
    return events;
  }
  const std::size_t number = session_.favourites().size() + 1;
  if (recorder_) {
    try {
      recorder_->favourite(static_cast<int>(number), movie_id);
    } catch (const StoreError& e) {
      // Unavailable: the same line can be retried; refused (the movie is the favourite of
      // another slot): another movie must be named.
      const bool retry = dynamic_cast<const StoreUnavailable*>(&e) != nullptr;
      events.push_back(ErrorEvent{
          ErrorCode::kStore,
          fmt::format("Favourite {} was not saved in profile {} ({}); {}.", number,
                      recorder_->name(), e.what(),
                      retry ? "type it again to retry" : "name another movie"),
          ref(movie_id)});
      return events;
    }
  }
  const std::size_t row = *catalog_row(*model_, movie_id);
  session_.add_favourite(row);
  choices_.clear();
  events.push_back(FavouriteEvent{ref(movie_id), session_.favourites().size(), std::nullopt,
                                  movie_evidence(*model_, row)});
  if (session_.state() != SessionState::kCollectingFavourites && unresumed_) {
    // The answers it holds apply once the favourites start the session.
    std::size_t left_out = 0;
    apply_profile_answers(session_, *std::exchange(unresumed_, std::nullopt), left_out);
  }
  if (session_.state() != SessionState::kCollectingFavourites) {
    for (ReplEvent& event : recommend_next()) events.push_back(std::move(event));
  }
  return events;
}

std::vector<ReplEvent> LineHandler::handle_answer(std::string_view answer) {
  Feedback feedback = Feedback::kSkip;
  if (answer == "y" || answer == "yes") {
    feedback = Feedback::kLike;
  } else if (answer == "n" || answer == "no") {
    feedback = Feedback::kDislike;
  } else if (answer == "s" || answer == "skip") {
    feedback = Feedback::kSkip;
  } else if (answer == "w" || answer == "watch") {
    feedback = Feedback::kWatch;
  } else if (answer == "u" || answer == "undo") {
    return undo();
  } else if (answer == "i" || answer == "info") {
    return {info_event(session_, options_.max_info_neighbours)};
  } else if (answer == "l" || answer == "list") {
    return {list_event(session_)};
  } else {
    return {ErrorEvent{
        ErrorCode::kUnknownAnswer,
        fmt::format("\"{}\" is not an answer: y (like), n (dislike), s (skip), w (want to "
                    "watch), u (undo), i (info), m (more like this), l (list), q (quit) or h "
                    "(help).",
                    shown_text(answer, options_.max_shown_chars)),
        std::nullopt}};
  }
  if (auto error = store_answer(feedback)) return {std::move(*error)};
  session_.feedback(feedback);
  return recommend_next();
}

std::optional<ErrorEvent> LineHandler::store_answer(Feedback feedback) {
  if (!recorder_) return std::nullopt;
  const std::optional<Recommendation> current = session_.next();
  if (!current) return std::nullopt;
  const MovieRef movie = movie_ref_at(*model_, current->row);
  try {
    recorder_->answer(movie.movie_id, feedback);
  } catch (const StoreError& e) {
    return ErrorEvent{ErrorCode::kStore,
                      fmt::format("Your answer was not saved in profile {} ({}); {} still waits: "
                                  "answer again to retry.",
                                  recorder_->name(), e.what(), movie.title),
                      movie};
  }
  return std::nullopt;
}

std::vector<ReplEvent> LineHandler::handle_change_favourite(std::string_view text) {
  text = trim(text);
  const std::size_t space = text.find(' ');
  const auto slot = choice_number(text.substr(0, space), Session::kFavourites);
  const std::string_view query = space == std::string_view::npos ? "" : trim(text.substr(space));
  if (!slot || query.empty()) {
    return {ErrorEvent{ErrorCode::kUnknownAnswer,
                       fmt::format("To change a favourite, type f, its number (1 to {}) and a "
                                   "title: f 2 heat 1995.",
                                   Session::kFavourites),
                       std::nullopt}};
  }
  const std::string shown = shown_text(query, options_.max_shown_chars);
  const TitleSearchResult found = titles().resolve(query, options_.max_choices, catalog_filter_);
  if (found.resolution == Resolution::kCertain ||
      (found.resolution == Resolution::kAmbiguous && found.matches.size() == 1)) {
    return change_favourite(*slot, found.matches.front().id);
  }
  std::vector<ReplEvent> events;
  ChoicesEvent choices{shown, ChoicesReason::kAmbiguous, {}, false};
  if (found.matches.empty()) {
    events.push_back(ErrorEvent{ErrorCode::kNotFound,
                                fmt::format("No title in the catalog matches \"{}\".", shown),
                                std::nullopt});
    choices.reason = ChoicesReason::kNotFound;
    for (const TitleMatch& match :
         titles().closest(query, options_.max_suggestions, catalog_filter_)) {
      choices.options.push_back(ref(match.id));
    }
  } else {
    for (const TitleMatch& match : found.matches) choices.options.push_back(ref(match.id));
  }
  if (!choices.options.empty()) {
    choices_ = choices.options;
    change_slot_ = *slot;
    events.push_back(std::move(choices));
  }
  return events;
}

std::vector<ReplEvent> LineHandler::change_favourite(std::size_t slot, std::int32_t movie_id) {
  const std::size_t row = *catalog_row(*model_, movie_id);
  const MovieRef movie = ref(movie_id);
  if (session_.seen(row)) {
    const bool favourite = std::find(session_.favourites().begin(), session_.favourites().end(),
                                     row) != session_.favourites().end();
    return {ErrorEvent{ErrorCode::kDuplicate,
                       fmt::format("{} is already {}.", movie.title,
                                   favourite ? "a favourite" : "answered in this profile"),
                       movie}};
  }
  if (slot >= session_.favourites().size()) {
    return {ErrorEvent{ErrorCode::kUnknownAnswer,
                       fmt::format("There is no favourite {}: this session started from {} "
                                   "favourites.",
                                   slot + 1, session_.favourites().size()),
                       std::nullopt}};
  }
  const MovieRef replaced = movie_ref_at(*model_, session_.favourites()[slot]);
  if (recorder_) {
    try {
      recorder_->favourite(static_cast<int>(slot + 1), movie_id);
    } catch (const StoreError& e) {
      return {ErrorEvent{ErrorCode::kStore,
                         fmt::format("Favourite {} was not changed in profile {} ({}); type the "
                                     "line again to retry.",
                                     slot + 1, recorder_->name(), e.what()),
                         movie}};
    }
  }
  session_.replace_favourite(slot, row);
  std::vector<ReplEvent> events;
  events.push_back(FavouriteEvent{movie, slot + 1, replaced, movie_evidence(*model_, row)});
  for (ReplEvent& event : recommend_next()) events.push_back(std::move(event));
  return events;
}

std::vector<ReplEvent> LineHandler::undo() {
  if (recorder_) {
    // With a profile, only answers this session stored can be taken back: the ones restored
    // from an earlier session stay in the store, and the session must agree with it.
    if (!recorder_->has_answers()) {
      return {ErrorEvent{ErrorCode::kNothingToUndo,
                         fmt::format("There is no answer of this session to take back (u undoes "
                                     "answers given since profile {} was resumed).",
                                     recorder_->name()),
                         std::nullopt}};
    }
    // The store first: when it fails, nothing has changed. Its last answer is the session's.
    try {
      recorder_->forget_last();
    } catch (const StoreError& e) {
      return {ErrorEvent{ErrorCode::kStore,
                         fmt::format("The last answer was not taken back from profile {} ({}); "
                                     "type u again to retry.",
                                     recorder_->name(), e.what()),
                         std::nullopt}};
    }
  }
  const std::optional<FeedbackEvent> taken = session_.undo();
  if (!taken) {
    return {ErrorEvent{ErrorCode::kNothingToUndo,
                       "There is no answer to take back yet (u undoes the last answer).",
                       std::nullopt}};
  }
  std::vector<ReplEvent> events{UndoneEvent{movie_ref_at(*model_, taken->row), taken->feedback}};
  // Numbering goes on from the answer taken back: drop the number of the recommendation that
  // waited and of the one answered. Without exploration the same movie comes again (the state is
  // as it was); with it, a new sample may pick another.
  recommendations_ = recommendations_ >= 2 ? recommendations_ - 2 : 0;
  for (ReplEvent& event : recommend_next()) events.push_back(std::move(event));
  return events;
}

std::vector<ReplEvent> LineHandler::handle_similar(std::string_view query) {
  std::int32_t movie_id = 0;
  if (query.empty()) {
    const std::optional<Recommendation> current = session_.next();
    if (!current) return finish(EndReason::kExhausted);
    movie_id = model_->artifacts().movie_map.id(current->row);
  } else {
    const std::string shown = shown_text(query, options_.max_shown_chars);
    // Over every movie first (a title and year names one, in the catalog or not); when that is
    // ambiguous, the catalog's movies alone may still name one ("heat" is Heat (1995) there).
    TitleSearchResult found = titles().resolve(query, options_.max_choices);
    if (found.resolution == Resolution::kNone) {
      return {ErrorEvent{ErrorCode::kNotFound, fmt::format("No title matches \"{}\".", shown),
                         std::nullopt}};
    }
    if (found.resolution == Resolution::kAmbiguous) {
      TitleSearchResult inside = titles().resolve(query, options_.max_choices, catalog_filter_);
      if (inside.resolution == Resolution::kCertain) found = std::move(inside);
    }
    if (found.resolution == Resolution::kAmbiguous) {
      std::vector<MovieRef> movies;
      for (std::size_t i = 0; i < found.matches.size() && i < options_.max_suggestions; ++i) {
        movies.push_back(ref(found.matches[i].id));
      }
      const std::vector<std::string> notes = apart_notes(*model_, movies, movies);
      std::string names;
      for (std::size_t i = 0; i < movies.size(); ++i) {
        names += fmt::format("{}{}{}", i > 0 ? "; " : "", movies[i].title,
                             notes[i].empty() ? "" : " (" + notes[i] + ")");
      }
      return {ErrorEvent{ErrorCode::kNotFound,
                         fmt::format("Several movies match \"{}\": {}. Type more of the title "
                                     "(the year helps).",
                                     shown, names),
                         std::nullopt}};
    }
    movie_id = found.matches.front().id;
  }
  std::optional<SimilarEvent> similar =
      similar_event(*model_, movie_id, options_.max_similar, session_.policy().min_evidence);
  if (!similar) {
    return {ErrorEvent{ErrorCode::kNotInCatalog,
                       fmt::format("{} has no vector in the model, so nothing is like it yet: {}.",
                                   ref(movie_id).title, refusal_reason(*model_, movie_id)),
                       ref(movie_id)}};
  }
  return {std::move(*similar)};
}

std::vector<ReplEvent> LineHandler::recommend_next() {
  const std::optional<Recommendation> next = session_.next();
  if (!next) return finish(EndReason::kExhausted);
  return {recommendation_event(session_, *next, ++recommendations_)};
}

std::vector<ReplEvent> LineHandler::finish(EndReason reason) {
  EndEvent end = end_event(session_, reason);
  if (recorder_) end.profile = recorder_->name();
  finished_ = true;
  choices_.clear();
  return {std::move(end)};
}

HelpEvent LineHandler::help() const {
  if (session_.state() == SessionState::kCollectingFavourites) {
    return {
        {"Type the title of a movie you love, as you remember it: case, accents and a "
         "leading \"the\" do not matter, the year is optional (\"heat 1995\") and small "
         "typos are fine.",
         "When numbered choices are shown, type a number to pick one, or another title; when "
         "one is offered (\"Did you mean ...?\"), y or Enter takes it and n drops it.",
         "l (list): the favourites so far.", "q quits (so do Ctrl-D and Ctrl-C)."}};
  }
  return {{"y (yes): you like it; the next recommendations move towards it.",
           "n (no): you do not; they move away from it.", "s (skip): no opinion; nothing changes.",
           "w (watch): you want to watch it: it goes on your watchlist, learned from as a like.",
           "u (undo): take back the last answer; your taste goes back to what it was.",
           "i (info): details of the movie and why it was recommended; it then waits.",
           "l (list): your favourites, the movies you liked and your watchlist so far.",
           "f N TITLE: favourite N (1-4) becomes TITLE, e.g. f 2 heat 1995.",
           "m: more like this movie; m TITLE: more like another movie; it then waits.",
           "q (quit): end the session with a summary (so do Ctrl-D and Ctrl-C).",
           "h or ?: this help."}};
}

}  // namespace movierec
