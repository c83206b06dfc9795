// apps/study/ablate_runner.h — running a study's plan: every run an ordinary `excite train`, K at once,
// resumable, never mixing two studies in one directory.
//
// The study directory: study.json (the resolved study and its fingerprint), runs/<run name>/ (a
// complete run directory each, plus train.log), and the report (apps/study/report.h).
//
// Re-running the same study skips finished runs (summary.json present and the run's config.json
// has the planned config's fingerprint) and resumes interrupted ones (checkpoint present:
// `excite train --resume`); a run directory holding another config is an error, never
// overwritten. A study directory made with a different study config is refused unless
// restart is set, which removes the old runs and report first.
//
// Jobs and threads: each run is a child process (`excite train`, fork + exec of the excite
// binary) with threads = max(1, cores / jobs). Processes rather than threads because the thread
// count of OpenMP and OpenBLAS is process-global (core/blas.h set_num_threads): two runs in one
// process would overwrite each other's setting and oversubscribe the cores. A process also
// isolates a run's crash or out-of-memory kill from the rest of the study, frees its memory when
// it ends, and makes each run's log its own file. Children are asked to die with the study
// (PR_SET_PDEATHSIG); Ctrl-C stops them all, and re-running resumes from their checkpoints.
// Launch::InProcess runs the plan sequentially through train() in this process (tests; also
// what lets a test stop runs after some epochs).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "apps/study/ablate_study.h"

namespace excite::apps {

enum class Launch { Process, InProcess };

struct StudyOptions {
  bool restart = false;       // remove the study directory's runs and report, start afresh
  int max_runs = 0;           // > 0: start at most this many runs now (the rest on the next call)
  Launch launch = Launch::Process;
  std::string excite_path = "/proc/self/exe";  // Process: the binary that runs `excite train`
  int stop_after_epochs = 0;  // InProcess: stop each run after this many epochs (tests of resume)
  std::FILE* log = stdout;    // the study's progress lines
};

enum class RunState { New, Partial, Done };

struct RunStatus {
  RunState state = RunState::New;
  int epochs_done = 0;
};

// The study stored in a study directory's study.json, with its out set to that directory.
StudyConfig load_study_dir(const std::string& dir);
// The cores this process may use (its CPU affinity).
int available_cores();

// What a planned run's directory holds; throws if it holds a run of another config.
RunStatus run_status(const PlannedRun& run);

// The command line of a planned run: {"excite", "train", DIR/config.json} or, resuming,
// {"excite", "train", "--resume", DIR} (also what a Slurm array task runs, apps/study/ablate_slurm.h).
std::vector<std::string> train_args(const PlannedRun& run, bool resume);

// A fresh run's <dir>/config.json (what `excite train` is started with).
void write_run_config(const PlannedRun& run);

// Writes study.json, or checks that the one present is this study's (refusing a changed study
// unless restart, which first clears the directory's runs and report).
void prepare_study_dir(const Plan& plan, bool restart);

struct StudyResult {
  int finished = 0;  // runs finished, including those skipped as already finished
  int skipped = 0;   // already finished before this call
  int failed = 0;
  int remaining = 0;  // not finished (failed, stopped, or beyond max_runs)
  std::vector<std::string> failures;  // "<run>: <reason>"
};

// prepare_study_dir, then every run that is not finished. The study's report is separate
// (write_report, apps/study/report.h).
StudyResult run_study(const Plan& plan, const StudyOptions& options);

}  // namespace excite::apps
