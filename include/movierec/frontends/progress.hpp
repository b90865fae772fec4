// Progress of long runs for a person, drawn on stderr only when stderr is a terminal (so logs and
// pipes stay clean). Redraws at most a few times a second.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "movierec/io/progress.hpp"

namespace movierec {

// One step's line.
class Progress {
 public:
  // `total` 0 means unknown: the count is shown without a percentage.
  explicit Progress(std::string label, std::size_t total = 0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::size_t done);
  // Clears the line. Called by the destructor too.
  void finish();

  // True when stderr is a terminal.
  static bool enabled();

 private:
  std::string label_;
  std::size_t total_;
  bool active_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

// Draws what the library reports through a ProgressSink: each step on the line of the step before
// it; finish() or the destructor clears the line. The sink must not outlive the display, and
// takes one call at a time.
class ProgressDisplay {
 public:
  ProgressDisplay() = default;
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  ProgressSink sink();
  void finish();

 private:
  std::optional<Progress> line_;
  std::string step_;
};

}  // namespace movierec
