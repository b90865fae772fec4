// Spark MLlib ALS factors into artifacts/: a model trained on a cluster, served by recommend,
// serve and evaluate like one of ours. Spark writes each side with
//   model.userFactors.write.json("DIR/userFactors")
//   model.itemFactors.write.json("DIR/itemFactors")
// as folders of part-* files, one JSON object a line: {"id": 12, "features": [0.1, -0.3, ...]}
// (README, "Spark"). Spark's explicit ALS predicts stars as user · item, so the artifacts are
// model spark_als, target rating, predicts stars, no biases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "movierec/data/pipeline_config.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/io/npy.hpp"

namespace movierec {

// One side's factors: row i of `factors` belongs to ids[i], rows in file order.
struct SparkFactors {
  std::vector<std::int32_t> ids;
  RowMatrixXf factors;
};

// Reads every part-* file of `dir` (by name; Spark's _SUCCESS and .crc files are skipped).
// Throws InputError "file:line: problem" for a line that is not such an object, an id that is
// not a whole number in 32 bits or was seen before (naming where), a feature that is not a
// finite number, or a features list whose length differs from the first line's; Error when
// `dir` is not a folder or holds no part-* file or no line.
SparkFactors read_spark_factors(const std::filesystem::path& dir);

// Imports spark_dir/userFactors and spark_dir/itemFactors against `processed`: the users and
// movies of its train ratings that have factors become the artifacts' rows (ids ascending), the
// manifest records model spark_als, k, target rating, the processed inputs' checksums, `config`
// with train.k, train.model als and train.target rating (what the loaders check), the
// validation RMSE, and "spark": {users, movies}: {imported, only_in_spark (ids processed/ does
// not train on), without_factors (ids of processed/'s train ratings Spark has no factors for)}.
// Throws as read_spark_factors, Error when the two sides' k differ or no user or no movie
// matches, ModelError as ProcessedFolder; writes out_dir atomically, nothing on failure.
// Returns the manifest.
nlohmann::json import_spark_factors(const std::filesystem::path& spark_dir,
                                    const ProcessedFolder& processed,
                                    const std::filesystem::path& out_dir,
                                    const PipelineConfig& config);

}  // namespace movierec
