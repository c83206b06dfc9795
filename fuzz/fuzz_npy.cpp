// fuzz/fuzz_npy.cpp — parse_npy (core/npy.cpp) on arbitrary bytes: magic, version, header
// length, and the Python-dict header (descr, fortran_order, shape) all come from the input.
#include <string>

#include "core/error.h"
#include "core/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const excite::Tensor t = excite::parse_npy(bytes, "fuzz.npy");
    if (t.numel() < 0 || static_cast<size_t>(t.numel()) * 4 > size) __builtin_trap();
  } catch (const excite::Error&) {
  }
  return 0;
}
