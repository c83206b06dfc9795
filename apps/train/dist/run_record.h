// apps/train/dist/run_record.h — the distributed options of a run, and what a resume does with them.
//
// DistOptions are the flags of a data-parallel run that are not part of the training config
// (whose fingerprint guards checkpoints): --sync-bn and --dist-timeout. Rank 0 writes them with the
// world size into RUN_DIR/distributed.json; `--resume` (which takes no other flags) reads
// --sync-bn back from it. Resuming on another number of ranks works: the data order, the global
// batch and the schedule do not depend on K, so only the float summation order changes — and,
// without --sync-bn, the batch BN normalises over (N / K). The resume says so in one line.
#pragma once

#include <cstdio>
#include <string>

namespace excite::dist {

struct DistOptions {
  bool sync_bn = false;          // BN statistics summed over the ranks
  double timeout_seconds = 300;  // watchdog: no progress for this long ends the job (<= 0: off)
};

struct RunRecord {
  int world_size = 1;
  bool sync_bn = false;
  bool found = false;
};

RunRecord read_run_record(const std::string& run_dir);
// Rank 0 only; atomic (temporary file, then rename).
void write_run_record(const std::string& run_dir, int world_size, bool sync_bn);
// On a resume: --sync-bn from the record, and one line on `log` when K changed.
void apply_run_record_on_resume(const std::string& run_dir, DistOptions& options, std::FILE* log);

}  // namespace excite::dist
