// fuzz/fuzz_idx.cpp — read_idx (data/idx.cpp) on arbitrary file contents, as an images file
// ([N, H, W]) and as a labels file ([N]). The bytes go to disk unchanged, so zlib sees a gzip
// stream when they start with the gzip magic and a plain file otherwise: both IDX paths.
#include "core/error.h"
#include "data/idx.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static excite::fuzz::ScratchFile file("idx");
  const std::string& path = file.write(data, size);
  for (int64_t dims : {3, 1}) {
    try {
      const excite::data::IdxArray a = excite::data::read_idx(path, dims);
      // What the parser promises: the values match the dimensions it returned.
      int64_t total = 1;
      for (int64_t d : a.dims) total *= d;
      if (static_cast<int64_t>(a.values.size()) != total) __builtin_trap();
    } catch (const excite::Error&) {
    }
  }
  return 0;
}
