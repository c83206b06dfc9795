// apps/train/dist/watchdog.cpp — the collective timer and the thread that watches it.
#include "apps/train/dist/watchdog.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <unistd.h>

#include "apps/train/dist/communicator.h"

namespace excite::dist {

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::atomic<int64_t> g_waiting_since{0};  // 0: not in a collective
std::atomic<const char*> g_waiting_in{""};

}  // namespace

CollectiveTimer::CollectiveTimer(const char* what) {
  g_waiting_in = what;
  g_waiting_since = now_ns();
}

CollectiveTimer::~CollectiveTimer() { g_waiting_since = 0; }

Watchdog::Watchdog(double seconds) : seconds_(seconds) {
  if (seconds_ > 0 && distributed()) thread_ = std::thread([this] { run(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Watchdog::run() {
  const auto limit = static_cast<int64_t>(seconds_ * 1e9);
  std::unique_lock lock(mutex_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stop_; })) {
    const int64_t since = g_waiting_since.load();
    if (since == 0 || now_ns() - since <= limit) continue;
    std::fprintf(stderr,
                 "excite: error: rank %d of %d waited %.0f s in %s: another rank died or stopped answering "
                 "(--dist-timeout %g); ending the job, the last checkpoint is intact\n",
                 rank(), size(), static_cast<double>(now_ns() - since) / 1e9, g_waiting_in.load(), seconds_);
    std::fflush(stderr);
    _exit(3);
  }
}

}  // namespace excite::dist
