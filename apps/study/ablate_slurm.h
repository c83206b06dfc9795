// apps/study/ablate_slurm.h — studies and multi-rank runs as Slurm batch scripts.
//
//   excite ablate STUDY --emit slurm [--partition P] [--time T] [--cpus-per-task N] [--max-parallel M]
//     writes STUDY_DIR/slurm/study.sbatch: a job array, one task per (variant, seed), at most M
//     at once (%M), each task's log in STUDY_DIR/slurm/logs/task-<index>.log (appended, so a
//     re-queued task keeps its history), and STUDY_DIR/slurm/tasks.tsv (index, run, log). Submit
//     it with `sbatch STUDY_DIR/slurm/study.sbatch`.
//   Each task runs `excite ablate STUDY_DIR --slurm-task I`, which locks its run directory
//   (apps/train/run_dir_lock.h), skips a finished run, and otherwise becomes (exec) exactly the
//   `excite train` the local runner would start (train_args, apps/study/ablate_runner.h): the planned
//   config.json for a new run, `--resume DIR` for one with a checkpoint. So a re-queued or
//   re-submitted task resumes its run, and a second task of the same run refuses in one line.
//   Tasks write only into their own run directory; the study's files (study.json, the report)
//   are written by the emitting and reporting commands, under the study directory's lock.
//   Afterwards `excite ablate --report-only STUDY_DIR` merges what finished and lists the runs
//   missing or failed, with their task's log (print_study_gaps).
//
//   excite train ... --out DIR --emit slurm --ranks K [--partition P] [--time T] [--cpus-per-task N]
//     writes DIR/train-config.json (the resolved config) and DIR/train.sbatch: K tasks with N
//     CPUs each, running `mpirun -np K excite train` on that config (or --resume DIR when a
//     checkpoint exists) across the allocation. mpirun, not srun: Debian's Slurm has no PMIx.
// The flags (--emit, --partition, ...) are apps/cli/slurm_flags.h.
// Leaves out: submitting (sbatch is the user's), accounting, heterogeneous jobs.
#pragma once

#include <cstdio>
#include <string>

#include "apps/study/ablate_study.h"
#include "apps/train/config.h"

namespace excite::apps {

struct SlurmOptions {
  std::string partition = "";  // "" = the cluster's default
  std::string time = "";       // "" = the partition's default; else sbatch's format (e.g. 2:00:00)
  int cpus_per_task = 0;       // 0 = the study's threads per run (train: its --threads, else 1)
  int max_parallel = 0;        // 0 = no throttle
  int ranks = 1;               // train: MPI ranks
  bool sync_bn = false;        // train: pass --sync-bn
};

// What a script takes from the user, checked before anything is written (one line naming the
// flag): the partition (Slurm names, comma-separated: letters, digits, '_', '-', '.'), the time
// limit (sbatch's digits, ':' and '-', or UNLIMITED), the counts. A #SBATCH line cannot be
// quoted, so a value that would break it (a line break, a space) is refused, not written.
void check_slurm_options(const SlurmOptions& options);
// The same for a path or name written on a #SBATCH line or a comment: no line breaks.
void check_one_script_line(const std::string& what, const std::string& value);

// The study's job array; returns the script's path. Writes study.json like a local study.
std::string emit_study_slurm(const Plan& plan, const SlurmOptions& options, std::FILE* log);
// One array task (the process becomes `excite train`, or returns 0 for a finished run).
int run_slurm_task(const Plan& plan, int index);
// The planned runs without a result: state, epochs done, the task's log and its last error.
void print_study_gaps(const Plan& plan, std::FILE* out);

// A multi-rank training run as one batch job; returns the script's path.
std::string emit_train_slurm(const TrainConfig& config, const SlurmOptions& options, std::FILE* log);
// Its text: `dir` the run directory (absolute), `cpus` per rank, `exe` the excite to run. No I/O;
// the options and dir are checked as above.
std::string train_slurm_script(const std::string& dir, int cpus, const SlurmOptions& options, const std::string& exe);

}  // namespace excite::apps
