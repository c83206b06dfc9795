// apps/train/interrupt.h — SIGINT and SIGTERM during training (issue 18, item 6).
//
// While an InterruptGuard lives (`excite train`, RunOptions::stop_on_signals), the first SIGINT or
// SIGTERM only records itself; the trainer looks at stop_signal() after every step, and at the
// next step boundary writes a mid-epoch checkpoint (apps/train/checkpoint.h), prints one line
// ("interrupted at epoch E step S; continue with excite train --resume DIR") and the command
// exits 128 + the signal (130 for SIGINT, 143 for SIGTERM). A second SIGINT/SIGTERM ends the
// process at once: the handler puts back the default action and raises it again. Checkpoints are
// written atomically (temporary file, then rename), so this leaves the last one intact.
// Test hook: EXCITE_RAISE_AT_STEP=SIGNO:STEP raises SIGNO in this process when the global step
// STEP has finished (tests/apps/cli/test_interrupt.cpp), as if it came from outside then.
// Leaves out: other signals (SIGKILL cannot be caught: resume then starts from the last epoch's
// checkpoint), and agreeing across MPI ranks (the trainer sums the flags when world size > 1).
#pragma once

#include <cstdint>

namespace excite::apps {

class InterruptGuard {
 public:
  InterruptGuard();  // installs the handlers of SIGINT and SIGTERM
  ~InterruptGuard();  // puts the previous ones back
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// The first signal received under a guard (SIGINT, SIGTERM), or 0.
int stop_signal();
// The test hook (EXCITE_RAISE_AT_STEP): call after each step with the global step count.
void maybe_raise_at_step(int64_t step);

}  // namespace excite::apps
