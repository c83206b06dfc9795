// core/atomic_file.h — writing a whole file atomically and durably, the one way excite writes a
// file whole (safetensors weights and checkpoints, run configs and summaries, metrics rewritten on
// resume, study files, reports).
//
// The bytes go to a temporary "<path>.tmp<pid>" in the same directory, which is fsync'ed and
// renamed over `path`; then the directory is fsync'ed so that the rename itself survives a power
// cut. A crash at any moment leaves either the complete old file or the complete new one; on any
// failure the temporary is removed, the old file is untouched, and the error names `what` (the
// writer, "safetensors", "train", ...) and the path. A process killed mid-write leaves its
// temporary behind; a resumed run removes such leftovers.
// Test hook, read here and nowhere else: EXCITE_FAULT=kill-during-write:<file name>:<n> makes the
// process SIGKILL itself after writing half of the n-th file of that name, i.e. a crash in the
// middle of writing a checkpoint (tests/apps/cli/test_faults.cpp). Unset in normal use.
// Leaves out: appending (metrics rows are appended with plain writes).
#pragma once

#include <string>
#include <string_view>

namespace excite {

void write_file_atomically(const std::string& path, std::string_view bytes, const std::string& what);

}  // namespace excite
