#include "movierec/train/artifacts.hpp"
#include "movierec/train/artifacts_folder.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "movielens_test_support.hpp"
#include "movierec/io/error.hpp"

namespace fs = std::filesystem;
using movierec::Artifacts;
using movierec::ArtifactsFolder;
using movierec::IdMap;
using movierec::InputError;
using movierec::kArtifactsFormatVersion;
using movierec::load_artifacts;
using movierec::ModelError;
using movierec::RowMatrixXf;
using movierec::save_artifacts;
using movierec::testing::read_bytes;
using movierec::testing::TempDir;

namespace {

Artifacts sample_artifacts() {
  Artifacts a;
  a.user_embeddings = RowMatrixXf::Random(3, 2);
  a.movie_embeddings = RowMatrixXf::Random(4, 2);
  a.user_map = IdMap({7, 3, 12});
  a.movie_map = IdMap({1, 2, 50, 100000});
  a.manifest = {{"program", "test"}, {"singular_values", {2.0, 1.0}}};
  return a;
}

Artifacts biased_artifacts() {
  Artifacts a = sample_artifacts();
  a.user_bias.resize(3);
  a.user_bias << 0.5f, -0.25f, 0.0f;
  a.movie_bias.resize(4);
  a.movie_bias << 1.0f, -1.0f, 0.125f, 2.0f;
  a.global_mean = 3.5;
  return a;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Saves good artifacts into `dir`/artifacts, lets `damage` change them, and returns the
// message load_artifacts fails with (or "" if it loads).
template <typename Damage>
std::string load_failure(const TempDir& dir, Damage damage,
                         const Artifacts& good = sample_artifacts()) {
  const fs::path out = dir.path() / "artifacts";
  save_artifacts(out, good);
  damage(out);
  try {
    load_artifacts(out);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("IdMap maps ids to rows and back", "[artifacts]") {
  const IdMap map({10, 5, 7});
  CHECK(map.size() == 3);
  CHECK(map.id(1) == 5);
  CHECK(map.row(7) == std::optional<std::size_t>(2));
  CHECK_FALSE(map.row(8).has_value());
  CHECK(map.to_json() == nlohmann::json{{"10", 0}, {"5", 1}, {"7", 2}});
  const IdMap back = IdMap::from_json(map.to_json(), "map.json");
  CHECK(back.ids() == map.ids());
  CHECK_THROWS_WITH(IdMap({1, 2, 1}), Catch::Contains("id 1 appears twice"));
  CHECK(IdMap::from_json(nlohmann::json::object(), "empty.json").size() == 0);
}

TEST_CASE("IdMap::from_json refuses what is not a map of ids onto rows 0..n-1", "[artifacts]") {
  const auto refuses = [](const char* text, const std::string& what) {
    INFO(text);
    CHECK_THROWS_AS(IdMap::from_json(nlohmann::json::parse(text), "m.json"), InputError);
    CHECK_THROWS_WITH(IdMap::from_json(nlohmann::json::parse(text), "m.json"),
                      Catch::StartsWith("m.json: ") && Catch::Contains(what));
  };
  refuses("[1, 2]", "expected a JSON object");
  refuses(R"({"a": 0})", "\"a\" is not an integer id");
  refuses(R"({"07": 0})", "\"07\" is not an integer id");
  refuses(R"({"99999999999": 0})", "not an integer id");
  refuses(R"({"1": 0, "2": 2})", "row 2 is not an integer from 0 to 1");
  refuses(R"({"1": -1})", "row -1");
  refuses(R"({"1": 0.0})", "row 0.0");
  refuses(R"({"1": "0"})", "row \"0\"");
  refuses(R"({"1": 0, "2": 0})", "row 0 is given twice");
}

TEST_CASE("artifacts round trip through a folder", "[artifacts]") {
  TempDir dir;
  const fs::path out = dir.path() / "artifacts";
  const Artifacts saved = sample_artifacts();
  save_artifacts(out, saved);
  const Artifacts loaded = load_artifacts(out);
  CHECK(loaded.user_embeddings == saved.user_embeddings);
  CHECK(loaded.movie_embeddings == saved.movie_embeddings);
  CHECK(loaded.user_map.ids() == saved.user_map.ids());
  CHECK(loaded.movie_map.ids() == saved.movie_map.ids());
  CHECK(loaded.manifest["format_version"] == movierec::kArtifactsFormatVersion);
  CHECK(loaded.manifest["k"] == 2);
  CHECK(loaded.manifest["program"] == "test");
  // JSON is pretty-printed for people reading it.
  CHECK(read_bytes(out / "user_map.json") == "{\n  \"12\": 2,\n  \"3\": 1,\n  \"7\": 0\n}\n");
}

TEST_CASE("saving artifacts replaces the folder whole and keeps its README", "[artifacts]") {
  TempDir dir;
  const fs::path out = dir.path() / "artifacts";
  fs::create_directories(out);
  write_text(out / "README.md", "kept\n");
  write_text(out / "stale.npy", "old output\n");
  save_artifacts(out, sample_artifacts());
  CHECK(read_bytes(out / "README.md") == "kept\n");
  CHECK_FALSE(fs::exists(out / "stale.npy"));
  for (const char* name : {"user_embeddings.npy", "movie_embeddings.npy", "user_map.json",
                           "movie_map.json", "manifest.json"}) {
    CHECK(fs::exists(out / name));
  }
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    CHECK(entry.path().filename() == "artifacts");  // no temporary folder left behind
  }
}

TEST_CASE("saving inconsistent artifacts is refused before anything is written", "[artifacts]") {
  TempDir dir;
  Artifacts bad = sample_artifacts();
  bad.movie_embeddings = RowMatrixXf::Random(4, 3);
  CHECK_THROWS_WITH(save_artifacts(dir.path() / "artifacts", bad),
                    Catch::Contains("inconsistent artifacts"));
  bad = sample_artifacts();
  bad.user_map = IdMap({1, 2});
  CHECK_THROWS_AS(save_artifacts(dir.path() / "artifacts", bad), movierec::Error);
  CHECK_FALSE(fs::exists(dir.path() / "artifacts"));
}

TEST_CASE("loading refuses damaged artifacts, naming the file and the fix", "[artifacts]") {
  TempDir dir;
  const auto fails_with = [&](const std::string& file, const std::string& what, auto damage) {
    INFO(file << ": " << what);
    const std::string message = load_failure(dir, damage);
    CHECK_THAT(message, Catch::Contains(file) && Catch::Contains(what) &&
                            Catch::EndsWith("(to fix it, run: build/bin/train_svd --out " +
                                            (dir.path() / "artifacts").string() + ")"));
  };
  fails_with("user_embeddings.npy", "is missing",
             [](const fs::path& out) { fs::remove(out / "user_embeddings.npy"); });
  fails_with("movie_map.json", "is missing",
             [](const fs::path& out) { fs::remove(out / "movie_map.json"); });
  fails_with("manifest.json", "is missing",
             [](const fs::path& out) { fs::remove(out / "manifest.json"); });
  fails_with("movie_embeddings.npy", "truncated", [](const fs::path& out) {
    fs::resize_file(out / "movie_embeddings.npy", fs::file_size(out / "movie_embeddings.npy") - 4);
  });
  fails_with("user_embeddings.npy", "dtype '<f8'", [](const fs::path& out) {
    std::string bytes = read_bytes(out / "user_embeddings.npy");
    bytes.replace(bytes.find("<f4"), 3, "<f8");
    write_text(out / "user_embeddings.npy", bytes);
  });
  fails_with("user_embeddings.npy", "has 3 rows but user_map.json maps 2 ids",
             [](const fs::path& out) { write_text(out / "user_map.json", R"({"7": 0, "3": 1})"); });
  fails_with("user_embeddings.npy", "has 2 columns but the manifest says k = 3",
             [](const fs::path& out) {
               nlohmann::json manifest = nlohmann::json::parse(read_bytes(out / "manifest.json"));
               manifest["k"] = 3;
               write_text(out / "manifest.json", manifest.dump());
             });
  fails_with("manifest.json", "format version 2 is not supported", [](const fs::path& out) {
    nlohmann::json manifest = nlohmann::json::parse(read_bytes(out / "manifest.json"));
    manifest["format_version"] = 2;
    write_text(out / "manifest.json", manifest.dump());
  });
  fails_with("manifest.json", "'format_version' is missing",
             [](const fs::path& out) { write_text(out / "manifest.json", R"({"k": 2})"); });
  fails_with("manifest.json", "not valid JSON",
             [](const fs::path& out) { write_text(out / "manifest.json", "{\"k\": 2,"); });
  fails_with("movie_map.json", "is not an integer id",
             [](const fs::path& out) { write_text(out / "movie_map.json", R"({"x": 0})"); });
  for (const float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    fails_with("movie_embeddings.npy", "NaN or infinite", [bad](const fs::path& out) {
      Artifacts a = sample_artifacts();
      a.movie_embeddings(2, 1) = bad;
      std::ofstream file(out / "movie_embeddings.npy", std::ios::binary | std::ios::trunc);
      movierec::write_npy(file, a.movie_embeddings);
    });
  }
}

TEST_CASE("loading a missing folder says which command makes it", "[artifacts]") {
  TempDir dir;
  try {
    load_artifacts(dir.path() / "artifacts");
    FAIL("loaded a missing folder");
  } catch (const ModelError& e) {
    CHECK_THAT(e.what(), Catch::Contains("no folder") && Catch::Contains("train_svd"));
  }
  CHECK_THROWS_WITH(
      load_artifacts("no/such/artifacts/"),
      Catch::EndsWith("(to fix it, run: build/bin/train_svd --out no/such/artifacts/)"));
  // The default folder gets the default command.
  TempDir cwd;
  const fs::path previous = fs::current_path();
  fs::current_path(cwd.path());
  CHECK_THROWS_WITH(load_artifacts("artifacts"),
                    Catch::EndsWith("(to fix it, run: build/bin/train_svd)"));
  fs::current_path(previous);
  // Trained from another processed/: the command names it too.
  CHECK_THROWS_WITH(ArtifactsFolder("no/such/artifacts", "other/"),
                    Catch::EndsWith("(to fix it, run: build/bin/train_svd --processed other/ "
                                    "--out no/such/artifacts)"));
}

TEST_CASE("ArtifactsFolder reads its manifest once and names both folders in its fix",
          "[artifacts]") {
  TempDir dir;
  const fs::path out = dir.path() / "artifacts";
  save_artifacts(out, sample_artifacts());
  const ArtifactsFolder folder(out, dir.path() / "p");
  CHECK(folder.k() == 2);
  CHECK(folder.manifest()["format_version"] == kArtifactsFormatVersion);
  CHECK(folder.fix() == "build/bin/train_svd --processed " + (dir.path() / "p").string() +
                            " --out " + out.string());
  const Artifacts loaded = folder.load();
  CHECK(loaded.manifest == folder.manifest());
  CHECK(loaded.movie_embeddings.cols() == 2);
  // The manifest was read when the folder was opened: a damaged file is found by load().
  fs::remove(out / "movie_map.json");
  CHECK_THROWS_WITH(folder.load(), Catch::Contains("movie_map.json is missing") &&
                                       Catch::EndsWith("--out " + out.string() + ")"));
}

TEST_CASE("artifacts with biases round trip; without, no bias files are written", "[artifacts]") {
  TempDir dir;
  const fs::path out = dir.path() / "artifacts";
  const Artifacts saved = biased_artifacts();
  save_artifacts(out, saved);
  const Artifacts loaded = load_artifacts(out);
  REQUIRE(loaded.has_biases());
  CHECK(loaded.user_bias == saved.user_bias);
  CHECK(loaded.movie_bias == saved.movie_bias);
  CHECK(loaded.global_mean == 3.5);
  CHECK(loaded.manifest["global_mean"] == 3.5);
  // numpy reads them as 1-D arrays.
  CHECK(read_bytes(out / "movie_bias.npy").find("'shape': (4,)") != std::string::npos);

  save_artifacts(out, sample_artifacts());
  const Artifacts plain = load_artifacts(out);
  CHECK_FALSE(plain.has_biases());
  CHECK(plain.user_bias.size() == 0);
  CHECK(plain.global_mean == 0);
  CHECK_FALSE(plain.manifest.contains("global_mean"));
  CHECK_FALSE(fs::exists(out / "user_bias.npy"));
  CHECK_FALSE(fs::exists(out / "movie_bias.npy"));
}

TEST_CASE("saving biases of the wrong length is refused", "[artifacts]") {
  TempDir dir;
  Artifacts bad = biased_artifacts();
  bad.movie_bias.resize(3);
  CHECK_THROWS_WITH(save_artifacts(dir.path() / "artifacts", bad),
                    Catch::Contains("3 movie biases for 4 ids"));
  bad = biased_artifacts();
  bad.user_bias.resize(0);
  CHECK_THROWS_WITH(save_artifacts(dir.path() / "artifacts", bad),
                    Catch::Contains("0 user biases for 3 ids"));
  CHECK_FALSE(fs::exists(dir.path() / "artifacts"));
}

TEST_CASE("loading refuses damaged or half-present biases", "[artifacts]") {
  TempDir dir;
  const auto fails_with = [&](const std::string& what, auto damage) {
    INFO(what);
    const std::string message = load_failure(dir, damage, biased_artifacts());
    CHECK_THAT(message, Catch::Contains(what) && Catch::Contains("build/bin/train_svd"));
  };
  const auto write_bias = [](const fs::path& path, Eigen::VectorXf values) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    movierec::write_npy(file, values);
  };
  fails_with(
      "movie_bias.npy: has 3 values but movie_map.json maps 4 ids",
      [&](const fs::path& out) { write_bias(out / "movie_bias.npy", Eigen::VectorXf::Ones(3)); });
  fails_with("user_bias.npy: has 5 values but user_map.json maps 3 ids", [&](const fs::path& out) {
    write_bias(out / "user_bias.npy", Eigen::VectorXf::Ones(5));
  });
  fails_with("user_bias.npy is there but movie_bias.npy is missing",
             [](const fs::path& out) { fs::remove(out / "movie_bias.npy"); });
  fails_with("manifest.json records a global_mean but user_bias.npy is missing",
             [](const fs::path& out) {
               fs::remove(out / "movie_bias.npy");
               fs::remove(out / "user_bias.npy");
             });
  fails_with("manifest.json records no global_mean", [](const fs::path& out) {
    nlohmann::json manifest = nlohmann::json::parse(read_bytes(out / "manifest.json"));
    manifest.erase("global_mean");
    write_text(out / "manifest.json", manifest.dump());
  });
  fails_with("global_mean \"x\" is not a finite number", [](const fs::path& out) {
    nlohmann::json manifest = nlohmann::json::parse(read_bytes(out / "manifest.json"));
    manifest["global_mean"] = "x";
    write_text(out / "manifest.json", manifest.dump());
  });
  fails_with("movie_bias.npy: holds NaN or infinite values", [&](const fs::path& out) {
    Eigen::VectorXf values = Eigen::VectorXf::Ones(4);
    values[1] = std::numeric_limits<float>::infinity();
    write_bias(out / "movie_bias.npy", values);
  });
  fails_with("user_bias.npy", [](const fs::path& out) {
    write_text(out / "user_bias.npy", read_bytes(out / "user_embeddings.npy"));  // 2-D
  });
}

TEST_CASE("outside movies round trip, all three files or none, never also trained", "[artifacts]") {
  TempDir dir;
  const fs::path out = dir.path() / "artifacts";
  Artifacts saved = sample_artifacts();
  saved.outside_embeddings = RowMatrixXf::Random(2, 2);
  saved.outside_map = IdMap({40, 3});
  saved.outside_ratings = Eigen::VectorXf::Zero(2);
  saved.outside_ratings[1] = 7;
  save_artifacts(out, saved);
  const Artifacts loaded = load_artifacts(out);
  CHECK(loaded.outside_embeddings == saved.outside_embeddings);
  CHECK(loaded.outside_map.ids() == saved.outside_map.ids());
  CHECK(loaded.outside_ratings == saved.outside_ratings);

  const auto refused = [&](const std::string& what, auto damage) {
    save_artifacts(out, saved);
    damage();
    INFO(what);
    CHECK_THROWS_WITH(load_artifacts(out), Catch::Contains(what));
  };
  refused("go together", [&] { fs::remove(out / "outside_movie_ratings.npy"); });
  refused("movie 2 is in both",
          [&] { write_text(out / "outside_movie_map.json", R"({"40": 0, "2": 1})"); });
  Artifacts fractional = saved;
  fractional.outside_ratings[0] = 0.5F;
  refused("not a count of ratings", [&] { save_artifacts(out, fractional); });

  Artifacts ragged = saved;
  ragged.outside_ratings = Eigen::VectorXf::Zero(3);
  CHECK_THROWS_WITH(save_artifacts(out, ragged), Catch::Contains("outside movies"));
  save_artifacts(out, sample_artifacts());
  CHECK_FALSE(fs::exists(out / "outside_movie_map.json"));
  CHECK(load_artifacts(out).outside_map.size() == 0);
}
