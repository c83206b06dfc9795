// apps/train/dist/fault_hook.h — a test hook that makes one rank of a data-parallel run fail on cue.
//
// EXCITE_DIST_FAULT=<what>:<rank>:<step>, read once: when rank <rank> is about to run global
// step <step> (0-based, counted over the whole run), it
//   kill  — sends itself SIGKILL (a rank that dies: mpirun must end the job),
//   stop  — sends itself SIGSTOP (a rank that stops answering: the others' watchdog must fire).
// Unset (always, outside tests): nothing. Used by tests/apps/test_dist.cpp.
#pragma once

#include <cstdint>

namespace excite::dist {

void maybe_inject_fault(int64_t step);

}  // namespace excite::dist
