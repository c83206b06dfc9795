// Data-parallel training under mpirun (apps/dist/), with the built binary (EXCITE_BINARY) on a
// few hundred Fashion-MNIST images, 1 thread per rank (`mpirun --oversubscribe`, plus
// --allow-run-as-root when the tests run as root):
//   - -np 2 with --sync-bn and an odd global batch (shares of 31 and 32) gives the per-epoch
//     losses and accuracies of one process, within float-summation tolerance; only rank 0 writes;
//   - a rank killed (SIGKILL) mid-epoch ends the job non-zero within a bounded time, the last
//     checkpoint intact, and `--resume` on one process (another K) continues and says so;
//   - a rank that stops answering (SIGSTOP) ends the job through the others' watchdog;
//   - missing data on one rank only fails the whole job before training.
// Faults are injected with EXCITE_DIST_FAULT (apps/dist/fault_hook.h). Skipped with a warning
// when mpirun or Fashion-MNIST is missing, or when this build has no MPI.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "apps/train/dist/communicator.h"
#include "fixtures.h"

using namespace excite;
namespace fs = std::filesystem;
using testing::slurp;

namespace {

bool can_run_mpi() {
  if (!testing::have_fashion_mnist()) return false;
  if (!dist::built_with_mpi()) {
    WARN("skipped: this build has no MPI (install libopenmpi-dev)");
    return false;
  }
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) {
    WARN("skipped: mpirun is not installed (Debian openmpi-bin)");
    return false;
  }
  return true;
}

// Under scripts/sanitize.sh (ASAN_OPTIONS set), the ranks record whole allocation stacks, so that
// LeakSanitizer can tell OpenMPI's own allocations at exit (scripts/lsan-suppressions.txt) from
// excite's; elsewhere the variable is not set and nothing is added.
std::string mpirun(int np) {
  std::string s = "mpirun --oversubscribe " + std::string(geteuid() == 0 ? "--allow-run-as-root " : "") + "-np " +
                  std::to_string(np) + " -x OMP_NUM_THREADS=1 -x OMP_WAIT_POLICY=passive";
  if (const char* asan = std::getenv("ASAN_OPTIONS"); asan != nullptr && *asan != '\0')
    s += " -x ASAN_OPTIONS='" + std::string(asan) + ":fast_unwind_on_malloc=0'";
  return s;
}

// `excite train` on 512 images, `batch` a step, 2 epochs unless `more` says otherwise.
std::string tiny(const std::string& out, const std::string& more = "", int batch = 64) {
  const bool epochs_given = more.find("--epochs") != std::string::npos;
  return std::string(" ") + EXCITE_BINARY +
         " train --dataset fashion-mnist --limit-train 512 --limit-test 200 --arch seresnet8 --batch " +
         std::to_string(batch) + (epochs_given ? "" : " --epochs 2") +
         " --lr 0.02 --threads 1 --workers 1 --seed 5 --out " + out + " " + more;
}

struct Result {
  int status = -1;
  double seconds = 0;
  std::string out, err;
};

// Runs a shell command with stdout/stderr into <log>.out/.err.
Result sh(const std::string& command, const std::string& log) {
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = std::system((command + " > " + log + ".out 2> " + log + ".err < /dev/null").c_str());
  Result r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
  r.out = slurp(log + ".out");
  r.err = slurp(log + ".err");
  return r;
}

std::vector<nlohmann::json> metrics(const std::string& dir) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(slurp(dir + "/metrics.jsonl"));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

}  // namespace

TEST_CASE("dist - mpirun -np 2 --sync-bn with uneven shares matches one process", "[dist][slow]") {
  if (!can_run_mpi()) return;
  const std::string dir = testing::temp_dir("dist-same");
  const Result one = sh(std::string("OMP_NUM_THREADS=1") + tiny(dir + "/one", "", 63), dir + "/one-log");
  REQUIRE(one.status == 0);
  const Result two = sh(mpirun(2) + tiny(dir + "/two", "--sync-bn", 63), dir + "/two-log");
  INFO(two.err);
  REQUIRE(two.status == 0);
  CHECK(two.out.find("data-parallel: 2 ranks, global batch 63 (31 to 32 images per rank)") != std::string::npos);
  const auto a = metrics(dir + "/one"), b = metrics(dir + "/two");
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  for (size_t e = 0; e < a.size(); ++e) {
    INFO("epoch " << e + 1 << ": one " << a[e].dump() << " two " << b[e].dump());
    for (const char* key : {"train_loss", "test_loss"})
      CHECK(std::abs(a[e][key].get<double>() - b[e][key].get<double>()) < 2e-3 * std::abs(a[e][key].get<double>()));
    // accuracies: within 1 image of the 504 training / 200 test images
    CHECK(std::abs(a[e]["train_accuracy"].get<double>() - b[e]["train_accuracy"].get<double>()) <= 1.0 / 504 + 1e-9);
    CHECK(std::abs(a[e]["test_accuracy"].get<double>() - b[e]["test_accuracy"].get<double>()) <= 1.0 / 200 + 1e-9);
    CHECK(a[e]["lr"].get<double>() == b[e]["lr"].get<double>());
  }
  const auto summary = nlohmann::json::parse(slurp(dir + "/two/summary.json"));
  CHECK(summary["world_size"] == 2);
  CHECK(nlohmann::json::parse(slurp(dir + "/one/summary.json"))["world_size"] == 1);
  // Only rank 0 wrote: the same files as one process, and no temporaries.
  std::vector<std::string> files;
  for (const auto& f : fs::directory_iterator(dir + "/two")) files.push_back(f.path().filename().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> expected;
  for (const auto& f : fs::directory_iterator(dir + "/one")) expected.push_back(f.path().filename().string());
  std::sort(expected.begin(), expected.end());
  CHECK(files == expected);
}

TEST_CASE("dist - a rank killed mid-epoch ends the job, and --resume on another K continues", "[dist][slow]") {
  if (!can_run_mpi()) return;
  const std::string dir = testing::temp_dir("dist-kill");
  // 8 steps per epoch: rank 1 dies at step 12, in epoch 2, after epoch 1's checkpoint.
  const Result killed =
      sh("EXCITE_DIST_FAULT=kill:1:12 " + mpirun(2) + " -x EXCITE_DIST_FAULT" + tiny(dir + "/run", "--epochs 3"),
         dir + "/kill-log");
  INFO(killed.out << killed.err);
  CHECK(killed.status != 0);
  CHECK(killed.seconds < 60);
  REQUIRE(metrics(dir + "/run").size() == 1);
  REQUIRE(fs::exists(dir + "/run/checkpoint.safetensors"));
  CHECK(!fs::exists(dir + "/run/summary.json"));
  // Resume on one process: works, and says the rank count changed.
  const Result resumed = sh(std::string("OMP_NUM_THREADS=1 ") + EXCITE_BINARY + " train --resume " + dir + "/run",
                            dir + "/resume-log");
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.status == 0);
  CHECK(resumed.out.find("resuming a run trained on 2 ranks with 1: this works") != std::string::npos);
  CHECK(metrics(dir + "/run").size() == 3);
  CHECK(nlohmann::json::parse(slurp(dir + "/run/summary.json"))["world_size"] == 1);
}

TEST_CASE("dist - a rank that stops answering ends the job through the watchdog", "[dist][slow]") {
  if (!can_run_mpi()) return;
  const std::string dir = testing::temp_dir("dist-stop");
  const Result stopped = sh("EXCITE_DIST_FAULT=stop:1:3 " + mpirun(2) + " -x EXCITE_DIST_FAULT" +
                                tiny(dir + "/run", "--dist-timeout 3"),
                            dir + "/stop-log");
  INFO(stopped.out << stopped.err);
  CHECK(stopped.status != 0);
  CHECK(stopped.seconds < 60);
  CHECK(stopped.err.find("excite: error: rank 0 of 2 waited") != std::string::npos);
  // mpirun ends the stopped rank too (within a few seconds): nothing of this run is left behind.
  // ("[-]-out": the pattern must not match the shell that runs pgrep)
  const std::string find = "pgrep -f -- '[-]-out " + dir + "/run' > /dev/null";
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = std::system(find.c_str()) != 0;
    if (!gone) usleep(100'000);
  }
  CHECK(gone);
  if (!gone) std::system(("pkill -KILL -f -- '[-]-out " + dir + "/run'").c_str());  // this test's own processes
}

TEST_CASE("dist - missing data on one rank fails the job before training", "[dist][slow]") {
  if (!can_run_mpi()) return;
  const std::string dir = testing::temp_dir("dist-nodata");
  // MPMD: rank 0 as usual, rank 1 pointed at a directory without the dataset.
  const std::string cmd = mpirun(1) + tiny(dir + "/run") + " : -np 1 -x OMP_NUM_THREADS=1" +
                          tiny(dir + "/run", "--data " + dir + "/nowhere");
  const Result r = sh(cmd, dir + "/log");
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK(r.err.find("1 of 2 ranks failed before training") != std::string::npos);
  CHECK(!fs::exists(dir + "/run/metrics.csv"));
  CHECK(!fs::exists(dir + "/run/checkpoint.safetensors"));
}
