// Progress for long runs, drawn on stderr only when stderr is a terminal (so logs and pipes stay
// clean). Redraws at most a few times a second.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace movierec {

// How the library reports a long step's progress: `step` names it for a person ("reading
// train_transformed.csv"), `done` is how much of it is done, `total` how much there is (0 when
// unknown). A step's calls come one at a time, from the calling thread unless a function says
// otherwise; the library never prints progress itself. Empty: nobody listens.
using ProgressSink =
    std::function<void(std::string_view step, std::size_t done, std::size_t total)>;

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
