// Faults injected into `excite train` (the built binary, EXCITE_BINARY) on tiny Fashion-MNIST runs:
//   - SIGKILL in the middle of an epoch, and in the middle of writing a checkpoint (the test hook
//     EXCITE_FAULT=kill-during-write:<file>:<n> in core/safetensors.cpp): `--resume` continues
//     from the last complete checkpoint and every metrics row equals the uninterrupted run's;
//   - an output directory that cannot be written, and a full disk (a small tmpfs, mounted when
//     the test runs as root and may mount): a one-line error and exit status 2, before training
//     where that can be known, with the previous checkpoint intact otherwise;
//   - a loss that becomes NaN/inf: exit status 2, a message naming the epoch and step, the last
//     good checkpoint kept.
// Skipped with a warning when Fashion-MNIST (dataset-fashion-mnist) is not installed.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "apps/train/checkpoint.h"
#include "core/tensor.h"
#include "fixtures.h"
#include "spawn_excite.h"

using namespace excite;
namespace fs = std::filesystem;
using testing::have_fashion_mnist;
using testing::ExciteRun;
using testing::run_excite;
using testing::slurp;
using testing::spawn_excite;
using testing::wait_for;

namespace {

// `excite train` on 128 Fashion-MNIST images, 4 steps of 32 per epoch, SE-ResNet-8, 3 epochs.
std::vector<std::string> tiny_run(const std::string& out, const std::vector<std::string>& more = {}) {
  std::vector<std::string> args = {"train",        "--dataset", "fashion-mnist", "--limit-train", "128",
                                   "--limit-test", "64",        "--arch",        "seresnet8",     "--epochs",
                                   "3",            "--batch",   "32",            "--lr",          "0.05",
                                   "--warmup",     "0",         "--threads",     "2",             "--workers",
                                   "2",            "--seed",    "3",             "--out",         out};
  for (size_t i = 0; i + 1 < more.size(); i += 2) {  // flag, value: replaces the default above
    auto at = std::find(args.begin(), args.end(), more[i]);
    if (at == args.end()) args.insert(args.end(), {more[i], more[i + 1]});
    else *(at + 1) = more[i + 1];
  }
  return args;
}

// metrics.jsonl without the timing columns, which differ between any two runs.
std::vector<nlohmann::json> metrics_rows(const std::string& dir) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(dir + "/metrics.jsonl");
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    j.erase("seconds");
    j.erase("images_per_second");
    rows.push_back(j);
  }
  return rows;
}

int checkpoint_epoch(const std::string& dir) { return apps::load_checkpoint(dir + "/checkpoint.safetensors").state.epoch; }

void check_one_line(const std::string& err) {
  INFO("stderr: " << err);
  REQUIRE(!err.empty());
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(err.rfind("excite: error: ", 0) == 0);
}

// The uninterrupted run every faulted run is compared with.
struct Reference {
  std::string dir;
  std::vector<nlohmann::json> rows;
  double epoch_seconds = 0;
  explicit Reference(const std::string& root, const std::vector<std::string>& more = {}) : dir(root + "/reference") {
    const ExciteRun r = run_excite(tiny_run(dir, more), root + "/reference");
    INFO(r.err);
    REQUIRE(r.status == 0);
    rows = metrics_rows(dir);
    REQUIRE(rows.size() == 3);
    std::ifstream in(dir + "/metrics.jsonl");
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) epoch_seconds = std::max(epoch_seconds, nlohmann::json::parse(line).value("seconds", 0.0));
  }
};

// Resumes `dir` and checks the run then holds exactly the reference's metrics.
void resume_and_compare(const std::string& dir, const Reference& ref, const std::string& log) {
  const ExciteRun r = run_excite({"train", "--resume", dir}, log);
  INFO("resume stderr: " << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("resuming after epoch") != std::string::npos);
  const std::vector<nlohmann::json> rows = metrics_rows(dir);
  REQUIRE(rows.size() == ref.rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO("epoch " << i + 1);
    CHECK(rows[i] == ref.rows[i]);
  }
  CHECK(checkpoint_epoch(dir) == 3);
}

// A tmpfs of `kb` KB mounted at `dir` for the test's lifetime (root only; false when refused).
struct TmpfsMount {
  std::string dir;
  bool mounted = false;
  TmpfsMount(const std::string& where, int64_t kb, bool read_only = false) : dir(where) {
    fs::create_directories(dir);
    const std::string options = "size=" + std::to_string(kb) + "k";
    mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", read_only ? MS_RDONLY : 0, options.c_str()) == 0;
  }
  bool remount(bool read_only) const {
    return ::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT | (read_only ? MS_RDONLY : 0), nullptr) == 0;
  }
  ~TmpfsMount() {
    if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
  }
};

// Fills the file system holding `dir` until a write fails, then frees `leave` bytes.
void fill_disk(const std::string& dir, int64_t leave = 0) {
  const std::string path = dir + "/filler";
  {
    std::FILE* f = std::fopen(path.c_str(), "ab");
    REQUIRE(f != nullptr);
    std::vector<char> block(64 * 1024, 'x');
    for (size_t chunk = block.size(); chunk > 0; chunk /= 2)
      while (std::fwrite(block.data(), 1, chunk, f) == chunk && std::fflush(f) == 0) {
      }
    std::fclose(f);
  }
  if (leave > 0) fs::resize_file(path, fs::file_size(path) - static_cast<uint64_t>(std::min<int64_t>(leave, fs::file_size(path))));
}

// The same bytes as before, and a loadable checkpoint of `epoch` epochs with finite weights.
void check_checkpoint_intact(const std::string& dir, const std::string& bytes_before, int epoch) {
  CHECK(slurp(dir + "/checkpoint.safetensors") == bytes_before);
  const apps::Checkpoint c = apps::load_checkpoint(dir + "/checkpoint.safetensors");
  CHECK(c.state.epoch == epoch);
  for (const NamedTensor& t : c.model) CHECK(all_finite(t.value));
}

// A run stopped by the kill hook while writing its 2nd checkpoint: epoch 1's checkpoint remains.
void run_one_epoch_then_die(const std::string& dir, const std::string& log) {
  const ExciteRun r = run_excite(tiny_run(dir), log, {"EXCITE_FAULT=kill-during-write:checkpoint.safetensors:2"});
  INFO(r.err);
  REQUIRE(r.status == 128 + SIGKILL);
  REQUIRE(checkpoint_epoch(dir) == 1);
}

}  // namespace

TEST_CASE("SIGKILL in the middle of an epoch: --resume gives the uninterrupted run's metrics") {
  if (!have_fashion_mnist()) return;
  const std::string root = testing::temp_dir("fault-kill-epoch");
  // 1024 images (32 steps an epoch), so that training dominates an epoch's time over the test
  // pass and the plot after each checkpoint.
  const std::vector<std::string> longer = {"--limit-train", "1024"};
  const Reference ref(root, longer);
  // Kill halfway through epoch 2's expected time after epoch 1's checkpoint appears, and check
  // afterwards that the kill came before epoch 2 finished (checkpoint of epoch 1, one metrics
  // row); on a much slower or faster machine the wait is shortened and tried again.
  bool mid_epoch = false;
  std::string dir;
  for (int attempt = 0; attempt < 5 && !mid_epoch; ++attempt) {
    dir = root + "/killed-" + std::to_string(attempt);
    const pid_t pid = spawn_excite(tiny_run(dir, longer), dir + "-log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (!fs::exists(dir + "/checkpoint.safetensors") && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::this_thread::sleep_for(std::chrono::duration<double>(ref.epoch_seconds / (2 << attempt)));
    ::kill(pid, SIGKILL);
    REQUIRE(wait_for(pid) == 128 + SIGKILL);
    mid_epoch = checkpoint_epoch(dir) == 1 && metrics_rows(dir).size() == 1;
  }
  REQUIRE(mid_epoch);
  resume_and_compare(dir, ref, dir + "-resume");
}

TEST_CASE("SIGKILL in the middle of writing a checkpoint: the previous one survives, --resume is exact") {
  if (!have_fashion_mnist()) return;
  const std::string root = testing::temp_dir("fault-kill-checkpoint");
  const Reference ref(root);
  const std::string dir = root + "/killed";
  run_one_epoch_then_die(dir, root + "/killed");
  // The kill came halfway through the new file: its temporary is there, cut short; the renamed
  // checkpoint is the complete one of epoch 1; epoch 2's metrics row was written before it.
  int64_t partial = -1;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("checkpoint.safetensors.tmp", 0) == 0) partial = e.file_size();
  CHECK(partial > 0);
  CHECK(partial < static_cast<int64_t>(fs::file_size(dir + "/checkpoint.safetensors")));
  CHECK(metrics_rows(dir).size() == 2);
  resume_and_compare(dir, ref, root + "/resume");
  for (const auto& e : fs::directory_iterator(dir))  // the resume removed the dead run's temporary
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("an output directory that cannot be written: one-line error before training") {
  if (!have_fashion_mnist()) return;
  const std::string root = testing::temp_dir("fault-unwritable");
  std::ofstream(root + "/a-file") << "not a directory\n";
  ExciteRun r = run_excite(tiny_run(root + "/a-file/run"), root + "/under-file");
  CHECK(r.status == 2);
  check_one_line(r.err);
  CHECK(r.err.find("cannot create run directory") != std::string::npos);
  CHECK(r.out.find("epoch 1/") == std::string::npos);

  const TmpfsMount ro(root + "/read-only", 1024, /*read_only=*/true);
  if (!ro.mounted) {
    WARN("cannot mount a tmpfs here (not root?): read-only directory cases skipped");
    return;
  }
  r = run_excite(tiny_run(ro.dir + "/run"), root + "/read-only");
  CHECK(r.status == 2);
  check_one_line(r.err);
  CHECK(r.err.find("Read-only file system") != std::string::npos);
  CHECK(r.out.find("epoch 1/") == std::string::npos);

  // A run directory that became read-only after an epoch: resuming fails before training and
  // the checkpoint stays as it was.
  const TmpfsMount rw(root + "/later-read-only", 16 * 1024);
  REQUIRE(rw.mounted);
  run_one_epoch_then_die(rw.dir + "/run", root + "/later-read-only");
  const std::string before = slurp(rw.dir + "/run/checkpoint.safetensors");
  REQUIRE(rw.remount(/*read_only=*/true));
  r = run_excite({"train", "--resume", rw.dir + "/run"}, root + "/resume-read-only");
  CHECK(r.status == 2);
  check_one_line(r.err);
  CHECK(r.out.find("epoch 2/") == std::string::npos);
  check_checkpoint_intact(rw.dir + "/run", before, 1);
}

TEST_CASE("a full disk: an error before training when known, else at the write with the checkpoint intact") {
  if (!have_fashion_mnist()) return;
  const std::string root = testing::temp_dir("fault-disk-full");
  const Reference ref(root);
  const int64_t checkpoint_kb = static_cast<int64_t>(fs::file_size(ref.dir + "/checkpoint.safetensors")) / 1024;
  const TmpfsMount disk(root + "/disk", 4 * checkpoint_kb + 2048);
  if (!disk.mounted) {
    WARN("cannot mount a tmpfs here (not root?): full-disk test skipped");
    return;
  }
  const std::string dir = disk.dir + "/run";

  // Completely full: the run directory's write test fails.
  fill_disk(disk.dir);
  ExciteRun r = run_excite(tiny_run(dir), root + "/full");
  CHECK(r.status == 2);
  check_one_line(r.err);
  CHECK(r.out.find("epoch 1/") == std::string::npos);
  fs::remove_all(dir);
  fs::remove(disk.dir + "/filler");

  // Room for the directory but not for a checkpoint: known before training, said so.
  fill_disk(disk.dir, checkpoint_kb * 1024 / 2);
  r = run_excite(tiny_run(dir), root + "/nearly-full");
  CHECK(r.status == 2);
  check_one_line(r.err);
  CHECK(r.err.find("KB free but the run's checkpoints need") != std::string::npos);
  CHECK(r.out.find("epoch 1/") == std::string::npos);
  fs::remove_all(dir);
  fs::remove(disk.dir + "/filler");

  // The disk fills up during a resumed run (after its checks: once it has rewritten
  // config.json): the next write fails with a clear error, epoch 1's checkpoint is untouched,
  // and once there is room again --resume finishes with the uninterrupted run's metrics.
  run_one_epoch_then_die(dir, root + "/first-epoch");
  const std::string before = slurp(dir + "/checkpoint.safetensors");
  const auto config_time = fs::last_write_time(dir + "/config.json");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a later mtime for the rewrite
  const pid_t pid = spawn_excite({"train", "--resume", dir}, root + "/filling");
  int raw = 0;
  bool exited = false;
  while (fs::last_write_time(dir + "/config.json") == config_time && !exited) {
    exited = waitpid(pid, &raw, WNOHANG) == pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  INFO("the resumed run ended before it started training: " << slurp(root + "/filling.err"));
  REQUIRE_FALSE(exited);
  fill_disk(disk.dir);
  const int status = wait_for(pid);
  const std::string err = slurp(root + "/filling.err");
  INFO("stderr: " << err);
  CHECK(status == 2);
  check_one_line(err);
  CHECK((err.find("No space left on device") != std::string::npos || err.find("disk full") != std::string::npos));
  check_checkpoint_intact(dir, before, 1);
  for (const auto& e : fs::directory_iterator(dir))  // a failed write leaves no temporary behind
    CHECK(e.path().filename().string().find(".tmp" + std::to_string(pid)) == std::string::npos);
  fs::remove(disk.dir + "/filler");
  resume_and_compare(dir, ref, root + "/resume");
}

TEST_CASE("a loss that becomes NaN or inf: exit 2 naming the epoch and step, the last checkpoint kept") {
  if (!have_fashion_mnist()) return;
  const std::string root = testing::temp_dir("fault-nan");
  // Diverging from the first steps: there is no checkpoint yet, and the message says so.
  ExciteRun r = run_excite(tiny_run(root + "/at-once", {"--lr", "1e30"}), root + "/at-once");
  CHECK(r.status == 2);
  check_one_line(r.err);
  CHECK(r.err.find("at epoch 1, step ") != std::string::npos);
  CHECK_FALSE(fs::exists(root + "/at-once/checkpoint.safetensors"));
  // Diverging in epoch 2 (a step schedule multiplying the LR by 1e30 after epoch 1): epoch 1's
  // checkpoint and best weights stay, finite, and the message names them.
  const std::string dir = root + "/later";
  r = run_excite(tiny_run(dir, {"--schedule", "step", "--milestones", "1", "--gamma", "1e30"}), root + "/later");
  CHECK(r.status == 2);
  check_one_line(r.err);
  CHECK(r.err.find("at epoch 2, step ") != std::string::npos);
  CHECK(r.err.find(dir + "/checkpoint.safetensors") != std::string::npos);
  check_checkpoint_intact(dir, slurp(dir + "/checkpoint.safetensors"), 1);
  CHECK(metrics_rows(dir).size() == 1);
}
