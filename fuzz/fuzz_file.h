// fuzz/fuzz_file.h — what the fuzz targets share: the parsers that read from a path get the
// fuzzer's bytes through a scratch file (in /dev/shm when there is one, so no disk I/O), and
// every target treats excite::Error as the expected outcome of bad bytes. Anything else that
// escapes (another exception type, a crash, a sanitizer report) is a finding.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace excite::fuzz {

// One scratch file per process and tag, rewritten for every input, removed at exit.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& tag) {
    const std::string dir = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    path_ = dir + "/excite-fuzz-" + std::to_string(getpid()) + "-" + tag;
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  const std::string& write(const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (f == nullptr) std::abort();  // the harness itself is broken, not the parser
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace excite::fuzz
