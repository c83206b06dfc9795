// fuzz/fuzz_safetensors.cpp — parse_safetensors (core/safetensors.cpp) on arbitrary bytes: the
// header length, the JSON header, shapes, dtypes and offsets all come from the input. A file
// that parses is written back and read again, which must give the same names and shapes.
#include <string>

#include "core/error.h"
#include "core/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const excite::SafetensorsFile f = excite::parse_safetensors(bytes, "fuzz.safetensors");
    const excite::SafetensorsFile back =
        excite::parse_safetensors(excite::serialize_safetensors(f.tensors, f.metadata), "round-trip");
    if (back.tensors.size() != f.tensors.size()) __builtin_trap();
    if (back.metadata != f.metadata) __builtin_trap();
    for (const excite::NamedTensor& t : f.tensors) {
      const excite::NamedTensor* u = back.find(t.name);
      if (u == nullptr || u->value.shape() != t.value.shape()) __builtin_trap();
    }
  } catch (const excite::Error&) {
  }
  return 0;
}
