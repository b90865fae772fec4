#include "movierec/frontends/session_events.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "movierec/session/similar.hpp"

namespace movierec {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string plural(std::int64_t count, const char* noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

std::vector<NearMovie> near_movies(const Model& model, const Explanation& explanation,
                                   std::size_t limit) {
  std::vector<NearMovie> near;
  for (const Neighbour& neighbour : explanation.nearest) {
    if (near.size() == limit) break;
    near.push_back({movie_ref_at(model, neighbour.row), neighbour.similarity, neighbour.favourite});
  }
  return near;
}

}  // namespace

MovieRef movie_ref(const Model& model, std::int32_t movie_id) {
  const MovieInfo* info = model.catalog().find(movie_id);
  return {movie_id,
          info != nullptr ? display_title(info->title) : fmt::format("movie {}", movie_id)};
}

MovieRef movie_ref_at(const Model& model, std::size_t row) {
  return movie_ref(model, model.artifacts().movie_map.id(row));
}

bool in_catalog(const Model& model, std::int32_t movie_id) {
  return catalog_row(model, movie_id).has_value();
}

std::optional<std::size_t> catalog_row(const Model& model, std::int32_t movie_id) {
  return model.artifacts().movie_map.row(movie_id);
}

std::string refusal_reason(const Model& model, std::int32_t movie_id) {
  if (model.kept_movies().count(movie_id) != 0) return "it has no ratings in the training split";
  const MovieInfo* info = model.catalog().find(movie_id);
  const std::int64_t count = info != nullptr ? info->rating_count : 0;
  const PipelineConfig& filter = model.pipeline();
  if (count < filter.min_movie_ratings) {
    return fmt::format(
        "it has {}; the catalog keeps movies with at least {} "
        "(filter.min_movie_ratings)",
        plural(count, "rating"), plural(filter.min_movie_ratings, "rating"));
  }
  return fmt::format(
      "it has {}, but fewer than {} from users with at least {} "
      "(filter.min_movie_ratings, filter.min_user_ratings)",
      plural(count, "rating"), filter.min_movie_ratings, plural(filter.min_user_ratings, "rating"));
}

std::string short_refusal_reason(const Model& model, std::int32_t movie_id) {
  if (model.kept_movies().count(movie_id) != 0) return "no ratings in the training split";
  const MovieInfo* info = model.catalog().find(movie_id);
  const std::int64_t count = info != nullptr ? info->rating_count : 0;
  if (count < model.pipeline().min_movie_ratings) return plural(count, "rating");
  return fmt::format("{}, too few from users with at least {}", plural(count, "rating"),
                     plural(model.pipeline().min_user_ratings, "rating"));
}

std::string imdb_url(const std::string& imdb_id) {
  constexpr std::size_t kImdbDigits = 7;  // IMDb pads title ids to at least seven digits
  if (!all_digits(imdb_id)) return "";
  const std::string padded =
      std::string(imdb_id.size() < kImdbDigits ? kImdbDigits - imdb_id.size() : 0, '0') + imdb_id;
  return "https://www.imdb.com/title/tt" + padded + "/";
}

std::string tmdb_url(const std::string& tmdb_id) {
  return all_digits(tmdb_id) ? "https://www.themoviedb.org/movie/" + tmdb_id : "";
}

std::optional<MovieDetails> movie_details(const Model& model, std::int32_t movie_id) {
  const MovieInfo* info = model.catalog().find(movie_id);
  if (info == nullptr) return std::nullopt;
  return MovieDetails{movie_ref(model, movie_id), *info, imdb_url(info->imdb_id),
                      tmdb_url(info->tmdb_id)};
}

std::optional<FavouriteRefusal> refuse_favourite(const Session& session, std::int32_t movie_id) {
  const Model& model = session.model();
  const MovieRef movie = movie_ref(model, movie_id);
  const std::optional<std::size_t> row = catalog_row(model, movie_id);
  if (!row) {
    return FavouriteRefusal{
        FavouriteRefusal::Problem::kNotInCatalog,
        fmt::format("{} is not in the catalog: {}.", movie.title, refusal_reason(model, movie_id)),
        movie};
  }
  const auto& favourites = session.favourites();
  const auto found = std::find(favourites.begin(), favourites.end(), *row);
  if (found != favourites.end()) {
    return FavouriteRefusal{FavouriteRefusal::Problem::kDuplicate,
                            fmt::format("{} is already favourite {}; name another movie.",
                                        movie.title, found - favourites.begin() + 1),
                            movie};
  }
  return std::nullopt;
}

RecommendationEvent recommendation_event(const Session& session,
                                         const Recommendation& recommendation, std::size_t number) {
  const Model& model = session.model();
  const MovieInfo& info = model.info(recommendation.row);
  std::vector<NearMovie> because = near_movies(model, session.explain(), 1);
  std::erase_if(because, [](const NearMovie& near) { return near.similarity <= 0; });
  return {number,
          movie_ref_at(model, recommendation.row),
          info.year,
          info.genres,
          recommendation.parts,
          std::move(because)};
}

InfoEvent info_event(const Session& session, std::size_t max_nearest) {
  const Model& model = session.model();
  const Explanation explanation = session.explain();
  const MovieInfo& info = model.info(explanation.row);
  InfoEvent event;
  event.movie = movie_ref_at(model, explanation.row);
  event.info = info;
  event.imdb_url = imdb_url(info.imdb_id);
  event.tmdb_url = tmdb_url(info.tmdb_id);
  event.parts = explanation.parts;
  event.exploration_rule = std::string(choice_name(session.policy().exploration));
  event.nearest = near_movies(model, explanation, max_nearest);
  event.evidence = movie_evidence(model, explanation.row);
  return event;
}

MovieEvidence movie_evidence(const Model& model, std::size_t row) {
  const std::int64_t ratings = model.popularity()[row];
  if (row < model.trained_movie_count()) return {Evidence::kTrained, ratings};
  return {ratings > 0 ? Evidence::kFolded : Evidence::kContent, ratings};
}

std::string catalog_sentence(const Model& model, std::int64_t min_evidence) {
  return fmt::format("{} can be favourites, {} can be recommended (k = {})",
                     plural(static_cast<std::int64_t>(model.movie_count()), "movie"),
                     model.recommendable_count(min_evidence),
                     model.artifacts().movie_embeddings.cols());
}

std::string evidence_sentence(const MovieEvidence& evidence) {
  const std::string ratings = plural(evidence.ratings, "rating");
  switch (evidence.source) {
    case Evidence::kTrained:
      return fmt::format("Its vector learned from {} in train.", ratings);
    case Evidence::kFolded:
      return fmt::format(
          "Outside the trained catalog: its vector is folded in from {} in train, near where its "
          "genres, tags and overview place it.",
          ratings);
    case Evidence::kContent:
      return "Outside the trained catalog, with no ratings to learn from: its vector comes from "
             "its genres, tags and overview alone.";
  }
  return "";
}

namespace {

std::vector<MovieRef> movie_refs(const Model& model, const std::vector<std::size_t>& rows) {
  std::vector<MovieRef> movies;
  movies.reserve(rows.size());
  for (const std::size_t row : rows) movies.push_back(movie_ref_at(model, row));
  return movies;
}

}  // namespace

EndEvent end_event(const Session& session, EndReason reason) {
  return {reason, session.counts(), movie_refs(session.model(), session.liked()),
          movie_refs(session.model(), session.watchlist()), {}};
}

ListEvent list_event(const Session& session) {
  return {movie_refs(session.model(), session.favourites()),
          movie_refs(session.model(), session.liked()),
          movie_refs(session.model(), session.watchlist())};
}

const char* to_string(EndReason reason) {
  switch (reason) {
    case EndReason::kQuit:
      return "quit";
    case EndReason::kEof:
      return "eof";
    case EndReason::kExhausted:
      return "exhausted";
    case EndReason::kInterrupted:
      return "interrupted";
  }
  return "?";
}

std::string apart_note(const Model& model, std::int32_t movie_id) {
  const std::optional<MovieDetails> details = movie_details(model, movie_id);
  if (!details) return "";
  std::string genres;
  for (const std::string& genre : details->info.genres) {
    genres += (genres.empty() ? "" : ", ") + genre;
  }
  // The id as IMDb writes it (padded to seven digits), from the link imdb_url() makes.
  const std::string& url = details->imdb_url;  // "https://www.imdb.com/title/tt0116191/"
  const std::size_t at = url.rfind("/tt");
  const std::string imdb =
      at == std::string::npos ? "" : "IMDb " + url.substr(at + 1, url.size() - at - 2);
  return genres.empty() ? imdb : imdb.empty() ? genres : genres + "; " + imdb;
}

std::vector<std::string> apart_notes(const Model& model, const std::vector<MovieRef>& movies,
                                     const std::vector<MovieRef>& among) {
  std::vector<std::string> notes(movies.size());
  for (std::size_t i = 0; i < movies.size(); ++i) {
    const auto same = [&](const MovieRef& other) {
      return other.movie_id != movies[i].movie_id && other.title == movies[i].title;
    };
    if (std::any_of(among.begin(), among.end(), same)) {
      notes[i] = apart_note(model, movies[i].movie_id);
    }
  }
  return notes;
}

std::optional<SimilarEvent> similar_event(const Model& model, std::int32_t movie_id,
                                          std::size_t count, std::int64_t min_evidence) {
  const std::optional<std::size_t> row = catalog_row(model, movie_id);
  if (!row) return std::nullopt;
  SimilarEvent event{movie_ref(model, movie_id), {}};
  for (const SimilarMovie& near : similar_movies(model, *row, count, min_evidence)) {
    const MovieInfo& info = model.info(near.row);
    event.similar.push_back(
        {movie_ref_at(model, near.row), info.year, info.genres, near.similarity});
  }
  return event;
}

}  // namespace movierec
