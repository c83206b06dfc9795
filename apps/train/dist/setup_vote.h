// apps/train/dist/setup_vote.h — every rank agrees that setup succeeded before the first step.
//
// A missing data file, an unreadable checkpoint or a bad value can fail on one rank only (a
// node without the data, say). Without a vote the other ranks would enter the first gradient
// allreduce and wait forever for it. SetupVote is made at the start of setup; pass() at its end
// sums a failure flag over the ranks (one MPI_Allreduce) and, if any rank failed, throws "rank(s)
// failed before training" on the ranks that did not. If setup throws on this rank, the
// destructor (unwinding) takes part in the same allreduce with the flag set, so the others learn
// of it, and the original error goes on to main. No other collective may run between the two.
#pragma once

namespace excite::dist {

class SetupVote {
 public:
  SetupVote();
  ~SetupVote();
  SetupVote(const SetupVote&) = delete;
  SetupVote& operator=(const SetupVote&) = delete;
  void pass();

 private:
  int exceptions_at_start_;
  bool voted_ = false;
};

}  // namespace excite::dist
