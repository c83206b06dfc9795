// Ablation studies end to end on tiny runs (Fashion-MNIST from Debian's package, 128 training
// images): a study stopped after some runs and inside others completes on re-run without
// touching the finished ones; a changed study is refused, --restart starts afresh; the report
// has a row per run and its plots; the child-process launcher runs `excite train`.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include "apps/study/ablate_runner.h"
#include "apps/train/metrics_log.h"
#include "apps/train/plot.h"
#include "apps/study/report.h"
#include "fixtures.h"

using namespace excite;
using namespace excite::apps;
namespace fs = std::filesystem;
using testing::have_fashion_mnist;

namespace {

std::FILE* null_log() {
  static std::FILE* null = std::fopen("/dev/null", "w");
  return null;
}

// 3 variants (default r 16, no SE, r 8) x 2 seeds of a seconds-long run.
StudyConfig tiny_study(const std::string& out, int epochs) {
  StudyConfig s;
  s.name = "tiny";
  s.out = out;
  s.seeds = {1, 2};
  s.base.model.arch = "seresnet8";
  s.base.model.attention.options.set("min_channels", int64_t{1});
  s.base.limit_train = 128;
  s.base.limit_test = 64;
  s.base.batch_size = 32;
  s.base.epochs = epochs;
  s.base.lr = 0.05;
  s.base.warmup_epochs = 0;
  s.base.workers = 1;
  s.base.threads = 1;  // one level of parallelism, and fast on a loaded machine
  s.factors["attention"] = {"none"};
  s.factors["reduction"] = {int64_t{8}};
  return s;
}

StudyOptions in_process() { return {.launch = Launch::InProcess, .log = null_log()}; }

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> csv_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("an interrupted study completes on re-run - finished runs are left untouched - the report", "[ablate]") {
  if (!have_fashion_mnist()) return;
  const std::string dir = testing::temp_dir("ablate") + "/study";
  const Plan plan = make_plan(tiny_study(dir, 2), 2);
  REQUIRE(plan.runs.size() == 6);

  // Session 1: two runs finish, then the study stops (as after Ctrl-C between runs).
  StudyOptions first = in_process();
  first.max_runs = 2;
  const StudyResult r1 = run_study(plan, first);
  CHECK(r1.finished == 2);
  CHECK(r1.remaining == 4);
  const std::string done0 = plan.runs[0].dir + "/summary.json", done1 = plan.runs[1].dir + "/summary.json";
  const auto time0 = fs::last_write_time(done0), time1 = fs::last_write_time(done1);
  const std::string text0 = read_text(done0);

  // The report of a partial study: every planned run has a row, the unfinished ones are named.
  write_report(plan, null_log());
  auto rows = csv_lines(dir + "/report.csv");
  REQUIRE(rows.size() == 7);
  CHECK_THAT(rows[1], Catch::StartsWith("default_seed-1,default,,1,finished,2,"));
  CHECK_THAT(rows[3], Catch::StartsWith("reduction-8_seed-1,reduction-8,reduction,1,not started,0,"));
  CHECK_THAT(read_text(dir + "/report.md"), Catch::Contains("Not finished (4"));

  // Session 2: the next two runs are killed after epoch 1 of 2.
  StudyOptions second = in_process();
  second.max_runs = 2;
  second.stop_after_epochs = 1;
  const StudyResult r2 = run_study(plan, second);
  CHECK(r2.skipped == 2);
  CHECK(r2.finished == 2);
  for (size_t i : {2, 3}) {
    const RunStatus s = run_status(plan.runs[i]);
    CHECK(s.state == RunState::Partial);
    CHECK(s.epochs_done == 1);
  }

  // Session 3: resumes the two, starts the last two, skips the finished ones.
  const StudyResult r3 = run_study(plan, in_process());
  CHECK(r3.skipped == 2);
  CHECK(r3.finished == 6);
  CHECK(r3.remaining == 0);
  CHECK(r3.failed == 0);
  CHECK(fs::last_write_time(done0) == time0);
  CHECK(fs::last_write_time(done1) == time1);
  CHECK(read_text(done0) == text0);
  for (size_t i : {2, 3}) {
    CHECK_THAT(read_text(plan.runs[i].dir + "/train.log"), Catch::Contains("resuming after epoch 1"));
    CHECK(MetricsLog(plan.runs[i].dir).read().size() == 2);
  }
  for (const PlannedRun& run : plan.runs) CHECK(run_status(run).state == RunState::Done);

  // The full report, also as --report-only rebuilds it from the directory.
  write_report(make_plan(load_study_dir(dir), 2), null_log());
  rows = csv_lines(dir + "/report.csv");
  REQUIRE(rows.size() == 7);
  CHECK_THAT(rows[0], Catch::StartsWith("run,variant,factor,seed,status,epochs,final_test_accuracy"));
  const std::vector<std::string> names = {"default_seed-1", "no-se_seed-1", "reduction-8_seed-1",
                                          "default_seed-2", "no-se_seed-2", "reduction-8_seed-2"};
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK_THAT(rows[i + 1], Catch::StartsWith(names[i] + ","));
    CHECK_THAT(rows[i + 1], Catch::Contains(",finished,2,"));
  }
  const std::string md = read_text(dir + "/report.md");
  for (const char* s : {"| default | 2 |", "| no-se | 2 |", "| reduction-8 | 2 |", "### reduction: SE reduction ratio r",
                        "| 8 | 2/4/8 | 2 |", "| 16 (default) | 1/2/4 | 2 |", "22.26", "pooled", "p < 0.05"})
    CHECK_THAT(md, Catch::Contains(s));
  if (gnuplot_available()) {
    for (const char* png : {"accuracy-vs-reduction.png", "factor-reduction.png", "curves-reduction.png"}) {
      INFO(png);
      CHECK(fs::exists(dir + "/" + png));
      CHECK_THAT(md, Catch::Contains(std::string("](") + png + ")"));
    }
  } else {
    WARN("gnuplot not installed: plots not checked");
  }
}

TEST_CASE("a changed study is refused, never mixed - other jobs are no change - restart starts afresh", "[ablate]") {
  if (!have_fashion_mnist()) return;
  const std::string dir = testing::temp_dir("ablate-change") + "/study";
  StudyConfig s = tiny_study(dir, 1);
  s.seeds = {1};
  s.factors.erase("reduction");
  run_study(make_plan(s, 2), in_process());

  StudyConfig changed = s;
  changed.base.epochs = 2;
  CHECK_THROWS_WITH(run_study(make_plan(changed, 2), in_process()),
                    Catch::Contains("holds a study with another config") && Catch::Contains("/base/epochs: 1 -> 2") &&
                        Catch::Contains("--restart"));
  changed = s;
  changed.factors["gate"] = {"tanh"};
  CHECK_THROWS_WITH(run_study(make_plan(changed, 2), in_process()), Catch::Contains("/factors/gate: added"));

  StudyConfig faster = s;
  faster.jobs = 2;
  CHECK(run_study(make_plan(faster, 2), in_process()).skipped == 2);

  changed = s;
  changed.base.epochs = 2;
  StudyOptions restart = in_process();
  restart.restart = true;
  const Plan plan = make_plan(changed, 2);
  const StudyResult r = run_study(plan, restart);
  CHECK(r.skipped == 0);
  CHECK(r.finished == 2);
  for (const PlannedRun& run : plan.runs) CHECK(MetricsLog(run.dir).read().size() == 2);

  // A directory that is not a study is never taken over.
  const std::string other = testing::temp_dir("ablate-other");
  std::ofstream(other + "/notes.txt") << "mine\n";
  s.out = other;
  CHECK_THROWS_WITH(run_study(make_plan(s, 2), restart), Catch::Contains("is not a study directory"));
  CHECK(fs::exists(other + "/notes.txt"));
}

// Runs `excite ...` and returns its exit status, its output (stdout and stderr) in *out.
int run_command(const std::string& command, std::string* out) {
  std::FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe);
  char buf[4096];
  out->clear();
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out->append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("runs as child processes (`excite train`, K at once, cores / K threads each) - the command line", "[ablate]") {
  if (!have_fashion_mnist()) return;
  const fs::path exe = EXCITE_BINARY;  // set by tests/CMakeLists.txt
  REQUIRE(fs::exists(exe));
  const std::string root = testing::temp_dir("ablate-proc");
  const std::string dir = root + "/study";
  StudyConfig s = tiny_study(dir, 1);
  s.seeds = {1};
  s.jobs = 2;
  s.base.threads = 0;  // the study divides the cores
  const Plan plan = make_plan(s, available_cores());
  const int threads = std::max(1, available_cores() / 2);
  StudyOptions o{.excite_path = exe.string(), .log = null_log()};
  const StudyResult r = run_study(plan, o);
  CHECK(r.failed == 0);
  CHECK(r.finished == 3);
  for (const PlannedRun& run : plan.runs) {
    CHECK(run_status(run).state == RunState::Done);
    CHECK_THAT(read_text(run.dir + "/train.log"), Catch::Contains(std::to_string(threads) + " threads ->"));
  }

  const std::string excite = exe.string();
  std::string out;
  CHECK(run_command(excite + " ablate --report-only " + dir, &out) == 0);
  CHECK_THAT(out, Catch::Contains("3 of 3 runs finished"));
  CHECK(run_command(excite + " ablate --report-only " + dir + " --jobs 2", &out) == 2);
  CHECK_THAT(out, Catch::Contains("--report-only takes no other arguments"));
  // The study directory continues its study: nothing left to run.
  CHECK(run_command(excite + " ablate " + dir, &out) == 0);
  CHECK_THAT(out, Catch::Contains("(3 finished, 0 to resume, 0 to start)"));

  const std::string file = root + "/study.json";
  std::ofstream(file) << to_json(s).dump(2);
  CHECK(run_command(excite + " ablate " + file + " --out " + root + "/other --dry-run --seeds 2 --jobs 1 --epochs 3", &out) == 0);
  CHECK_THAT(out, Catch::Contains("3 variants x 2 seeds = 6 runs, 1 at a time"));
  CHECK_THAT(out, Catch::Contains("reduction-8_seed-2"));
  CHECK_FALSE(fs::exists(root + "/other"));
  CHECK(run_command(excite + " ablate " + file + " --seeds 4,9 --dry-run", &out) == 0);
  CHECK_THAT(out, Catch::Contains("no-se_seed-9"));
  CHECK(run_command(excite + " ablate " + file + " --seed 3", &out) == 2);
  CHECK_THAT(out, Catch::Contains("--seeds"));
  CHECK(run_command(excite + " ablate " + file + " --epochs 2", &out) == 2);  // a changed study
  CHECK_THAT(out, Catch::Contains("/base/epochs: 1 -> 2"));
}
