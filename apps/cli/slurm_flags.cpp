// apps/cli/slurm_flags.cpp — --emit slurm and its options.
#include "apps/cli/slurm_flags.h"

namespace excite::apps {

CLI::Option* add_slurm_flags(CLI::App& app, SlurmOptions& o, std::string& emit, bool study) {
  CLI::Option* e = app.add_option("--emit", emit,
                                  study ? "write a Slurm job array for the study (slurm/study.sbatch) instead of running it"
                                        : "write a Slurm batch script for this run (DIR/train.sbatch) instead of training")
                       ->check(CLI::IsMember({"slurm"}));
  app.add_option("--partition", o.partition, "with --emit slurm: the partition")->needs(e);
  app.add_option("--time", o.time, "with --emit slurm: the time limit per job (sbatch format, e.g. 2:00:00)")->needs(e);
  app.add_option("--cpus-per-task", o.cpus_per_task,
                 study ? "with --emit slurm: CPUs (threads) per run (default: the study's threads)"
                       : "with --emit slurm: CPUs (threads) per rank (default: --threads, else 1)")
      ->needs(e)
      ->check(CLI::PositiveNumber);
  if (study)
    app.add_option("--max-parallel", o.max_parallel, "with --emit slurm: array tasks at once (%M)")
        ->needs(e)
        ->check(CLI::PositiveNumber);
  else
    app.add_option("--ranks", o.ranks, "with --emit slurm: MPI ranks (the job runs mpirun -np K)")
        ->needs(e)
        ->check(CLI::PositiveNumber);
  return e;
}

}  // namespace excite::apps
