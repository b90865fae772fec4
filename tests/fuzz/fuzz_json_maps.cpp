// Fuzzes what the loaders make of JSON (artifacts.hpp, config.hpp): the input is parsed as JSON
// (inputs that are not JSON are skipped: nlohmann's parser is not ours to fuzz) and given to
// IdMap::from_json, as user_map.json and movie_map.json are, and to apply_json on the pipeline
// config and the policy, as a manifest's recorded config is. Only InputError and ConfigError may
// escape; a map read back must map each id to its row, and its to_json must give the same map.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "movierec/train/artifacts.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/io/error.hpp"
#include "movierec/session/policy.hpp"

namespace {

using movierec::fuzz::check;

void fuzz_map(const nlohmann::json& json) {
  movierec::IdMap map;
  try {
    map = movierec::IdMap::from_json(json, "user_map.json");
  } catch (const movierec::InputError&) {
    return;
  }
  check(map.size() == json.size(), "a map of another size than its JSON");
  for (std::size_t row = 0; row < map.size(); ++row) {
    check(map.row(map.id(row)) == row, "an id that does not map back to its row");
  }
  check(map.to_json() == json, "a map whose to_json differs from the JSON it was read from");
}

void fuzz_configs(const nlohmann::json& json) {
  try {
    movierec::PipelineConfig config;
    movierec::apply_json(json, "manifest.json (config)", config.fields());
    config.validate("manifest.json (config)");
  } catch (const movierec::ConfigError&) {
  }
  try {
    movierec::Policy policy;
    movierec::apply_json(json, "policy", policy.fields());
    policy.validate("policy");
  } catch (const movierec::ConfigError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  fuzz_map(json);
  fuzz_configs(json);
  return 0;
}
