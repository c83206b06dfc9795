// tests/data/data_files.h — helpers for the data tests: where the real datasets are, skipping
// when they are absent, and writing small (often deliberately broken) files into temp_dir().
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fixtures.h"

namespace excite::testing {

inline std::string cifar10_dir() { return shared_dir() + "/datasets/cifar10/cifar-10-batches-bin"; }
inline std::string jpeg_mini_dir() { return shared_dir() + "/datasets/cifar10-jpeg-mini"; }
inline std::string fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> read_bytes(const std::string& path, int64_t offset, int64_t count) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(offset);
  std::vector<uint8_t> bytes(static_cast<size_t>(count));
  in.read(reinterpret_cast<char*>(bytes.data()), count);
  return bytes;
}

}  // namespace excite::testing

// Tests on data that may be absent say so and return (Catch2 2.13 has no SKIP).
#define EXCITE_REQUIRE_DATA(path)                                                          \
  do {                                                                                     \
    if (!std::filesystem::exists(path)) {                                                  \
      WARN("skipping: " << (path) << " not found (CI installs it; see datasets/README)");  \
      return;                                                                              \
    }                                                                                      \
  } while (0)
