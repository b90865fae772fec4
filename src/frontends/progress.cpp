#include "movierec/frontends/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace movierec {
namespace {
constexpr auto kRedrawEvery = std::chrono::milliseconds(200);
}

bool Progress::enabled() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string label, std::size_t total)
    : label_(std::move(label)), total_(total), active_(enabled()), last_() {}

Progress::~Progress() { finish(); }

void Progress::update(std::size_t done) {
  if (!active_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < kRedrawEvery) return;
  last_ = now;
  drawn_ = true;
  if (total_ > 0) {
    std::fprintf(stderr, "\r\033[K%s: %zu / %zu (%.0f%%)", label_.c_str(), done, total_,
                 100.0 * static_cast<double>(done) / static_cast<double>(total_));
  } else {
    std::fprintf(stderr, "\r\033[K%s: %zu", label_.c_str(), done);
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (active_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  drawn_ = false;
}

ProgressSink ProgressDisplay::sink() {
  return [this](std::string_view step, std::size_t done, std::size_t total) {
    if (!line_ || step != step_) {
      line_.reset();  // clears the previous step's line first
      step_ = step;
      line_.emplace(step_, total);
    }
    line_->update(done);
  };
}

void ProgressDisplay::finish() { line_.reset(); }

}  // namespace movierec
