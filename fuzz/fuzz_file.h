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
    write_to(path_, data, size);
    return path_;
  }
  static void write_to(const std::string& path, const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) std::abort();  // the harness itself is broken, not the parser
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One scratch directory per process and tag, for parsers that read a file of a fixed name in a
// directory (a run directory's distributed.json or classes.json); removed at exit.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) : path_(ScratchFile(tag).path()) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  // Writes `name` in the directory (empty `data`: an empty file); returns the directory.
  const std::string& write(const std::string& name, const uint8_t* data, size_t size) {
    ScratchFile::write_to(path_ + "/" + name, data, size);
    return path_;
  }

 private:
  std::string path_;
};

}  // namespace excite::fuzz
