// apps/train/dist/setup_vote.cpp — the failure-flag allreduce.
#include "apps/train/dist/setup_vote.h"

#include <exception>

#include "apps/train/dist/communicator.h"
#include "core/error.h"

namespace excite::dist {

SetupVote::SetupVote() : exceptions_at_start_(std::uncaught_exceptions()) {}

SetupVote::~SetupVote() {
  if (voted_ || !distributed() || std::uncaught_exceptions() <= exceptions_at_start_) return;
  int64_t failed = 1;
  try {
    allreduce_sum(&failed, 1);
  } catch (...) {  // the original error matters more
  }
}

void SetupVote::pass() {
  voted_ = true;
  if (!distributed()) return;
  int64_t failed = 0;
  allreduce_sum(&failed, 1);
  EXCITE_CHECK(failed == 0, "train: " << failed << " of " << size()
                                      << " ranks failed before training (their error is above); rank " << rank()
                                      << " stops too");
}

}  // namespace excite::dist
