#!/usr/bin/env bash
# The seed design's offline pipeline as its seed lays it out (its preprocess/setup.py, then
# model/train_svd_model.py): four Python programs in turn, each reading the files the one before
# wrote, with the settings of config/seed_pipeline.yaml.
#
#   bench/seed_scripts/run.sh DATA_FOLDER OUT_FOLDER    (writes OUT/processed and OUT/artifacts)
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
data=${1:?usage: run.sh DATA_FOLDER OUT_FOLDER} out=${2:?usage: run.sh DATA_FOLDER OUT_FOLDER}
for step in filter_data split_data transform_data; do
  /usr/bin/python3 "$here/$step.py" "$data" "$out/processed"
done
/usr/bin/python3 "$here/train_svd_model.py" "$out/processed" "$out/artifacts"
