// apps/train/run_dir_lock.h — one writer per directory: an flock on DIR/.lock (issue 18, item 5).
//
// RunDirLock takes an exclusive, non-blocking flock on DIR/.lock and writes its pid into it; a
// second taker (a second `excite train --out DIR`, a --resume of a running run, an `excite
// ablate` on a study in progress, another Slurm task of the same run) refuses in one line naming
// the holder's pid (an excite::Error: exit status 2), before it writes anything. The lock dies
// with the process holding the descriptor: a lock file left by a dead process is simply taken
// over. Held by: `excite train` (rank 0) on its run directory, `excite ablate` on its study
// directory (running, --emit slurm, --report-only), `excite ablate --slurm-task` on its run.
//
// Across exec: with `keep_across_exec` the descriptor stays open in the new program and its
// number is passed in $EXCITE_RUN_LOCK_FD; a RunDirLock of the same file in that program adopts
// it (flock on the descriptor that already holds the lock succeeds) instead of refusing its own
// lock. So `excite ablate --slurm-task` holds the run's lock for the `excite train` it becomes.
// Leaves out: waiting for a lock, and NFS without lock support (flock is then local only).
#pragma once

#include <string>

namespace excite::apps {

class RunDirLock {
 public:
  // `what` names the command in the refusal ("train", "ablate").
  RunDirLock(const std::string& dir, const std::string& what, bool keep_across_exec = false);
  ~RunDirLock();
  RunDirLock(const RunDirLock&) = delete;
  RunDirLock& operator=(const RunDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace excite::apps
