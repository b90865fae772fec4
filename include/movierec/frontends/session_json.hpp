// The session's values as JSON, written once for every front end that speaks JSON: the --json
// lines of `recommend` (repl.hpp) put an "event" name in front of these objects, and the HTTP API
// (http_api.hpp) returns them as they are. Keys come in the order shown. Unknown values are null
// rather than 0 or "", so programs cannot mistake them for data.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "movierec/frontends/profile_session.hpp"
#include "movierec/frontends/session_events.hpp"

namespace movierec {

// {"model_score":..,"genre_affinity":..,"model":..,"genre_distance":..,"popularity":..,
//  "diversity":..,"exploration":..,"total":..}: a recommendation's score parts.
nlohmann::json to_json(const ScoreParts& parts);

// {"movie_id":N,"title":S}
nlohmann::ordered_json movie_json(const MovieRef& movie);
// [{"movie_id":N,"title":S},...]
nlohmann::ordered_json movie_list_json(const std::vector<MovieRef>& movies);
// [{"movie_id":N,"title":S,"similarity":X,"favourite":B},...]
nlohmann::ordered_json near_list_json(const std::vector<NearMovie>& near);

// {"number":N,"movie_id":N,"title":S,"year":N|null,"genres":[S,...],"score":X,
//  "parts":{"model_score","genre_affinity","model","genre_distance","popularity","diversity",
//  "exploration","total"},"because":[{"movie_id","title","similarity","favourite"}]}
// score = parts.total; because names the favourite or liked movie nearest to the movie (empty
// when none is similar).
nlohmann::ordered_json recommendation_json(const RecommendationEvent& event);

// {"movie_id":N,"title":S,"year":N|null,"genres":[S,...],"rating_mean":X|null,
//  "rating_count":N,"tags":[S,...],"overview":S|null,"release_date":S|null,
//  "runtime_minutes":N|null,"imdb_url":S|null,"tmdb_url":S|null}
nlohmann::ordered_json details_json(const MovieDetails& details);

// {"evidence":"trained"|"folded"|"content","evidence_ratings":N}: where the movie's vector comes
// from (the trained catalog; outside it, folded in from a few ratings or placed by content) and
// the train ratings it learned from.
nlohmann::ordered_json evidence_json(const MovieEvidence& evidence);

// details_json, then "score":X,"parts":{...},"nearest":[{"movie_id","title","similarity",
// "favourite"},...], then evidence_json's two keys
nlohmann::ordered_json info_json(const InfoEvent& event);

// {"movie_id":N,"title":S,"similar":[{"movie_id","title","year":N|null,"genres":[S,...],
//  "similarity":X},...]}: "more like this", most similar first.
nlohmann::ordered_json similar_json(const SimilarEvent& event);

// {"reason":"quit"|"eof"|"exhausted"|"interrupted","likes":N,"dislikes":N,"skips":N,
//  "liked":[{"movie_id":N,"title":S},...],"watches":N,"watchlist":[{"movie_id":N,"title":S},...],
//  "profile":S|null}
nlohmann::ordered_json end_json(const EndEvent& event);

// {"movie_id":N,"title":S,"answer":"like"|"dislike"|"skip"|"watch"}: the answer taken back.
nlohmann::ordered_json undone_json(const UndoneEvent& event);

// {"favourites":[{"movie_id":N,"title":S},...],"liked":[...],"watchlist":[...]}
nlohmann::ordered_json list_json(const ListEvent& event);

// {"name":S,"found":B,"resumed":B,"favourites":[{"movie_id","title"},...],"answers":N,
//  "likes":N,"dislikes":N,"skips":N,"watches":N,"left_out":N,"trained_user":N|null,
//  "since_training":N}: what a profile restored (profile_session.hpp), favourites by slot.
nlohmann::ordered_json profile_json(const ProfileRestore& restore,
                                    const std::vector<MovieRef>& favourites);

}  // namespace movierec
