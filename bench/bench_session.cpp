// Times the online session's inner loop on a random model: next() (score every movie, pick one)
// followed by feedback() (update the user vector), the work done between two prompts.
// Target (issue 3): well under 1 ms per step at 10,000 movies and k = 50.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <numeric>
#include <random>
#include <vector>

#include "movierec/io/random.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/session.hpp"
#include "program.hpp"

namespace {

using movierec::Feedback;
using movierec::Model;

struct BenchOptions {
  std::size_t movies = 10000;
  std::size_t k = 50;
  std::size_t genres = 20;
  std::size_t sessions = 5;
  std::size_t steps = 1000;
  std::uint64_t seed = 1;
  std::string policy;  // YAML file; empty: the built-in defaults
  std::size_t hold = 0;  // sessions held at once for the memory figure; 0: none
};

// This thread's CPU time in microseconds: unlike wall time, it leaves out the time other
// processes held the core, which on a shared 2-core machine dominates the tail.
double thread_cpu_us() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) * 1e-3;
}

// Embeddings uniform in [-0.5, 0.5), one to three genres per movie, long-tailed popularity.
Model random_model(const BenchOptions& options) {
  std::mt19937_64 rng(options.seed);
  movierec::ModelParts parts;
  auto& embeddings = parts.artifacts.movie_embeddings;
  embeddings.resize(static_cast<Eigen::Index>(options.movies),
                    static_cast<Eigen::Index>(options.k));
  for (Eigen::Index i = 0; i < embeddings.size(); ++i) {
    embeddings.data()[i] = static_cast<float>(movierec::uniform01(rng) - 0.5);
  }
  std::vector<std::int32_t> ids(options.movies);
  std::vector<movierec::MovieInfo> movies(options.movies);
  for (std::size_t row = 0; row < options.movies; ++row) {
    movierec::MovieInfo& movie = movies[row];
    movie.id = static_cast<std::int32_t>(row + 1);
    movie.title = "Movie " + std::to_string(row);
    const std::size_t count = 1 + rng() % 3;
    for (std::size_t g = 0; g < count; ++g) {
      movie.genres.push_back("genre" + std::to_string(rng() % options.genres));
    }
    ids[row] = movie.id;
    parts.kept_movies[movie.id] =
        static_cast<std::int64_t>(std::pow(movierec::uniform01(rng), 4) * 10000);
  }
  parts.artifacts.movie_map = movierec::IdMap(ids);
  parts.catalog = movierec::Catalog(std::move(movies));
  return Model::build(std::move(parts));
}

// Resident memory of this process in bytes (/proc/self/statm), 0 when unknown.
std::size_t resident_bytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  unsigned long pages = 0, resident = 0;
  const int read = std::fscanf(file, "%lu %lu", &pages, &resident);
  std::fclose(file);
  return read == 2 ? resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// What a server holding many sessions pays: `options.hold` sessions started (four favourites)
// and answered once, held at once; memory from the resident set, time per session created.
void hold_sessions(const Model& model, const movierec::Policy& policy,
                   const BenchOptions& options) {
  std::vector<movierec::Session> sessions;
  sessions.reserve(options.hold);
  const std::size_t before = resident_bytes();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t s = 0; s < options.hold; ++s) {
    movierec::Session& session = sessions.emplace_back(model, policy, options.seed + s);
    for (std::size_t f = 0; f < movierec::Session::kFavourites; ++f) {
      session.add_favourite((s * movierec::Session::kFavourites + f) % options.movies);
    }
  }
  const auto created = std::chrono::steady_clock::now();
  for (movierec::Session& session : sessions) {
    if (session.next()) session.feedback(Feedback::kLike);
  }
  const std::size_t after = resident_bytes();
  std::printf(
      "%zu sessions held: %.1f KiB each (resident set), created and started in %.1f us "
      "each\n",
      options.hold,
      static_cast<double>(after - before) / 1024.0 / static_cast<double>(options.hold),
      std::chrono::duration<double, std::micro>(created - start).count() /
          static_cast<double>(options.hold));
}

double percentile(std::vector<double> values, double share) {
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(share * static_cast<double>(values.size() - 1));
  return values[at];
}

int run(const BenchOptions& options) {
  const Model model = random_model(options);
  const movierec::Policy policy =
      options.policy.empty() ? movierec::Policy{} : movierec::load_policy(options.policy);
  std::vector<double> next_us;  // wall time of next()
  std::vector<double> step_us;  // wall time of next() + feedback()
  std::vector<double> step_cpu_us;
  std::mt19937_64 answers(options.seed);
  for (std::size_t s = 0; s < options.sessions; ++s) {
    movierec::Session session(model, policy, options.seed + s);
    for (std::size_t f = 0; f < movierec::Session::kFavourites; ++f) {
      session.add_favourite(s * movierec::Session::kFavourites + f);
    }
    for (std::size_t step = 0; step < options.steps; ++step) {
      const double cpu_start = thread_cpu_us();
      const auto start = std::chrono::steady_clock::now();
      if (!session.next()) break;
      const auto picked = std::chrono::steady_clock::now();
      static constexpr Feedback kAnswers[] = {Feedback::kLike, Feedback::kDislike, Feedback::kSkip};
      session.feedback(kAnswers[answers() % 3]);
      const auto done = std::chrono::steady_clock::now();
      step_cpu_us.push_back(thread_cpu_us() - cpu_start);
      next_us.push_back(std::chrono::duration<double, std::micro>(picked - start).count());
      step_us.push_back(std::chrono::duration<double, std::micro>(done - start).count());
    }
  }
  std::printf("movies %zu, k %zu, %zu steps over %zu sessions\n", options.movies, options.k,
              step_us.size(), options.sessions);
  std::printf("next(), wall:                 median %8.1f us   p99 %8.1f us\n",
              percentile(next_us, 0.5), percentile(next_us, 0.99));
  std::printf("next() + feedback(), wall:    median %8.1f us   p99 %8.1f us   max %8.1f us\n",
              percentile(step_us, 0.5), percentile(step_us, 0.99), percentile(step_us, 1.0));
  std::printf("next() + feedback(), CPU:     median %8.1f us   p99 %8.1f us   max %8.1f us\n",
              percentile(step_cpu_us, 0.5), percentile(step_cpu_us, 0.99),
              percentile(step_cpu_us, 1.0));
  if (options.hold > 0) hold_sessions(model, policy, options);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions options;
  CLI::App app{"Times Session::next() + feedback() on a random model (no files read)."};
  app.add_option("--movies", options.movies, "movies in the random model")->capture_default_str();
  app.add_option("--k", options.k, "embedding dimensions")->capture_default_str();
  app.add_option("--genres", options.genres, "distinct genres")->capture_default_str();
  app.add_option("--sessions", options.sessions, "sessions to run")->capture_default_str();
  app.add_option("--steps", options.steps, "recommendations per session")->capture_default_str();
  app.add_option("--seed", options.seed, "random seed")->capture_default_str();
  app.add_option("--policy", options.policy, "policy YAML (default: the built-in defaults)");
  app.add_option("--hold", options.hold,
                 "then hold this many started sessions at once and report memory per session");
  return movierec::run_program(app, argc, argv, [&] {
    if (options.movies < movierec::Session::kFavourites * options.sessions || options.k == 0 ||
        options.genres == 0) {
      throw movierec::Error("need --k and --genres above 0 and 4 movies per session at least");
    }
    return run(options);
  });
}
