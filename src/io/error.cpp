#include "movierec/io/error.hpp"

#include <utility>

namespace movierec {
namespace {

std::string located(const std::string& source, std::size_t line, const std::string& problem) {
  std::string where = source;
  if (line > 0) where += ":" + std::to_string(line);
  return where + ": " + problem;
}

}  // namespace

InputError::InputError(std::string source, std::size_t line, std::string problem)
    : Error(located(source, line, problem)),
      source_(std::move(source)),
      line_(line),
      problem_(std::move(problem)) {}

ConfigError::ConfigError(std::string source, std::size_t line, std::string key,
                         std::string problem)
    : Error(located(source, line, "key '" + key + "': " + problem)), key_(std::move(key)) {}

ModelError::ModelError(const std::string& problem, const std::string& fix)
    : Error(problem + " (to fix it, run: " + fix + ")") {}

}  // namespace movierec
