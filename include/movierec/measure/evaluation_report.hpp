// The evaluate report in three forms: a table for people, JSON for programs, an SVG chart.
// Each is a function of the EvaluationReport alone, so that the same inputs and options give the
// same bytes: no times, no thread counts.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "movierec/measure/evaluation.hpp"

namespace movierec {

inline constexpr int kEvaluationFormatVersion = 1;

// The whole report:
//   {"format_version", "program": "evaluate",
//    "options": {"steps", "users" (null: all), "seed", "top_k", "answers" ("val+test" | "val" |
//                "test"), "baselines" (names run), "resamples"},
//    "protocol": {"like_stars", "dislike_stars", "favourites"},
//    "data": {"dir", "rows": {"train", "val", "test"}, "embedded_movies"},
//    "models": [{"name", "config": {"artifacts", "policy_file", "target", "k", "predicts_stars",
//                "pipeline", "policy"},
//                "rating_fit": {"target", "predicts_stars",
//                               "final_rating" | "own_target" | "stars": {"val" | "test": {"rows",
//                               "skipped", "rmse", "mae"}}},   (null values: does not apply;
//                               final_rating: predictions converted, training.hpp's
//                               as_final_rating)
//                "ranking": {"k", "users", "eligible", "not_embedded", "no_embedded_likes",
//                            "recall", "ndcg", "coverage"}}],
//    "users": {"eligible", "simulated", "ids" (the simulated users' ids, increasing)},
//    "systems": [{"name", "kind": "session" | "most_popular" | "random" | "baseline", "model",
//                 "against_first": {"difference", "low", "high", "relative", "relative_low",
//                 "relative_high"} (likes after the last step against the first system's, the
//                 95% paired bootstrap interval; relative: the ratio less 1, null when the
//                 first system has no likes),
//                 "online_learning" (null for baselines), "config" (the model's, with the policy
//                 as run; most_popular and random: artifacts only; baseline: artifacts,
//                 "family", "chosen" {axis: value}, "val_likes", "tried" [{"values",
//                 "val_likes"}]), "users", "likes_at_10", "likes_at_20",
//                 "dislikes_at_20" (null when steps are fewer), "likes", "dislikes" (after the
//                 last step), "skips", "shown", "exhausted", "distinct_movies", "coverage",
//                 "likes_per_step", "dislikes_per_step" (mean cumulative, steps values),
//                 "user_likes" (per simulated user, in the order of users.ids: likes
//                 over all the steps, so that reports of the same users can be paired)}],
//    "bootstrap": {"resamples", "level", "seed", "reference" (the first system's name)},
//    "skipped_baselines": [reasons]}
nlohmann::json to_json(const EvaluationReport& report);

// Tables: rating fit and ranking per model, then one row per simulated system (likes@10,
// likes@20, dislikes@20, coverage, and the interval against the first system), then each
// baseline's chosen values.
void print_report(std::ostream& out, const EvaluationReport& report);

// One line per model baseline: its training and search time. Not part of the report (times
// differ between runs).
void print_timings(std::ostream& out, const EvaluationReport& report);

// An SVG line chart of the mean cumulative likes per step of every system (render_svg).
std::string plot_svg(const EvaluationReport& report);

}  // namespace movierec
