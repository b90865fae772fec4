#include "movierec/frontends/session_json.hpp"

#include <string>

namespace movierec {

nlohmann::json to_json(const ScoreParts& parts) {
  return {{"model_score", parts.model_score},
          {"genre_affinity", parts.genre_affinity},
          {"model", parts.model},
          {"genre_distance", parts.genre_distance},
          {"popularity", parts.popularity},
          {"diversity", parts.diversity},
          {"lead_ins", parts.lead_ins},
          {"exploration", parts.exploration},
          {"total", parts.total}};
}
namespace {

using json = nlohmann::ordered_json;

json or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }
json or_null(int value) { return value == 0 ? json(nullptr) : json(value); }

}  // namespace

json movie_json(const MovieRef& movie) {
  return {{"movie_id", movie.movie_id}, {"title", movie.title}};
}

json movie_list_json(const std::vector<MovieRef>& movies) {
  json list = json::array();
  for (const MovieRef& movie : movies) list.push_back(movie_json(movie));
  return list;
}

json near_list_json(const std::vector<NearMovie>& near) {
  json list = json::array();
  for (const NearMovie& movie : near) {
    json entry = movie_json(movie.movie);
    entry["similarity"] = movie.similarity;
    entry["favourite"] = movie.favourite;
    list.push_back(std::move(entry));
  }
  return list;
}

json recommendation_json(const RecommendationEvent& event) {
  json out = {{"number", event.number}};
  out.update(movie_json(event.movie));
  out["year"] = or_null(event.year);
  out["genres"] = event.genres;
  out["score"] = event.parts.total;
  out["parts"] = to_json(event.parts);
  out["because"] = near_list_json(event.because);
  return out;
}

json details_json(const MovieDetails& details) {
  const MovieInfo& info = details.info;
  json out = movie_json(details.movie);
  out["year"] = or_null(info.year);
  out["genres"] = info.genres;
  out["rating_mean"] = info.rating_count > 0 ? json(info.rating_mean) : json(nullptr);
  out["rating_count"] = info.rating_count;
  out["tags"] = info.tags;
  out["overview"] = or_null(info.overview);
  out["release_date"] = or_null(info.release_date);
  out["runtime_minutes"] = or_null(info.runtime_minutes);
  out["imdb_url"] = or_null(details.imdb_url);
  out["tmdb_url"] = or_null(details.tmdb_url);
  return out;
}

json evidence_json(const MovieEvidence& evidence) {
  return {{"evidence", choice_name(evidence.source)}, {"evidence_ratings", evidence.ratings}};
}

json info_json(const InfoEvent& event) {
  json out = details_json(event);
  out["score"] = event.parts.total;
  out["parts"] = to_json(event.parts);
  out["nearest"] = near_list_json(event.nearest);
  out.update(evidence_json(event.evidence));
  return out;
}

json similar_json(const SimilarEvent& event) {
  json out = movie_json(event.movie);
  json list = json::array();
  for (const SimilarItem& item : event.similar) {
    json entry = movie_json(item.movie);
    entry["year"] = or_null(item.year);
    entry["genres"] = item.genres;
    entry["similarity"] = item.similarity;
    list.push_back(std::move(entry));
  }
  out["similar"] = std::move(list);
  return out;
}

json profile_json(const ProfileRestore& restore, const std::vector<MovieRef>& favourites) {
  const FeedbackCounts& counts = restore.counts;
  return {{"name", restore.name},
          {"found", restore.found},
          {"resumed", restore.resumed},
          {"favourites", movie_list_json(favourites)},
          {"answers", restore.answers},
          {"likes", counts.likes},
          {"dislikes", counts.dislikes},
          {"skips", counts.skips},
          {"watches", counts.watches},
          {"left_out", restore.left_out},
          {"trained_user", restore.trained_user ? json(*restore.trained_user) : json(nullptr)},
          {"since_training", restore.since_training}};
}

json end_json(const EndEvent& event) {
  return {{"reason", to_string(event.reason)},
          {"likes", event.counts.likes},
          {"dislikes", event.counts.dislikes},
          {"skips", event.counts.skips},
          {"liked", movie_list_json(event.liked)},
          {"watches", event.counts.watches},
          {"watchlist", movie_list_json(event.watchlist)},
          {"profile", event.profile.empty() ? json(nullptr) : json(event.profile)}};
}

json undone_json(const UndoneEvent& event) {
  json out = movie_json(event.movie);
  out["answer"] = choice_name(event.answer);
  return out;
}

json list_json(const ListEvent& event) {
  return {{"favourites", movie_list_json(event.favourites)},
          {"liked", movie_list_json(event.liked)},
          {"watchlist", movie_list_json(event.watchlist)}};
}

}  // namespace movierec
