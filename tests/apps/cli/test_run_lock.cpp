// One writer per directory (apps/train/run_dir_lock.h, issue 18 item 5), with the built binary:
//   - two `excite train --out D` started close together: the second refuses at once in one line
//     naming the first's pid, exit 2, and the first finishes with its files intact;
//   - `excite train --resume D` of the running run refuses the same way;
//   - `excite ablate` on a study directory another `excite ablate` is running refuses;
//   - a lock file left by a dead process (its pid inside, no flock held) is taken over.
// Skipped with a warning when Fashion-MNIST (dataset-fashion-mnist) is not installed.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "spawn_excite.h"

using namespace excite::testing;
namespace fs = std::filesystem;

namespace {

// One compute thread and one loader worker: two runs share the 2 cores.
constexpr SmallRun kOneThread{.threads = 1, .workers = 1, .seed = 5};

bool holds_pid(const std::string& text, pid_t pid) { return text == std::to_string(pid) + "\n"; }

void check_refusal(const ExciteRun& r, pid_t holder) {
  INFO("stderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("is in use by process " + std::to_string(holder)) != std::string::npos);
}

}  // namespace

TEST_CASE("run lock - a second train and a resume of a running run refuse naming the holder", "[lock]") {
  if (!have_fashion_mnist()) {
    WARN("skipped: Fashion-MNIST not installed (dataset-fashion-mnist)");
    return;
  }
  const std::string dir = temp_dir("run-lock"), run = dir + "/run";
  const pid_t first = spawn_excite(small_run(run, kOneThread), dir + "/first");
  REQUIRE(wait_for_file(run + "/.lock", 60, [&](const std::string& t) { return holds_pid(t, first); }));
  check_refusal(run_excite(small_run(run, kOneThread), dir + "/second"), first);
  check_refusal(run_excite({"train", "--resume", run}, dir + "/resume"), first);
  const int status = wait_for(first);
  INFO("first stderr: " << slurp(dir + "/first.err"));
  REQUIRE(status == 0);
  CHECK(fs::exists(run + "/summary.json"));
  CHECK(fs::exists(run + "/checkpoint.safetensors"));
  CHECK(metrics_csv_without_times(run).size() == 3);  // header + 2 epochs
}

TEST_CASE("run lock - ablate on a study in progress refuses naming the holder", "[lock]") {
  if (!have_fashion_mnist()) {
    WARN("skipped: Fashion-MNIST not installed (dataset-fashion-mnist)");
    return;
  }
  const std::string dir = temp_dir("study-lock"), study = dir + "/study";
  const std::string config = source_dir() + "/tests/slurm/tiny-study.json";
  const pid_t first = spawn_excite({"ablate", config, "--out", study, "--jobs", "1"}, dir + "/first");
  REQUIRE(wait_for_file(study + "/.lock", 60, [&](const std::string& t) { return holds_pid(t, first); }));
  check_refusal(run_excite({"ablate", config, "--out", study, "--jobs", "1"}, dir + "/second"), first);
  const int status = wait_for(first);
  INFO("first stderr: " << slurp(dir + "/first.err"));
  CHECK(status == 0);
}

TEST_CASE("run lock - a lock file left by a dead process is taken over", "[lock]") {
  if (!have_fashion_mnist()) {
    WARN("skipped: Fashion-MNIST not installed (dataset-fashion-mnist)");
    return;
  }
  const std::string dir = temp_dir("stale-lock"), run = dir + "/run";
  fs::create_directories(run);
  { std::ofstream(run + "/.lock") << "999999\n"; }  // no such process, no flock held
  const ExciteRun r = run_excite(small_run(run, kOneThread), dir + "/take-over");
  INFO("stderr: " << r.err);
  CHECK(r.status == 0);
  CHECK(fs::exists(run + "/summary.json"));
}
