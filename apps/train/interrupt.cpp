// apps/train/interrupt.cpp — the handlers: record the first signal, re-raise the second.
#include "apps/train/interrupt.h"

#include <signal.h>

#include <cstdlib>
#include <string>

namespace excite::apps {

namespace {

volatile sig_atomic_t g_signal = 0;
struct sigaction g_previous_int, g_previous_term;

void on_signal(int sig) {
  if (g_signal != 0) {  // the second: end now, with the default action (async-signal-safe calls only)
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  g_signal = sig;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

int stop_signal() { return g_signal; }

void maybe_raise_at_step(int64_t step) {
  static const std::string hook = [] {
    const char* v = std::getenv("EXCITE_RAISE_AT_STEP");
    return std::string(v == nullptr ? "" : v);
  }();
  if (hook.empty()) return;
  const size_t colon = hook.find(':');
  if (colon == std::string::npos) return;
  if (std::atoll(hook.c_str() + colon + 1) == step) raise(std::atoi(hook.c_str()));
}

}  // namespace excite::apps
