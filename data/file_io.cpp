// data/file_io.cpp — whole-file reads and the gzip-transparent ByteStream.
#include "data/file_io.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/error.h"

namespace excite::data {

namespace fs = std::filesystem;

int64_t file_size(const std::string& path, const std::string& what) {
  std::error_code ec;
  EXCITE_CHECK(fs::is_regular_file(path, ec), what << ": file '" << path << "' not found (or not a regular file)");
  const auto size = fs::file_size(path, ec);
  EXCITE_CHECK(!ec, what << ": cannot read the size of '" << path << "': " << ec.message());
  return static_cast<int64_t>(size);
}

std::vector<uint8_t> read_file(const std::string& path, const std::string& what) {
  const int64_t size = file_size(path, what);
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  EXCITE_CHECK(f != nullptr, what << ": cannot open '" << path << "': " << std::strerror(errno));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  const size_t got = size > 0 ? std::fread(bytes.data(), 1, bytes.size(), f.get()) : 0;
  EXCITE_CHECK(got == bytes.size(), what << ": short read on '" << path << "': got " << got << " of " << size << " bytes");
  return bytes;
}

ByteStream::ByteStream(const std::string& path, const std::string& what) : path_(path), what_(what) {
  file_size(path, what);  // a clear "not found" before zlib's less specific failure
  gzFile gz = gzopen(path.c_str(), "rb");
  EXCITE_CHECK(gz != nullptr, what << ": cannot open '" << path << "': " << std::strerror(errno));
  gzbuffer(gz, 1 << 17);
  gz_ = gz;
  compressed_ = gzdirect(gz) == 0;
}

ByteStream::~ByteStream() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
}

int64_t ByteStream::read(uint8_t* out, int64_t n) {
  auto* gz = static_cast<gzFile>(gz_);
  int64_t total = 0;
  while (total < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<int64_t>(n - total, 1 << 30));
    const int got = gzread(gz, out + total, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(gz, &code);
      EXCITE_FAIL(what_ << ": corrupt gzip data in '" << path_ << "' (" << message
                        << "); re-download or re-install the file");
    }
    if (got == 0) break;
    total += got;
  }
  return total;
}

int64_t ByteStream::append(std::vector<uint8_t>& out, int64_t n) {
  constexpr int64_t kChunk = int64_t{4} << 20;
  int64_t total = 0;
  while (total < n) {
    const int64_t want = std::min(kChunk, n - total);
    const size_t old_size = out.size();
    out.resize(old_size + static_cast<size_t>(want));
    const int64_t got = read(out.data() + old_size, want);
    out.resize(old_size + static_cast<size_t>(got));
    total += got;
    if (got < want) break;
  }
  return total;
}

}  // namespace excite::data
