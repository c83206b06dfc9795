// apps/study/ablate_slurm.cpp — the sbatch scripts, the array task, and the list of missing runs.
#include "apps/study/ablate_slurm.h"

#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/study/ablate_runner.h"
#include "apps/train/metrics_log.h"
#include "apps/train/run_dir_lock.h"
#include "core/atomic_file.h"
#include "core/error.h"

extern char** environ;

namespace excite::apps {

namespace fs = std::filesystem;

namespace {

// Single-quoted for bash.
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::canonical("/proc/self/exe", ec);
  return ec ? std::string("excite") : p.string();
}

// Through the one atomic, durable writer; a script then gets its execute bits.
void write_atomically(const std::string& path, const std::string& text, bool executable) {
  write_file_atomically(path, text, "slurm");
  if (executable) fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
}

// The script's first lines, with the options checked (the name is the caller's to check).
std::string sbatch_header(const std::string& name, const SlurmOptions& o) {
  check_slurm_options(o);
  std::ostringstream s;
  s << "#!/bin/bash\n";
  s << "#SBATCH --job-name=" << name << "\n";
  if (!o.partition.empty()) s << "#SBATCH --partition=" << o.partition << "\n";
  if (!o.time.empty()) s << "#SBATCH --time=" << o.time << "\n";
  return s.str();
}

bool only_chars(const std::string& s, const char* allowed) {
  return s.find_first_not_of(allowed) == std::string::npos;
}

std::string task_log(const Plan& plan, size_t i) { return plan.dir + "/slurm/logs/task-" + std::to_string(i) + ".log"; }

// The last line of a log that says "error", or "".
std::string last_error(const std::string& path) {
  std::ifstream in(path);
  std::string found;
  for (std::string line; std::getline(in, line);)
    if (line.find("error") != std::string::npos || line.find("CANCELLED") != std::string::npos) found = line;
  return found;
}

}  // namespace

void check_slurm_options(const SlurmOptions& o) {
  constexpr const char* kPartitionChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,";
  EXCITE_CHECK(only_chars(o.partition, kPartitionChars) && o.partition.find(",,") == std::string::npos,
               "--partition: '" << o.partition << "' is not a Slurm partition name (letters, digits, '_', '-', '.'; "
                                << "several separated by ',')");
  EXCITE_CHECK(o.time.empty() || o.time == "UNLIMITED" || o.time == "INFINITE" ||
                   (only_chars(o.time, "0123456789:-") && o.time.find_first_of("0123456789") != std::string::npos),
               "--time: '" << o.time << "' is not an sbatch time limit (e.g. 90, 2:00:00, 1-12:00:00, UNLIMITED)");
  EXCITE_CHECK(o.cpus_per_task >= 0, "--cpus-per-task must be positive, got " << o.cpus_per_task);
  EXCITE_CHECK(o.max_parallel >= 0, "--max-parallel must be positive, got " << o.max_parallel);
  EXCITE_CHECK(o.ranks >= 1, "--ranks must be at least 1, got " << o.ranks);
}

void check_one_script_line(const std::string& what, const std::string& value) {
  EXCITE_CHECK(value.find_first_of(std::string("\n\r\0", 3)) == std::string::npos,
               "--emit slurm: " << what << " has a line break, which a batch script cannot hold");
}

std::string emit_study_slurm(const Plan& plan, const SlurmOptions& o, std::FILE* log) {
  EXCITE_CHECK(!plan.runs.empty(), "ablate: the study plans no runs");
  const std::string dir = fs::absolute(plan.dir).lexically_normal().string();
  const int cpus = o.cpus_per_task > 0 ? o.cpus_per_task : plan.runs[0].config.threads;
  // The script first, so that every value it takes is checked before anything is written.
  check_one_script_line("the study directory", dir);
  check_one_script_line("the study name", plan.study.name);
  std::ostringstream s;
  s << sbatch_header("excite-" + plan.study.name, o);
  s << "#SBATCH --array=0-" << plan.runs.size() - 1;
  if (o.max_parallel > 0) s << "%" << o.max_parallel;
  s << "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=" << cpus << "\n";
  s << "#SBATCH --output=" << dir << "/slurm/logs/task-%a.log\n";
  s << "#SBATCH --open-mode=append\n#SBATCH --requeue\n";
  s << "# excite study '" << plan.study.name << "': " << plan.runs.size() << " runs (slurm/tasks.tsv lists them).\n"
    << "# Each task runs exactly the `excite train` of `excite ablate` for its run: new, resumed from its\n"
    << "# checkpoint, or skipped when finished. Afterwards: excite ablate --report-only " << dir << "\n";
  s << "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-" << cpus << "}\n";
  s << "echo \"== $(date -Is) task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname -s)\"\n";
  s << "exec " << quote(self_path()) << " ablate " << quote(dir) << " --slurm-task \"$SLURM_ARRAY_TASK_ID\"\n";

  prepare_study_dir(plan, false);
  RunDirLock lock(dir, "ablate --emit slurm");
  fs::create_directories(dir + "/slurm/logs");
  std::ostringstream tasks;
  tasks << "task\trun\tlog\n";
  for (size_t i = 0; i < plan.runs.size(); ++i)
    tasks << i << "\t" << plan.runs[i].name << "\t" << dir << "/slurm/logs/task-" << i << ".log\n";
  write_atomically(dir + "/slurm/tasks.tsv", tasks.str(), false);
  const std::string script = dir + "/slurm/study.sbatch";
  write_atomically(script, s.str(), true);
  std::fprintf(log, "excite ablate: wrote %s (%zu array tasks%s, %d CPUs each); submit it with: sbatch %s\n",
               script.c_str(), plan.runs.size(),
               o.max_parallel > 0 ? (", at most " + std::to_string(o.max_parallel) + " at once").c_str() : "", cpus,
               script.c_str());
  return script;
}

int run_slurm_task(const Plan& plan, int index) {
  EXCITE_CHECK(index >= 0 && index < static_cast<int>(plan.runs.size()),
               "ablate: --slurm-task " << index << " is not a task of this study (0.." << plan.runs.size() - 1 << ")");
  PlannedRun run = plan.runs[static_cast<size_t>(index)];
  // Threads: the allocation's (threads are not part of a run's fingerprint).
  if (const char* cpus = std::getenv("SLURM_CPUS_PER_TASK"); cpus != nullptr && std::atoi(cpus) > 0)
    run.config.threads = std::atoi(cpus);
  fs::create_directories(run.dir);
  RunDirLock lock(run.dir, "ablate --slurm-task " + std::to_string(index), /*keep_across_exec=*/true);
  const RunStatus status = run_status(run);
  if (status.state == RunState::Done) {
    std::printf("excite ablate: task %d: %s is finished already (%d epochs); nothing to do\n", index,
                run.name.c_str(), status.epochs_done);
    return 0;
  }
  const bool resume = status.state == RunState::Partial;
  if (!resume) write_run_config(run);
  std::vector<std::string> args = train_args(run, resume);
  std::printf("excite ablate: task %d: %s %s:", index, resume ? "resuming" : "starting", run.name.c_str());
  for (const auto& a : args) std::printf(" %s", a.c_str());
  std::printf("\n");
  std::fflush(stdout);
  setenv("OMP_NUM_THREADS", std::to_string(run.config.threads).c_str(), 1);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string exe = self_path();
  execve(exe.c_str(), argv.data(), environ);  // the lock's descriptor stays open in `excite train`
  EXCITE_FAIL("ablate: --slurm-task " << index << ": cannot execute " << exe);
}

void print_study_gaps(const Plan& plan, std::FILE* out) {
  const bool slurm = fs::exists(plan.dir + "/slurm/tasks.tsv");
  int missing = 0;
  std::ostringstream lines;
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    const PlannedRun& run = plan.runs[i];
    std::string state;
    try {
      const RunStatus s = run_status(run);
      if (s.state == RunState::Done) continue;
      state = s.state == RunState::Partial ? "partial (" + std::to_string(s.epochs_done) + " of " +
                                                 std::to_string(run.config.epochs) + " epochs, checkpoint kept)"
                                           : "not started";
    } catch (const Error& e) {
      state = std::string("unusable: ") + e.what();
    }
    const std::string log = slurm ? task_log(plan, i) : run.dir + "/train.log";
    const std::string error = last_error(log);
    if (!error.empty()) state = "FAILED, " + state + ": " + error;
    ++missing;
    lines << "  " << (slurm ? "task " + std::to_string(i) + "  " : "") << run.name << "  " << state << "  log "
          << (fs::exists(log) ? log : log + " (none)") << "\n";
  }
  if (missing == 0) {
    std::fprintf(out, "excite ablate: all %zu runs finished\n", plan.runs.size());
    return;
  }
  std::fprintf(out, "excite ablate: %d of %zu runs missing or failed (the report holds the others):\n%s", missing,
               plan.runs.size(), lines.str().c_str());
  if (slurm)
    std::fprintf(out, "re-submit the array (sbatch %s/slurm/study.sbatch) to run them; finished runs are skipped\n",
                 plan.dir.c_str());
}

std::string train_slurm_script(const std::string& dir, int cpus, const SlurmOptions& o, const std::string& exe) {
  check_one_script_line("the run directory", dir);
  std::ostringstream s;
  s << sbatch_header("excite-train", o);
  s << "#SBATCH --ntasks=" << o.ranks << "\n#SBATCH --cpus-per-task=" << cpus << "\n";
  s << "#SBATCH --output=" << dir << "/slurm-%j.log\n#SBATCH --open-mode=append\n#SBATCH --requeue\n";
  s << "# excite: one data-parallel training run over " << o.ranks << " MPI ranks (mpirun: Debian's Slurm has no\n"
    << "# PMIx, so srun cannot start OpenMPI ranks). Re-submitting resumes from the checkpoint.\n";
  s << "export OMP_NUM_THREADS=" << cpus << "\n";
  s << "MPIRUN=(mpirun -np " << o.ranks << " --bind-to none -x OMP_NUM_THREADS";
  s << (geteuid() == 0 ? " --allow-run-as-root" : "") << ")\n";
  const std::string flags = std::string(o.sync_bn ? " --sync-bn" : "");
  s << "if [ -f " << quote(dir + "/checkpoint.safetensors") << " ]; then\n";
  s << "  exec \"${MPIRUN[@]}\" " << quote(exe) << " train --resume " << quote(dir) << "\n";
  s << "else\n";
  s << "  exec \"${MPIRUN[@]}\" " << quote(exe) << " train " << quote(dir + "/train-config.json") << flags << "\n";
  s << "fi\n";
  return s.str();
}

std::string emit_train_slurm(const TrainConfig& config, const SlurmOptions& o, std::FILE* log) {
  EXCITE_CHECK(!config.out.empty(), "train: --emit slurm needs --out DIR (the run directory the job writes)");
  const std::string dir = fs::absolute(config.out).lexically_normal().string();
  EXCITE_CHECK(!fs::exists(dir + "/checkpoint.safetensors"),
               "train: " << dir << " already holds a run; its train.sbatch resumes it");
  TrainConfig c = config;
  c.out = dir;
  const int cpus = o.cpus_per_task > 0 ? o.cpus_per_task : c.threads > 0 ? c.threads : 1;
  c.threads = cpus;
  const std::string text = train_slurm_script(dir, cpus, o, self_path());  // checks the values, writes nothing
  fs::create_directories(dir);
  write_atomically(dir + "/train-config.json", to_json(c).dump(2) + "\n", false);
  const std::string script = dir + "/train.sbatch";
  write_atomically(script, text, true);
  std::fprintf(log, "excite train: wrote %s (%d ranks x %d CPUs); submit it with: sbatch %s\n", script.c_str(), o.ranks,
               cpus, script.c_str());
  return script;
}

}  // namespace excite::apps
