// apps/train/progress.h — what a training run shows while it runs.
//
// On a terminal: one bar per epoch, redrawn in place, with ETA, images/s, running loss and
// accuracy. Otherwise (a log file, CI): nothing during the epoch, one plain line at its end.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace excite::apps {

class Progress {
 public:
  Progress(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}
  static bool stdout_is_terminal();

  void start_epoch(int epoch, int epochs, int64_t steps);
  // After each step: images seen so far in the epoch, running mean loss and accuracy.
  void step(int64_t done_steps, int64_t images, double loss, double accuracy);
  // The epoch's closing line (always printed).
  void end_epoch(const std::string& line);

 private:
  std::FILE* out_;
  bool interactive_;
  int epoch_ = 0, epochs_ = 0;
  int64_t steps_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

std::string format_duration(double seconds);  // "1:05" or "1:02:03"
std::string with_commas(int64_t n);            // "21,956,392"

}  // namespace excite::apps
