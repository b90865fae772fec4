// The library's one error policy: it throws these typed exceptions, whose what() is a complete
// message for a person (what is wrong and where). Programs catch them once in main and exit
// non-zero; the REPL catches them per command and keeps the session alive.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace movierec {

// Base of everything the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Malformed or unusable input data. what() reads "source:line: problem" (or "source: problem"
// when the problem concerns the whole file, line == 0).
class InputError : public Error {
 public:
  InputError(std::string source, std::size_t line, std::string problem);

  const std::string& source() const { return source_; }
  std::size_t line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string source_;
  std::size_t line_;
  std::string problem_;
};

// A configuration or policy value that is unknown, mistyped or out of range. what() reads
// "source:line: key 'name': problem"; line is 0 for flags or when no line is known.
class ConfigError : public Error {
 public:
  ConfigError(std::string source, std::size_t line, std::string key, std::string problem);

  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// Model files (processed/, artifacts/) that are missing, corrupt or do not belong together.
// what() ends with the command that makes or repairs them, e.g. "run: build/bin/train_svd".
class ModelError : public Error {
 public:
  ModelError(const std::string& problem, const std::string& fix);
};

}  // namespace movierec
