#include "movierec/train/lead_ins.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "artifact_files.hpp"
#include "movierec/data/processed_files.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/parallel.hpp"

namespace movierec {
namespace {

constexpr int kMaxWindow = 255;  // a rating's reach back is kept in one byte
// A sequence entry holds the movie row in its low bits (the rows a float holds exactly, as the
// artifacts' do) and how far back its user's ratings go, up to the window, in the high 8.
constexpr unsigned kRowBits = artifact_files::kLeadInRowBits;
constexpr std::uint32_t kRowMask = artifact_files::kLeadInRowLimit - 1;
static_assert(kRowBits + 8 == 32, "a sequence entry is 32 bits");
// Occurrences ahead whose windows are fetched while one is counted: each is a random place in
// the sequences, so the counting waits on memory without it.
constexpr std::size_t kWindowsAhead = 8;
constexpr std::size_t kLineBytes = 64;
constexpr std::size_t kMovieBlocks = 64;  // pieces of movies handed to the cores in turn

void check(const LeadInOptions& options) {
  if (options.window < 1 || options.window > kMaxWindow) {
    throw Error(fmt::format("lead-ins need a window of 1 to {} ratings, got {}", kMaxWindow,
                            options.window));
  }
  if (options.count < 1) {
    throw Error(fmt::format("lead-ins need at least one per movie, got {}", options.count));
  }
  if (!(options.shrinkage >= 0) || !std::isfinite(options.shrinkage)) {
    throw Error(fmt::format("lead-ins need a shrinkage >= 0, got {}", options.shrinkage));
  }
  if (!(options.min_stars >= 0 && options.min_stars <= 5)) {
    throw Error(fmt::format("lead-ins need min_stars from 0 to 5, got {}", options.min_stars));
  }
}

void check_movie_count(std::size_t movies) {
  if (movies > kRowMask) {
    throw Error(
        fmt::format("lead-ins: {} movies are more than the rows a float holds (2^24)", movies));
  }
}

}  // namespace

double order_signal(std::span<const TimedRating> ratings, std::size_t movies) {
  OrderSignal signal(movies);
  for (const TimedRating& r : ratings) signal.add(r.user, r.movie);
  return signal.value();
}

double build_lead_ins(std::vector<TimedRating> ratings, std::size_t movies,
                      const LeadInOptions& options, Artifacts& artifacts) {
  check(options);
  if (ratings.size() > std::numeric_limits<std::int32_t>::max()) {
    throw Error(
        fmt::format("lead-ins: {} ratings are more than one matrix can hold", ratings.size()));
  }
  check_movie_count(movies);
  const auto earlier = [](const TimedRating& a, const TimedRating& b) {
    if (a.user != b.user) return a.user < b.user;
    if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    return a.movie < b.movie;
  };
  // processed/ writes each user's ratings together and in time order, so this rarely sorts.
  if (!std::is_sorted(ratings.begin(), ratings.end(), earlier)) {
    std::sort(ratings.begin(), ratings.end(), earlier);
  }
  artifacts.lead_in_rows.resize(0, 0);
  artifacts.lead_in_weights.resize(0, 0);
  const double signal = order_signal(ratings, movies);
  if (signal < kMinOrderSignal) return signal;
  // The sequences, one after the other (entries as kRowBits says); per movie its rating count,
  // and the positions where it is led into: its ratings of at least min_stars.
  const std::size_t n = ratings.size();
  std::vector<std::uint32_t> sequence(n);
  std::vector<bool> led_into(n);
  std::vector<double> counts(movies, 0.0);
  std::vector<std::size_t> starts(movies + 1, 0);
  for (std::size_t p = 0, run = 0; p < n; ++p) {
    if (p > 0 && ratings[p].user != ratings[p - 1].user) run = 0;
    const auto reach = static_cast<std::uint32_t>(std::min<std::size_t>(run, options.window));
    sequence[p] = ratings[p].movie | reach << kRowBits;
    ++run;
    counts[ratings[p].movie] += 1;
    led_into[p] = ratings[p].half_stars >= 2 * options.min_stars;
    if (led_into[p]) ++starts[ratings[p].movie + 1];
  }
  std::vector<TimedRating>().swap(ratings);
  std::partial_sum(starts.begin(), starts.end(), starts.begin());
  std::vector<std::uint32_t> positions(starts.back());  // below 2^31: no matrix holds more
  {
    std::vector<std::size_t> at(starts.begin(), starts.end() - 1);
    for (std::size_t p = 0; p < n; ++p) {
      if (led_into[p]) positions[at[sequence[p] & kRowMask]++] = static_cast<std::uint32_t>(p);
    }
  }

  const auto keep = static_cast<std::size_t>(options.count);
  artifacts.lead_in_rows = RowMatrixXf::Constant(static_cast<Eigen::Index>(movies),
                                                 static_cast<Eigen::Index>(keep), -1.0f);
  artifacts.lead_in_weights =
      RowMatrixXf::Zero(static_cast<Eigen::Index>(movies), static_cast<Eigen::Index>(keep));
  const std::size_t blocks = std::min(movies, kMovieBlocks);
  std::vector<float> roots(movies);
  for (std::size_t m = 0; m < movies; ++m) roots[m] = static_cast<float>(std::sqrt(counts[m]));
  const auto shrinkage = static_cast<float>(options.shrinkage);
  const auto window = static_cast<std::size_t>(options.window);
  parallel_for(blocks, [&](std::size_t block) {
    std::vector<std::uint32_t> pairs(movies, 0);  // c(i → j) of this block's movie j
    std::vector<std::uint32_t> touched;
    std::vector<std::pair<float, std::uint32_t>> ranked;  // (-weight, i)
    for (std::size_t j = movies * block / blocks; j < movies * (block + 1) / blocks; ++j) {
      touched.clear();
      for (std::size_t at = starts[j]; at < starts[j + 1]; ++at) {
        if (at + kWindowsAhead < starts[j + 1]) {
          const std::size_t ahead = positions[at + kWindowsAhead];
          const std::uint32_t* from =
              sequence.data() + ahead - std::min<std::size_t>(ahead, window);
          for (const std::uint32_t* line = from; line <= sequence.data() + ahead;
               line += kLineBytes / sizeof(std::uint32_t)) {
            __builtin_prefetch(line);
          }
          __builtin_prefetch(sequence.data() + ahead);
        }
        const std::size_t p = positions[at];
        for (std::size_t q = p - (sequence[p] >> kRowBits); q < p; ++q) {
          const std::uint32_t i = sequence[q] & kRowMask;
          if (pairs[i]++ == 0) touched.push_back(i);
        }
      }
      ranked.resize(touched.size());
      std::size_t size = 0;
      for (const std::uint32_t i : touched) {
        // Movie j's own earlier ratings (a user rates a movie once, so none but in bad data).
        if (i != j) {
          ranked[size++] = {-static_cast<float>(pairs[i]) / (roots[i] * roots[j] + shrinkage), i};
        }
        pairs[i] = 0;
      }
      ranked.resize(size);
      // The heaviest `keep`, heaviest first, ties to the lower row.
      const std::size_t kept = std::min(keep, size);
      const auto end = ranked.begin() + static_cast<std::ptrdiff_t>(kept);
      if (kept < size) std::nth_element(ranked.begin(), end, ranked.end());
      std::sort(ranked.begin(), end);
      for (std::size_t p = 0; p < kept; ++p) {
        const auto row = static_cast<Eigen::Index>(j);
        const auto column = static_cast<Eigen::Index>(p);
        artifacts.lead_in_rows(row, column) = static_cast<float>(ranked[p].second);
        artifacts.lead_in_weights(row, column) = -ranked[p].first;
      }
    }
  });
  return signal;
}

nlohmann::json add_lead_ins(Artifacts& artifacts, const ProcessedFolder& processed,
                            const std::string& file, const LeadInOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  check(options);
  check_movie_count(artifacts.movie_map.size());  // before the rows are packed into 24 bits
  nlohmann::json record = {{"window", options.window},
                           {"count", options.count},
                           {"shrinkage", options.shrinkage},
                           {"min_stars", options.min_stars}};
  const auto finish = [&](double signal, const char* measured_on) {
    record["order_signal"] = std::isnan(signal) ? nlohmann::json(nullptr) : nlohmann::json(signal);
    record["order_signal_from"] = measured_on;
    record["written"] = artifacts.has_lead_ins();
    record["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return record;
  };
  // preprocess measured the order of train.csv: below the guard, reading it again (1.9 s of a
  // 28M release) would only find the same.
  const nlohmann::json& recorded =
      processed.manifest().value("train_order_signal", nlohmann::json());
  if (file == processed_files::kTrain && recorded.is_number() &&
      recorded.get<double>() < kMinOrderSignal) {
    artifacts.lead_in_rows.resize(0, 0);
    artifacts.lead_in_weights.resize(0, 0);
    return finish(recorded.get<double>(), "processed/manifest.json");
  }
  std::vector<TimedRating> ratings;
  ratings.reserve(processed.expected_rows(file));
  std::size_t left_out = 0;
  processed.read_rating_blocks(file, [&](std::span<const Rating> block) {
    for (const Rating& r : block) {
      const auto row = artifacts.movie_map.row(r.movie);
      if (!row) {
        ++left_out;
        continue;
      }
      ratings.push_back(
          {.user = r.user,
           .movie = static_cast<std::uint32_t>(*row) & kRowMask,  // below 2^24: checked
           .half_stars = static_cast<std::uint32_t>(std::lround(2 * r.rating)) & 0xFFu,
           .timestamp = r.timestamp});
    }
  });
  record["ratings"] = ratings.size();
  record["ratings_left_out"] = left_out;
  const double signal =
      build_lead_ins(std::move(ratings), artifacts.movie_map.size(), options, artifacts);
  return finish(signal, file.c_str());
}

}  // namespace movierec
