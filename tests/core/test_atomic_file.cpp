// core/atomic_file.h: the one way excite writes a whole file. The bytes arrive complete or not at
// all; on a failure the old file is untouched and no temporary is left behind.
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "fixtures.h"

using namespace excite;
namespace fs = std::filesystem;

namespace {

int leftovers(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().find(".tmp") != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("atomic file: written whole, replaced whole, no temporary left") {
  const std::string dir = testing::temp_dir("atomic");
  const std::string path = dir + "/a.json";
  write_file_atomically(path, "first\n", "test");
  CHECK(testing::slurp(path) == "first\n");
  write_file_atomically(path, std::string(100000, 'x'), "test");
  CHECK(testing::slurp(path) == std::string(100000, 'x'));
  write_file_atomically(path, "", "test");
  CHECK(fs::file_size(path) == 0);
  CHECK(leftovers(dir) == 0);
}

TEST_CASE("atomic file: a failure names the writer and the path, leaves the old file and no temporary") {
  const std::string dir = testing::temp_dir("atomic-fail");
  CHECK_THROWS_WITH(write_file_atomically(dir + "/no-such-dir/a.json", "x", "train"),
                    Catch::StartsWith("train: cannot write") && Catch::Contains("no-such-dir/a.json"));
  // The rename fails (a directory stands where the file should go): the temporary goes too.
  fs::create_directories(dir + "/taken/inside");
  CHECK_THROWS_WITH(write_file_atomically(dir + "/taken", "x", "ablate"),
                    Catch::StartsWith("ablate: cannot rename") && Catch::Contains("taken"));
  CHECK(fs::is_directory(dir + "/taken/inside"));
  CHECK(leftovers(dir) == 0);
}
