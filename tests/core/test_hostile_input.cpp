// Hostile input found by fuzzing core's parsers (fuzz/fuzz_npy.cpp, fuzz/fuzz_safetensors.cpp) and
// by the command-line error tests: each once crashed, and must now be a clean excite::Error.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "core/npy.h"
#include "core/safetensors.h"

using namespace excite;

namespace {

// A version-2 .npy file (4-byte header length) around `header`, with `data_bytes` zero bytes.
std::string npy_v2(const std::string& header, size_t data_bytes) {
  std::string bytes("\x93NUMPY\x02\x00", 8);
  const uint32_t n = static_cast<uint32_t>(header.size());
  for (int i = 0; i < 4; ++i) bytes += static_cast<char>((n >> (8 * i)) & 0xff);
  return bytes + header + std::string(data_bytes, '\0');
}

}  // namespace

TEST_CASE("npy: a header of 100 KB is refused, not run through std::regex until the stack overflows") {
  // Found by fuzz_npy: the header regexes recurse once per character, so a long descr or shape
  // overflowed the stack (a crash, not an error). numpy itself refuses headers over 10000 bytes.
  const std::string long_descr = "{'descr': '" + std::string(100000, 'x') + "', 'fortran_order': False, 'shape': (1,), }\n";
  CHECK_THROWS_WITH(parse_npy(npy_v2(long_descr, 4), "long.npy"), Catch::Contains("more than the 10000 numpy allows"));
  std::string long_shape = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (int i = 0; i < 50000; ++i) long_shape += "1,";
  CHECK_THROWS_WITH(parse_npy(npy_v2(long_shape + "), }\n", 4), "shape.npy"), Catch::Contains("10000"));
  // A header just under the limit still parses.
  std::string padded = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  padded += std::string(9990 - padded.size(), ' ') + "\n";
  CHECK(parse_npy(npy_v2(padded, 8), "padded.npy").numel() == 2);
}

TEST_CASE("shape: an element count beyond 64 bits is an error, not a wrapped allocation") {
  // Found by tests/apps/cli/test_cli_errors.cpp: `excite summary --input-size 2000000000 2000000000`
  // made [1, 3, 2e9, 2e9] wrap around, allocate one element and write past it (a segfault).
  CHECK_THROWS_WITH(Tensor(Shape({1, 3, 2000000000, 2000000000})), Catch::Contains("more elements than fit in 64 bits"));
  CHECK_THROWS_WITH(Shape({int64_t{1} << 40, int64_t{1} << 40}).numel(), Catch::Contains("[1099511627776, 1099511627776]"));
  CHECK(Shape({int64_t{1} << 31, int64_t{1} << 31}).numel() == int64_t{1} << 62);
  CHECK(Shape({0, int64_t{1} << 62, 4}).numel() == 0);
}
