// fuzz/fuzz_scaleout.cpp — the Slurm and MPI configuration: the command line of
// `excite train --emit slurm` (apps/cli/slurm_flags.h: --emit, --partition, --time, --cpus-per-task,
// --ranks, with the training flags: --out, --threads, ...) parsed by CLI11, checked, and turned
// into the batch script's text (apps/study/ablate_slurm.h, no file written); and, when the input
// starts with '{', a run directory's distributed.json (apps/train/dist/run_record.h), which a
// `--resume` of a multi-rank run reads.
// The invariant on the script: a user's value never adds a line to it (a #SBATCH line cannot be
// quoted), so its line count depends only on which options are given.
#include <algorithm>
#include <filesystem>

#include "apps/cli/flags.h"
#include "apps/cli/slurm_flags.h"
#include "apps/train/dist/run_record.h"
#include "core/error.h"
#include "fuzz_args.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace excite;
  if (size > 0 && data[0] == '{') {
    static fuzz::ScratchDir run("dist-run");
    try {
      const dist::RunRecord r = dist::read_run_record(run.write("distributed.json", data, size));
      if (!r.found) __builtin_trap();
    } catch (const Error&) {
    }
    return 0;
  }
  static CLI::App app;
  static apps::Overrides overrides;
  static apps::SlurmOptions slurm;
  static std::string emit;
  [[maybe_unused]] static const bool added =
      (apps::add_train_flags(app, overrides), apps::add_slurm_flags(app, slurm, emit, /*study=*/false), true);
  slurm = apps::SlurmOptions{};  // (fuzz_args.h: one App per process)
  emit.clear();
  if (!fuzz::parse(app, fuzz::arguments(data, size))) return 0;
  try {
    apps::TrainConfig c;
    overrides.apply(c);
    c = apps::validated(c);
    if (emit.empty() || c.out.empty()) return 0;
    const std::string dir = std::filesystem::absolute(c.out).lexically_normal().string();
    const std::string script = apps::train_slurm_script(dir, 2, slurm, "/usr/bin/excite");
    const auto lines = std::count(script.begin(), script.end(), '\n');
    if (lines != 16 + !slurm.partition.empty() + !slurm.time.empty()) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
