// deploy/atomic_write.h — write a file so that a failure leaves nothing behind: the bytes go to a
// temporary file in the target directory (same file system), which is fsync'ed and renamed over
// the target. A missing directory, a directory that cannot be written and a full disk are
// one-line errors naming the path; the temporary is removed on every failure.
// Leaves out: fsync of the directory after the rename (core/safetensors.cpp does it for
// checkpoints, whose durability matters more than an exported model's).
#pragma once

#include <string>

namespace excite::deploy {

// `what` names the writer in messages ("onnx export").
void write_file_atomically(const std::string& path, const std::string& bytes, const std::string& what);

}  // namespace excite::deploy
