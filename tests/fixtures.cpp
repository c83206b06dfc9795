#include "fixtures.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace excite::testing {

std::string source_dir() { return EXCITE_SOURCE_DIR; }

std::string shared_dir() {
  return (std::filesystem::path(EXCITE_SOURCE_DIR).parent_path() / "shared").string();
}

SafetensorsFile load_fixture(const std::string& name) {
  return load_safetensors(source_dir() + "/tests/fixtures/" + name + ".safetensors");
}

std::string temp_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("excite-test-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool have_fashion_mnist() {
  if (std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) return true;
  WARN("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): test skipped");
  return false;
}

float relative_error(const Tensor& actual, const Tensor& expected, float floor) {
  float scale = floor;
  for (float v : expected) scale = std::max(scale, std::fabs(v));
  return max_abs_diff(actual, expected) / scale;
}

}  // namespace excite::testing
