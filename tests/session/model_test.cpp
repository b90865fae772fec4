// load_model on folders written by the library's own writers (run_preprocess, train_model,
// save_artifacts): success, and each disagreement refused with the command that fixes it.
#include "movierec/session/model.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "movielens_test_support.hpp"
#include "movierec/data/preprocess.hpp"
#include "movierec/io/error.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/train/artifacts.hpp"
#include "movierec/train/training.hpp"
#include "session_models.hpp"

using namespace movierec;
namespace fs = std::filesystem;

namespace {

constexpr std::int32_t kMovies = 12;
constexpr std::int32_t kRareMovie = 12;  // one rating: the filter drops it

// A release in the ml-latest layout: 40 users rate movies 1-11 in a pattern with two tastes,
// and movie 12 once (so the filter drops it).
void write_release(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream movies(dir / "movies.csv");
  movies << "movieId,title,genres\n";
  const char* genres[] = {"Action|Sci-Fi", "Comedy", "Drama|Romance", "Comedy|Drama"};
  for (std::int32_t id = 1; id <= kMovies; ++id) {
    movies << id << ",Movie " << id << " (" << 1990 + id << ")," << genres[id % 4] << "\n";
  }
  std::ofstream ratings(dir / "ratings.csv");
  ratings << "userId,movieId,rating,timestamp\n";
  for (std::int32_t user = 1; user <= 40; ++user) {
    for (std::int32_t movie = 1; movie < kMovies; ++movie) {
      if ((user + movie) % 3 == 0) continue;
      const bool likes = (user % 2 == 0) == (movie % 2 == 0);
      ratings << user << "," << movie << ","
              << (likes       ? "4.5"
                  : movie % 2 ? "2.0"
                              : "2.5")
              << "," << 1000000 + user * 1000 + (movie * 7 + user) % kMovies * 37 << "\n";
    }
  }
  ratings << "1," << kRareMovie << ",5.0,2000000\n";
}

PipelineConfig sample_config(double train_ratio = 0.7) {
  PipelineConfig config;
  config.min_user_ratings = 3;
  config.min_movie_ratings = 5;
  config.train_ratio = train_ratio;
  config.k = 2;
  return config;
}

// preprocess's work, as the library does it, from the release in `data` into `out`.
void preprocess(const fs::path& data, const fs::path& out, const PipelineConfig& config) {
  PreprocessOptions options;
  options.data_dir = data;
  options.out_dir = out;
  options.config = config;
  run_preprocess(options);
}

struct ModelFolders {
  movierec::testing::TempDir temp;
  fs::path data = temp.path() / "data";
  fs::path processed = temp.path() / "processed";
  fs::path artifacts = temp.path() / "artifacts";

  ModelFolders() {
    write_release(data);
    preprocess(data, processed, sample_config());
    train_model(ProcessedFolder(processed), artifacts, sample_config());
  }
};

std::string load_error(const fs::path& artifacts, const fs::path& processed) {
  try {
    load_model(artifacts, processed);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "no error";
}

// Saves a changed copy of the artifacts into `to`.
template <typename Change>
void save_changed(const fs::path& from, const fs::path& to, Change change) {
  Artifacts artifacts = load_artifacts(from);
  change(artifacts);
  save_artifacts(to, artifacts);
}

}  // namespace

TEST_CASE("load_model joins artifacts and processed files") {
  ModelFolders folders;
  const Model model = load_model(folders.artifacts, folders.processed);
  // The 11 movies the filter kept, then the rare one, outside the trained catalog.
  REQUIRE(model.movie_count() == 12);
  CHECK(model.trained_movie_count() == 11);
  CHECK(model.artifacts().movie_map.id(11) == kRareMovie);
  CHECK(model.recommendable(10, 1'000'000));
  CHECK_FALSE(model.recommendable(11, Policy().min_evidence));
  CHECK(model.recommendable_count(0) == 12);
  CHECK(model.catalog().size() == kMovies);  // every movie of the release, kept or not
  CHECK(model.pipeline().min_movie_ratings == 5);
  CHECK(model.pipeline().k == 2);
  CHECK(model.artifacts().movie_embeddings.cols() == 2);
  CHECK(model.kept_movies().size() == 11);
  CHECK(model.kept_movies().count(kRareMovie) == 0);
  CHECK(std::is_sorted(model.genre_names().begin(), model.genre_names().end()));
  CHECK(model.genre_names() ==
        std::vector<std::string>{"Action", "Comedy", "Drama", "Romance", "Sci-Fi"});
  for (std::size_t row = 0; row < model.movie_count(); ++row) {
    const std::int32_t id = model.artifacts().movie_map.id(row);
    CHECK(model.info(row).id == id);
    if (row < model.trained_movie_count()) {
      CHECK(model.popularity()[row] == model.kept_movies().at(id));
    } else {  // folded in from its train ratings: by users the model knows, in their train time
      CHECK(model.popularity()[row] >= 0);
      CHECK(model.popularity()[row] < model.pipeline().min_movie_ratings);
    }
    std::vector<std::string> genres;
    for (const int genre : model.movie_genres()[row]) genres.push_back(model.genre_names()[genre]);
    std::vector<std::string> expected = model.info(row).genres;
    std::sort(expected.begin(), expected.end());
    CHECK(genres == expected);
  }
  CHECK(model.processed_manifest().at("program") == "preprocess");
}

TEST_CASE("artifacts trained on another processed/ are refused") {
  ModelFolders folders;
  preprocess(folders.data, folders.processed, sample_config(0.6));  // preprocess ran again
  const std::string error = load_error(folders.artifacts, folders.processed);
  CHECK_THAT(error,
             Catch::Contains("was trained on another") &&
                 Catch::Contains("train_transformed.csv") &&
                 Catch::EndsWith("(to fix it, run: build/bin/train_svd --processed " +
                                 folders.processed.string() + " --out " +
                                 folders.artifacts.string() + ")"));
}

TEST_CASE("processed files changed or missing since preprocess are refused") {
  ModelFolders folders;
  SECTION("metadata edited") {
    std::ofstream(folders.processed / "movie_metadata.csv", std::ios::app) << "\n";
    CHECK_THAT(load_error(folders.artifacts, folders.processed),
               Catch::Contains("movie_metadata.csv has changed since preprocess wrote it") &&
                   Catch::Contains("build/bin/preprocess --out " + folders.processed.string()));
  }
  SECTION("popularity missing") {
    fs::remove(folders.processed / "movie_popularity.json");
    CHECK_THAT(load_error(folders.artifacts, folders.processed),
               Catch::Contains("movie_popularity.json is missing") &&
                   Catch::Contains("build/bin/preprocess"));
  }
  SECTION("no manifest") {
    fs::remove(folders.processed / "manifest.json");
    CHECK_THAT(load_error(folders.artifacts, folders.processed),
               Catch::Contains("build/bin/preprocess"));
  }
  SECTION("no artifacts") {
    CHECK_THAT(load_error(folders.temp.path() / "none", folders.processed),
               Catch::Contains("build/bin/train_svd"));
  }
}

TEST_CASE("artifacts that disagree with processed/ or with themselves are refused") {
  ModelFolders folders;
  const fs::path changed = folders.temp.path() / "changed";
  SECTION("k disagrees with the recorded config") {
    save_changed(folders.artifacts, changed,
                 [](Artifacts& a) { a.manifest["config"]["train"]["k"] = 7; });
    CHECK_THAT(load_error(changed, folders.processed),
               Catch::Contains("k is 2 but its config says train.k = 7") &&
                   Catch::Contains("build/bin/train_svd"));
  }
  SECTION("an unknown config key") {
    save_changed(folders.artifacts, changed,
                 [](Artifacts& a) { a.manifest["config"]["filter"]["min_movie_rating"] = 3; });
    CHECK_THAT(load_error(changed, folders.processed),
               Catch::Contains("unknown key; did you mean 'filter.min_movie_ratings'?"));
  }
  SECTION("no record of the inputs") {
    save_changed(folders.artifacts, changed, [](Artifacts& a) { a.manifest.erase("inputs"); });
    CHECK_THAT(load_error(changed, folders.processed),
               Catch::Contains("does not record the processed files it was trained on"));
  }
  SECTION("an embedded movie missing from the metadata") {
    save_changed(folders.artifacts, changed, [](Artifacts& a) {
      std::vector<std::int32_t> ids = a.movie_map.ids();
      ids.back() = 999;
      a.movie_map = IdMap(ids);
    });
    CHECK_THAT(
        load_error(changed, folders.processed),
        Catch::Contains("movie 999 (row 10 of " + (changed / "movie_map.json").string() + ")") &&
            Catch::Contains("is not in " + (folders.processed / "movie_metadata.csv").string()));
  }
  SECTION("an embedded movie missing from the popularity") {
    save_changed(folders.artifacts, changed, [](Artifacts& a) {
      std::vector<std::int32_t> ids = a.movie_map.ids();
      ids.back() = kRareMovie;  // in the metadata, but the filter dropped it
      a.movie_map = IdMap(ids);
      a.outside_embeddings.resize(0, 0);  // where train_svd put it
      a.outside_map = IdMap();
      a.outside_ratings.resize(0);
    });
    CHECK_THAT(
        load_error(changed, folders.processed),
        Catch::Contains("is not in " + (folders.processed / "movie_popularity.json").string()));
  }
}

TEST_CASE("Model::build derives the per-movie tables once and refuses parts that disagree") {
  // Row 2 lists Drama twice: the model keeps each genre once.
  ModelParts parts = test::make_parts({{3, 4}, {0, 0}, {1, 0}}, {{1}, {0, 1}, {1, 1}}, {5, 0, 9},
                                      {"Comedy", "Drama"});
  const Model model = Model::build(parts);
  CHECK(model.movie_count() == 3);
  CHECK(model.genre_names() == std::vector<std::string>{"Comedy", "Drama"});
  CHECK(model.movie_genres() == std::vector<std::vector<int>>{{1}, {0, 1}, {1}});
  CHECK(model.popularity() == std::vector<std::int64_t>{5, 0, 9});
  CHECK(model.max_popularity() == 9);
  CHECK(model.squared_norms() == std::vector<float>{25, 0, 1});
  CHECK(model.norm_scale() == Approx(26.0 / 3));
  CHECK(model.info(1).title == "Movie 1");
  // Rows 0 and 2 share one genre list.
  CHECK(model.genre_set_count() == 2);
  CHECK(model.genre_set(0) == model.genre_set(2));
  for (std::size_t row = 0; row < 3; ++row) {
    const auto genres = model.genres(row);
    CHECK(std::vector<int>(genres.begin(), genres.end()) == model.movie_genres()[row]);
  }
  CHECK(model.popularity_shares() == std::vector<double>{5.0 / 9, 0, 1});

  // Every embedding zero: the unit stays 1, so that a session's A is invertible.
  ModelParts zero = parts;
  zero.artifacts.movie_embeddings.setZero();
  CHECK(Model::build(zero).norm_scale() == 1);

  ModelParts missing = parts;
  missing.kept_movies.erase(2);
  CHECK_THROWS_WITH(Model::build(missing),
                    "movie 2 (row 1 of movie_map.json) is not in movie_popularity.json");
  missing = parts;
  missing.kept_movies[3] = -1;
  CHECK_THROWS_AS(Model::build(missing), Error);
  missing = parts;
  missing.catalog = Catalog({missing.catalog.movies()[0], missing.catalog.movies()[1]});
  CHECK_THROWS_WITH(Model::build(missing),
                    "movie 3 (row 2 of movie_map.json) is not in movie_metadata.csv");
  missing = parts;
  missing.artifacts.movie_embeddings.conservativeResize(2, 2);
  CHECK_THROWS_WITH(Model::build(missing), Catch::Contains("are 2 x 2 for 3 ids"));
}
