// data/file_io.h — reading dataset files with errors that name the file.
//
// Holds: read_file (a whole file into memory), and ByteStream, a reader that sees through gzip
// (zlib's gz* functions read plain files unchanged, so one code path serves .gz and plain IDX).
// Both report missing files, short reads and corrupt gzip data as excite::Error naming the path.
// Leaves out: any format parsing (cifar.cpp, idx.cpp) and image decoding (image.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace excite::data {

// The whole file. `what` names the reader in messages ("cifar10", "image", ...).
std::vector<uint8_t> read_file(const std::string& path, const std::string& what);
// Size in bytes; throws naming the file (and `what`) when it does not exist.
int64_t file_size(const std::string& path, const std::string& what);

// Sequential reader over a plain or gzip-compressed file.
class ByteStream {
 public:
  ByteStream(const std::string& path, const std::string& what);
  ~ByteStream();
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  // Reads up to n bytes into out; returns how many were read (fewer only at the end of the data).
  int64_t read(uint8_t* out, int64_t n);
  // Appends up to n bytes to out, growing it chunk by chunk as data actually arrives, so that a
  // size claimed by a header is never allocated before the bytes exist. Returns bytes appended.
  int64_t append(std::vector<uint8_t>& out, int64_t n);
  bool compressed() const { return compressed_; }
  const std::string& path() const { return path_; }

 private:
  void* gz_ = nullptr;  // gzFile, kept opaque so that zlib.h stays out of this header
  std::string path_;
  std::string what_;
  bool compressed_ = false;
};

}  // namespace excite::data
