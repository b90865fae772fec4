// artifacts/ as its readers see it (recommend, evaluate): the manifest read and checked once, the
// files loaded and checked against it and against the processed/ they were trained on, and the
// command that remakes the folder named in every refusal. artifacts.hpp describes the files.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "movierec/data/pipeline_config.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/io/error.hpp"
#include "movierec/train/artifacts.hpp"

namespace movierec {

class ArtifactsFolder {
 public:
  static constexpr std::string_view kDefaultDir = "artifacts";  // train_svd's default --out

  // Reads and checks dir/manifest.json: present, a JSON object of this build's format version
  // with a positive integer k. `processed_dir` is the folder train_svd would train on to remake
  // this one: fix() names it. Throws ModelError (fix: fix()) otherwise.
  explicit ArtifactsFolder(std::filesystem::path dir,
                           std::filesystem::path processed_dir = ProcessedFolder::kDefaultDir);

  const std::filesystem::path& dir() const { return dir_; }
  const nlohmann::json& manifest() const { return manifest_; }
  int k() const { return k_; }
  // "build/bin/train_svd", with " --processed P" and " --out A" for the folders that are not the
  // defaults.
  std::string fix() const;
  // A refusal of this folder: `problem`, then fix().
  ModelError error(const std::string& problem) const;

  // Every file read and checked: present, readable and well-formed, embedding rows equal to the
  // id maps' sizes, both embeddings with the manifest's k columns, every value finite; the bias
  // files both or neither, each of its map's length, and present exactly when the manifest has a
  // numeric global_mean. Throws ModelError naming the file.
  Artifacts load() const;
  // Throws ModelError unless the manifest's "inputs" are files `processed` lists, with the
  // checksums it lists: the artifacts were trained on this very processed/.
  void check_trained_on(const ProcessedFolder& processed) const;
  // The pipeline config train_svd recorded, read with this build's keys and ranges and
  // validated, its train.k the manifest's k. Throws ModelError.
  PipelineConfig config() const;

 private:
  std::filesystem::path dir_;
  std::filesystem::path processed_dir_;
  nlohmann::json manifest_;
  int k_ = 0;
};

}  // namespace movierec
