// Progress for long runs, drawn on stderr only when stderr is a terminal (so logs and pipes stay
// clean). Redraws at most a few times a second.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace movierec {

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

}  // namespace movierec
