// `excite ablate --emit slurm` and the array task it runs, without Slurm (the built binary,
// EXCITE_BINARY, on tests/slurm/tiny-study.json: 4 runs of 256 Fashion-MNIST images):
//   - the script: a 4-task array throttled with %M, one appended log per task, the CPUs asked for,
//     and exactly one command, `excite ablate STUDY_DIR --slurm-task $SLURM_ARRAY_TASK_ID`;
//   - a task killed mid-run (a re-queued task) resumes its run when run again, then skips the
//     finished run; while another process holds
//     the run directory's lock it refuses in one line naming that process;
//   - --report-only then lists the three runs still missing, with their task's log.
// The real thing (sbatch on a local slurmctld/slurmd) is scripts/slurm-local.sh run-test.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "fixtures.h"

using excite::testing::slurp;
namespace fs = std::filesystem;

namespace {

int sh(const std::string& command, const std::string& log) {
  const int rc = std::system((command + " > " + log + " 2>&1 < /dev/null").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
}

}  // namespace

TEST_CASE("slurm - ablate --emit slurm writes a throttled array whose tasks run, skip and lock their runs", "[slurm]") {
  if (!excite::testing::have_fashion_mnist()) return;
  const std::string dir = excite::testing::temp_dir("slurm-emit");
  const std::string study = dir + "/study", exe = EXCITE_BINARY;
  const std::string config = excite::testing::source_dir() + "/tests/slurm/tiny-study.json";
  REQUIRE(sh(exe + " ablate " + config + " --out " + study +
                 " --epochs 2 --emit slurm --partition short --time 0:10:00 --cpus-per-task 1 --max-parallel 2",
             dir + "/emit.log") == 0);
  const std::string script = slurp(study + "/slurm/study.sbatch");
  CHECK(script.find("#SBATCH --array=0-3%2\n") != std::string::npos);
  CHECK(script.find("#SBATCH --partition=short\n") != std::string::npos);
  CHECK(script.find("#SBATCH --time=0:10:00\n") != std::string::npos);
  CHECK(script.find("#SBATCH --cpus-per-task=1\n") != std::string::npos);
  CHECK(script.find("#SBATCH --output=" + fs::absolute(study).lexically_normal().string() +
                    "/slurm/logs/task-%a.log\n") != std::string::npos);
  CHECK(script.find("#SBATCH --open-mode=append\n") != std::string::npos);
  CHECK(script.find(" --slurm-task \"$SLURM_ARRAY_TASK_ID\"\n") != std::string::npos);
  CHECK(fs::exists(study + "/study.json"));

  // Task 0 as Slurm would run it, killed in its second epoch (8 steps per epoch: step 10).
  const std::string task0 = "SLURM_CPUS_PER_TASK=1 " + exe + " ablate " + study + " --slurm-task 0";
  CHECK(sh("EXCITE_DIST_FAULT=kill:0:10 " + task0, dir + "/task0-killed.log") != 0);
  const std::string killed = slurp(dir + "/task0-killed.log");
  INFO(killed);
  CHECK(killed.find("task 0: starting") != std::string::npos);
  CHECK(killed.find("excite train " + fs::absolute(study).lexically_normal().string() + "/runs/") != std::string::npos);
  // Re-queued: it resumes from the checkpoint and finishes.
  REQUIRE(sh(task0, dir + "/task0.log") == 0);
  const std::string log0 = slurp(dir + "/task0.log");
  INFO(log0);
  CHECK(log0.find("task 0: resuming") != std::string::npos);
  CHECK(log0.find("resuming after epoch 1") != std::string::npos);
  int finished = 0;
  for (const auto& run : fs::directory_iterator(study + "/runs")) finished += fs::exists(run.path() / "summary.json");
  CHECK(finished == 1);
  // Again: skipped.
  REQUIRE(sh(task0, dir + "/task0-again.log") == 0);
  CHECK(slurp(dir + "/task0-again.log").find("is finished already") != std::string::npos);
  // A run directory locked by another process: one line naming it, non-zero.
  const std::string task1 = "SLURM_CPUS_PER_TASK=1 " + exe + " ablate " + study + " --slurm-task 1";
  // Find task 1's run directory name from tasks.tsv and hold its lock with flock(1).
  const std::string tasks = slurp(study + "/slurm/tasks.tsv");
  const size_t at = tasks.find("\n1\t");
  REQUIRE(at != std::string::npos);
  const std::string name = tasks.substr(at + 3, tasks.find('\t', at + 3) - at - 3);
  fs::create_directories(study + "/runs/" + name);
  const int held = sh("flock " + study + "/runs/" + name + "/.lock sh -c 'echo 4242 > " + study + "/runs/" + name +
                          "/.lock; " + task1 + "'",
                      dir + "/task1-locked.log");
  const std::string locked = slurp(dir + "/task1-locked.log");
  INFO(locked);
  CHECK(held == 2);
  CHECK(locked.find("is in use by process 4242") != std::string::npos);

  // The report lists the 3 runs still missing, with their task logs.
  REQUIRE(sh(exe + " ablate --report-only " + study, dir + "/report.log") == 0);
  const std::string report = slurp(dir + "/report.log");
  INFO(report);
  CHECK(report.find("3 of 4 runs missing or failed") != std::string::npos);
  CHECK(report.find("/slurm/logs/task-1.log") != std::string::npos);
}
