// Hostile input found by fuzzing (fuzz/fuzz_config.cpp, fuzz_scaleout.cpp): each input once crashed
// or was silently misread, and must now be a clean excite::Error naming the key.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "apps/train/config.h"
#include "apps/train/dist/run_record.h"
#include "fixtures.h"

using namespace excite;
using namespace excite::apps;

namespace {

std::string write_config(const std::string& name, const std::string& text) {
  const std::string path = testing::temp_dir("fuzz-config") + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("config: a value nested a million levels deep is an error, not a stack overflow") {
  // The wrong-type message printed the value with dump(), which recurses once per level.
  const int depth = 1000000;
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  CHECK_THROWS_WITH(load_config_file(write_config("deep.json", "{\"epochs\": " + deep + "}")),
                    Catch::Contains("'epochs' must be an integer, got a nested array"));
  CHECK_THROWS_WITH(load_config_file(write_config("deep-list.json", "{\"milestones\": [1, " + deep + "]}")),
                    Catch::Contains("'milestones' must be a list of integers, got a nested array"));
  // Flat values are still shown as written.
  CHECK_THROWS_WITH(load_config_file(write_config("flat.json", "{\"milestones\": [1, \"x\"]}")),
                    Catch::Contains("got [1,\"x\"]"));
}

TEST_CASE("config: integers outside their field's range are refused, not wrapped") {
  // 4294967297 = 2^32 + 1 used to become 1 epoch.
  CHECK_THROWS_WITH(load_config_file(write_config("wrap.json", "{\"epochs\": 4294967297}")),
                    Catch::Contains("'epochs' is out of range"));
  CHECK_THROWS_WITH(load_config_file(write_config("list.json", "{\"milestones\": [3, 8589934592]}")),
                    Catch::Contains("'milestones' must be a list of integers"));
  CHECK_THROWS_WITH(load_config_file(write_config("seed.json", "{\"seed\": -1}")),
                    Catch::Contains("'seed' must not be negative"));
  CHECK(load_config_file(write_config("big-seed.json", "{\"seed\": 18446744073709551615}")).seed ==
        18446744073709551615ull);
  CHECK(load_config_file(write_config("limit.json", "{\"limit_train\": 10000000000}")).limit_train == 10000000000);
}

TEST_CASE("distributed.json: a rank count that is not a small positive integer is a damaged record, not UB") {
  // fuzz_scaleout: "world_size": 2.2e89 went through get<int>(), a float-to-int conversion out of
  // range (undefined behaviour; UBSan stopped there).
  const std::string dir = testing::temp_dir("fuzz-run-record");
  for (const char* bad : {"2.2e89", "2.5", "0", "-3", "18446744073709551615", "\"2\""}) {
    std::ofstream(dir + "/distributed.json") << "{\"world_size\": " << bad << ", \"sync_bn\": true}";
    INFO(bad);
    CHECK_THROWS_WITH(dist::read_run_record(dir), Catch::Contains("distributed.json is damaged") &&
                                                      Catch::Contains("world_size"));
  }
  dist::write_run_record(dir, 3, true);
  const dist::RunRecord r = dist::read_run_record(dir);
  CHECK(r.found);
  CHECK(r.world_size == 3);
  CHECK(r.sync_bn);
}
