// fuzz/fuzz_idx_gz.cpp — read_idx (data/idx.cpp) behind gzip: the fuzzer's bytes are an IDX
// file that this target compresses before writing, so mutations reach the IDX header and the
// chunked reading of compressed data (no size check against the file is possible there) instead
// of dying in zlib's CRC check. fuzz_idx covers corrupt gzip streams themselves.
#include <zlib.h>

#include <vector>

#include "core/error.h"
#include "data/idx.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static excite::fuzz::ScratchFile file("idx.gz");
  // A gzip stream (windowBits 15 + 16) of the input, compressed in one call.
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) __builtin_trap();
  std::vector<uint8_t> gz(deflateBound(&z, size));
  z.next_in = const_cast<uint8_t*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = gz.data();
  z.avail_out = static_cast<uInt>(gz.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) __builtin_trap();
  gz.resize(z.total_out);
  deflateEnd(&z);
  const std::string& path = file.write(gz.data(), gz.size());
  for (int64_t dims : {3, 1}) {
    try {
      const excite::data::IdxArray a = excite::data::read_idx(path, dims);
      int64_t total = 1;
      for (int64_t d : a.dims) total *= d;
      if (static_cast<int64_t>(a.values.size()) != total) __builtin_trap();
    } catch (const excite::Error&) {
    }
  }
  return 0;
}
