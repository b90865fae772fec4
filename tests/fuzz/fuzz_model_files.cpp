// Fuzzes the one model loader (model.hpp, through the folder types) on whole folders: the
// manifests' handling (format versions, k, the recorded config, input checksums, the processed
// files' checksums), the id maps, the .npy embeddings and biases, movie_metadata.csv and
// movie_popularity.json, and how they are checked against each other. The input is ten files
// separated by lines holding "--", in the order of kFiles below, after one flags byte; an empty
// part leaves that file out. With bit 0 of the flags set, the target writes the checksums the files
// need into the manifests (when they are JSON objects), so that mutations reach the readers behind
// the checksum checks.
//
// load_model may only throw ModelError, the refusal that names its fix; a model it returns must
// hold together, and a session on it must run.
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fuzz_support.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/session.hpp"

namespace {

namespace fs = std::filesystem;
using movierec::fuzz::check;

enum Part : std::size_t {
  kArtifactsManifest,
  kUserMap,
  kMovieMap,
  kUserEmbeddings,
  kMovieEmbeddings,
  kProcessedManifest,
  kMetadata,
  kPopularity,
  kUserBias,
  kMovieBias,
  kParts
};

const std::array<const char*, kParts> kFiles = {
    "artifacts/manifest.json",       "artifacts/user_map.json",         "artifacts/movie_map.json",
    "artifacts/user_embeddings.npy", "artifacts/movie_embeddings.npy",  "processed/manifest.json",
    "processed/movie_metadata.csv",  "processed/movie_popularity.json", "artifacts/user_bias.npy",
    "artifacts/movie_bias.npy"};

// One folder per process, in TMPDIR (bench/fuzz.sh points it at /dev/shm when it can).
const fs::path& work_dir() {
  static const fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "movierec-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) movierec::fuzz::fail("cannot make a temporary folder");
    fs::create_directory(fs::path(pattern) / "artifacts");
    fs::create_directory(fs::path(pattern) / "processed");
    std::atexit([] { fs::remove_all(work_dir()); });
    return fs::path(pattern);
  }();
  return dir;
}

std::string checksum(const std::string& bytes) {
  movierec::Checksum sum;
  sum.update(bytes);
  return sum.hex();
}

// Writes into the manifests the checksums that make the files belong together.
void fix_checksums(std::array<std::string, kParts>& parts) {
  nlohmann::json processed = nlohmann::json::parse(parts[kProcessedManifest], nullptr, false);
  nlohmann::json artifacts = nlohmann::json::parse(parts[kArtifactsManifest], nullptr, false);
  if (!processed.is_object() || !artifacts.is_object()) return;
  nlohmann::json& files = processed["files"];
  if (!files.is_object()) files = nlohmann::json::object();
  files["movie_metadata.csv"]["checksum"] = checksum(parts[kMetadata]);
  files["movie_popularity.json"]["checksum"] = checksum(parts[kPopularity]);
  const std::string train = "0123456789abcdef";
  files["train_transformed.csv"]["checksum"] = train;
  artifacts["inputs"] = {{"train_transformed.csv", train}};
  parts[kProcessedManifest] = processed.dump();
  parts[kArtifactsManifest] = artifacts.dump();
}

void check_model(const movierec::Model& model) {
  const std::size_t movies = model.movie_count();
  check(static_cast<std::size_t>(model.artifacts().movie_embeddings.rows()) == movies,
        "embedding rows differ from the movies");
  check(model.popularity().size() == movies && model.movie_genres().size() == movies,
        "per-row data of another size");
  check(model.artifacts().movie_embeddings.allFinite() &&
            model.artifacts().user_embeddings.allFinite(),
        "embeddings with NaN or infinite values");
  const movierec::Artifacts& artifacts = model.artifacts();
  if (artifacts.has_biases()) {
    check(static_cast<std::size_t>(artifacts.movie_bias.size()) == movies &&
              artifacts.user_bias.size() == artifacts.user_embeddings.rows(),
          "biases of another length than their map");
    check(artifacts.movie_bias.allFinite() && artifacts.user_bias.allFinite(),
          "biases with NaN or infinite values");
  } else {
    check(artifacts.user_bias.size() == 0, "user biases without movie biases");
  }
  for (std::size_t row = 0; row < movies; ++row) {
    check(model.catalog_index()[row] < model.catalog().size(), "a catalog index out of range");
    check(model.info(row).id == model.artifacts().movie_map.id(row), "a row of another movie");
    for (const int genre : model.movie_genres()[row]) {
      check(genre >= 0 && static_cast<std::size_t>(genre) < model.genre_names().size(),
            "a genre index out of range");
    }
  }
}

// Four favourites and a few answers, as recommend would run them.
void run_session(const movierec::Model& model) {
  if (model.movie_count() < movierec::Session::kFavourites) return;
  movierec::Session session(model, movierec::Policy{}, 1);
  for (std::size_t row = 0; row < movierec::Session::kFavourites; ++row) {
    session.add_favourite(row);
  }
  for (int answer = 0; answer < 3; ++answer) {
    if (!session.next()) break;
    (void)session.explain();
    session.feedback(answer == 0 ? movierec::Feedback::kLike : movierec::Feedback::kDislike);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto split =
      movierec::fuzz::split_files(movierec::fuzz::as_text(data + 1, size - 1), kParts);
  std::array<std::string, kParts> parts;
  std::copy(split.begin(), split.end(), parts.begin());
  if ((data[0] & 1) != 0) fix_checksums(parts);

  const fs::path& dir = work_dir();
  for (std::size_t i = 0; i < kParts; ++i) {
    const fs::path path = dir / kFiles[i];
    if (parts[i].empty()) {
      fs::remove(path);
      continue;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(parts[i].data(), static_cast<std::streamsize>(parts[i].size()));
    if (!out.flush()) movierec::fuzz::fail("cannot write the model files");
  }
  std::optional<movierec::Model> model;
  try {
    model = movierec::load_model(dir / "artifacts", dir / "processed");
  } catch (const movierec::ModelError&) {
    return 0;
  }
  check_model(*model);
  run_session(*model);
  return 0;
}
