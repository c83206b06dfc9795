// apps/cli/slurm_flags.h — the flags of `--emit slurm` (apps/study/ablate_slurm.h): --emit,
// --partition, --time, --cpus-per-task, and --max-parallel for a study or --ranks for a run.
// They are options of the emitted script, not of a run, so they are not settings of TrainConfig.
// Leaves out: the scripts themselves (apps/study/ablate_slurm.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "apps/study/ablate_slurm.h"

namespace excite::apps {

// Returns the --emit option.
CLI::Option* add_slurm_flags(CLI::App& app, SlurmOptions& options, std::string& emit, bool study);

}  // namespace excite::apps
