// Fuzzes the two YAML configs. The input's first byte picks the file (even: the pipeline config,
// config.hpp; odd: the session policy, policy.hpp); the rest is the file.
//
// Pipeline: apply_yaml over the defaults, then validate, as load_pipeline_config does; values that
// were read must lie in their key's range. Policy: read_policy; a policy it returns must validate,
// and its values written back as YAML must read back to the same policy. Only ConfigError or
// InputError may escape.
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>

#include "fuzz_support.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/io/error.hpp"
#include "movierec/session/policy.hpp"

namespace {

using movierec::fuzz::check;

void fuzz_pipeline(std::istream& in) {
  movierec::PipelineConfig config;
  try {
    movierec::apply_yaml(in, "pipeline.yaml", config.fields());
    config.validate("pipeline.yaml");
  } catch (const movierec::ConfigError&) {
    return;
  } catch (const movierec::InputError&) {
    return;
  }
  for (const movierec::ConfigField& field : config.fields()) {
    std::visit(
        [&](const auto& value) {
          using T = std::remove_cvref_t<decltype(value)>;
          if constexpr (std::is_same_v<T, int*> || std::is_same_v<T, double*>) {
            check(*value >= field.min && *value <= field.max, "a value outside its key's range");
          } else if constexpr (std::is_same_v<T, movierec::ChoiceField>) {
            check(value.index() < value.names().size(), "a choice outside its names");
          }
        },
        field.value);
  }
}

void fuzz_policy(std::istream& in) {
  movierec::Policy policy;
  try {
    policy = movierec::read_policy(in, "policy.yaml");
  } catch (const movierec::ConfigError&) {
    return;
  } catch (const movierec::InputError&) {
    return;
  }
  policy.validate("policy.yaml");
  // dump() writes the shortest text that reads back to the same double.
  std::ostringstream yaml;
  const nlohmann::json values = policy.to_json();
  for (const auto& entry : values.items()) {
    yaml << entry.key() << ": " << entry.value().dump() << '\n';
  }
  std::istringstream again(yaml.str());
  check(movierec::read_policy(again, "again").to_json() == policy.to_json(),
        "a policy written back reads back differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::istringstream in{std::string(movierec::fuzz::as_text(data + 1, size - 1))};
  if (data[0] % 2 == 0) {
    fuzz_pipeline(in);
  } else {
    fuzz_policy(in);
  }
  return 0;
}
