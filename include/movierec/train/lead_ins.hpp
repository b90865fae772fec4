// Lead-ins (issue 14): for each trained movie, the movies people rated shortly before liking it.
//
// Each user's train ratings are taken in time order (ties: the lower movieId first). Movie i is
// a lead-in of movie j when someone gave j at least `min_stars` within `window` of their
// ratings after rating i (any stars). Its weight is
//     c(i → j) / (sqrt(n_i) · sqrt(n_j) + shrinkage)
// with c(i → j) the number of such pairs and n a movie's train ratings: item-kNN's shrunk
// cosine (Sarwar et al. 2001) of "rated before a like" instead of "rated both". Each movie keeps
// its `count` heaviest lead-ins. A session adds to a candidate the weights of its lead-ins among
// the favourites and likes (Policy::lead_in_weight): what people went on to rate after the movies
// this person loves, the near future the symmetric co-rating of item-kNN does not tell apart
// from the past.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "movierec/data/order_signal.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/io/npy.hpp"
#include "movierec/train/artifacts.hpp"

namespace movierec {

struct LeadInOptions {
  int window = 40;        // ratings after a movie that count as led into by it (1 .. 255)
  int count = 50;         // lead-ins kept per movie (1 ..)
  double shrinkage = 10;  // added to the cosine's denominator (0 ..)
  double min_stars = 0;   // stars of the later rating for a pair to count (0 .. 5; 0: any)
};

// One train rating as the lead-ins need it, in 16 bytes (a release's train ratings are held
// at once): the user, the movie's row (movie_map; below 2^24, as the artifacts' rows), its
// stars times 2, and when.
struct TimedRating {
  std::int32_t user = 0;
  std::uint32_t movie : 24 = 0;
  std::uint32_t half_stars : 8 = 0;  // 0 .. 10
  std::int64_t timestamp = 0;
};

// The order signal (data/order_signal.hpp) of `ratings`, in each user's time order, users
// together; throws Error for a movie row not below `movies`.
double order_signal(std::span<const TimedRating> ratings, std::size_t movies);

// The lead-ins of `movies` movies from `ratings` (any order; every movie below `movies`) into
// Artifacts::lead_in_rows / lead_in_weights (artifacts.hpp), or none (both emptied) when the
// ratings' order_signal is below kMinOrderSignal (NaN: too few ratings to tell; they are
// written). Returns the order signal. Throws Error when an option is out of its range or a
// movie row is not below `movies`.
double build_lead_ins(std::vector<TimedRating> ratings, std::size_t movies,
                      const LeadInOptions& options, Artifacts& artifacts);

// build_lead_ins over the rating file `file` of `processed` (train.csv), its movies matched by
// artifacts.movie_map; ratings of other movies are left out. When `file` is train.csv and
// processed/manifest.json records its order signal (train_order_signal) below kMinOrderSignal,
// none are built and the file is not read. Returns what the manifest records: the options,
// order_signal and where it was measured (order_signal_from), the ratings used and left out
// (when read), written and seconds.
nlohmann::json add_lead_ins(Artifacts& artifacts, const ProcessedFolder& processed,
                            const std::string& file, const LeadInOptions& options);

}  // namespace movierec
