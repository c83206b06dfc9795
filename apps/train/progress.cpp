#include "apps/train/progress.h"

#include <unistd.h>

#include <cmath>

namespace excite::apps {

bool Progress::stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

std::string with_commas(int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

void Progress::start_epoch(int epoch, int epochs, int64_t steps) {
  epoch_ = epoch;
  epochs_ = epochs;
  steps_ = steps;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void Progress::step(int64_t done, int64_t images, double loss, double accuracy) {
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < steps_ && now - last_draw_ < std::chrono::milliseconds(100)) return;  // redraw 10x/s at most
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = done > 0 ? elapsed * static_cast<double>(steps_ - done) / static_cast<double>(done) : 0.0;
  constexpr int width = 28;
  const int filled = steps_ > 0 ? static_cast<int>(width * done / steps_) : width;
  std::string bar(filled, '#');
  bar.resize(width, '.');
  std::fprintf(out_, "\r\033[Kepoch %d/%d [%s] %lld/%lld  eta %s  %.0f img/s  loss %.4f  acc %.2f%%", epoch_, epochs_,
               bar.c_str(), static_cast<long long>(done), static_cast<long long>(steps_), format_duration(eta).c_str(),
               elapsed > 0 ? static_cast<double>(images) / elapsed : 0.0, loss, 100.0 * accuracy);
  std::fflush(out_);
}

void Progress::end_epoch(const std::string& line) {
  if (interactive_) std::fprintf(out_, "\r\033[K");
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace excite::apps
