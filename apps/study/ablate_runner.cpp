// apps/study/ablate_runner.cpp — running a plan: launching `excite train` processes (or train() in
// this process), K at a time, and the study's progress lines. The directory side: ablate_dir.cpp.
#include "apps/study/ablate_runner.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include "apps/train/progress.h"
#include "apps/train/trainer.h"
#include "core/error.h"

extern char** environ;

namespace excite::apps {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// The last lines of a run's log, to show why it failed.
std::string tail_of(const std::string& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += "    " + l + "\n";
  return out;
}

// --- launching one run -----------------------------------------------------------------------

struct Child {
  pid_t pid = -1;
  size_t run = 0;
  Clock::time_point start;
};

// `excite train CONFIG` (or `--resume DIR`) as a child process, its output into <dir>/train.log.
pid_t spawn_train(const std::string& exe, const PlannedRun& run, bool resume) {
  std::vector<std::string> args = train_args(run, resume);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("OMP_NUM_THREADS=", 0) != 0) env.emplace_back(*e);
  env.push_back("OMP_NUM_THREADS=" + std::to_string(run.config.threads));
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  for (auto& e : env) envp.push_back(e.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  const std::string log = run.dir + "/train.log";
  const pid_t parent = getpid();
  const pid_t pid = fork();
  EXCITE_CHECK(pid >= 0, "ablate: cannot start a process for " << run.name << " (fork failed)");
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) _exit(126);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the study stops: its runs stop (and resume next time)
    if (getppid() != parent) _exit(125);
    execve(exe.c_str(), argv.data(), envp.data());
    static const char msg[] = "excite ablate: cannot execute the excite binary\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
  }
  return pid;
}

// A sequential run in this process (Launch::InProcess): true if it finished.
bool train_in_process(const PlannedRun& run, bool resume, int stop_after_epochs, std::string* why) {
  std::FILE* log = std::fopen((run.dir + "/train.log").c_str(), "a");
  EXCITE_CHECK(log, "ablate: cannot write " << run.dir << "/train.log");
  try {
    train(resume ? TrainConfig{} : run.config,
          {.resume_dir = resume ? run.dir : "", .log = log, .stop_after_epochs = stop_after_epochs});
  } catch (const Error& e) {
    std::fprintf(log, "excite: error: %s\n", e.what());
    *why = e.what();
  }
  std::fclose(log);
  return fs::exists(run.dir + "/summary.json");
}

}  // namespace

std::vector<std::string> train_args(const PlannedRun& run, bool resume) {
  std::vector<std::string> args = {"excite", "train"};
  if (resume) args.insert(args.end(), {"--resume", run.dir});
  else args.push_back(run.dir + "/config.json");
  return args;
}

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}
StudyResult run_study(const Plan& plan, const StudyOptions& o) {
  prepare_study_dir(plan, o.restart);
  StudyResult result;
  std::vector<size_t> todo;
  std::vector<bool> resume(plan.runs.size(), false);
  int partial = 0;
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    const RunStatus s = run_status(plan.runs[i]);
    if (s.state == RunState::Done) {
      ++result.skipped;
      continue;
    }
    resume[i] = s.state == RunState::Partial;
    partial += resume[i];
    todo.push_back(i);
  }
  result.finished = result.skipped;
  const size_t total = plan.runs.size();
  const int jobs = o.launch == Launch::Process ? plan.study.jobs : 1;
  std::fprintf(o.log, "excite ablate: %s -> %s: %zu variants x %zu seeds = %zu runs (%d finished, %d to resume, %zu to "
               "start); %d at a time, %d thread%s each\n",
               plan.study.name.c_str(), plan.dir.c_str(), plan.variants.size(), plan.study.seeds.size(), total,
               result.skipped, partial, todo.size() - static_cast<size_t>(partial), jobs,
               plan.runs.empty() ? 0 : plan.runs[0].config.threads, plan.runs.empty() || plan.runs[0].config.threads == 1 ? "" : "s");
  for (const std::string& w : plan.warnings) std::fprintf(o.log, "excite ablate: note: %s\n", w.c_str());
  if (o.max_runs > 0 && static_cast<int>(todo.size()) > o.max_runs) {
    result.remaining += static_cast<int>(todo.size()) - o.max_runs;
    todo.resize(static_cast<size_t>(o.max_runs));
  }

  const auto study_start = Clock::now();
  double run_seconds = 0;
  int started = 0, ended = 0;
  auto finish = [&](size_t i, bool ok, const std::string& why, double seconds) {
    const PlannedRun& run = plan.runs[i];
    ++ended;
    run_seconds += seconds;
    if (ok) {
      ++result.finished;
      nlohmann::json s = nlohmann::json::parse(std::ifstream(run.dir + "/summary.json"));
      std::fprintf(o.log, "[%d/%zu] done    %-28s test accuracy %.2f%%  %s", result.finished, total, run.name.c_str(),
                   100 * s.value("final_test_accuracy", 0.0), format_duration(seconds).c_str());
    } else {
      ++result.remaining;
      if (!why.empty()) {
        ++result.failed;
        result.failures.push_back(run.name + ": " + why);
      }
      std::fprintf(o.log, "[%d/%zu] %s %-28s %s", result.finished, total, why.empty() ? "stopped" : "FAILED ",
                   run.name.c_str(), why.empty() ? "(resumes on the next call)" : why.c_str());
    }
    // Left: the runs not started, and about half of each one in flight, at this session's pace.
    const double left = static_cast<double>(todo.size()) - started + 0.5 * (started - ended);
    if (left > 0 && run_seconds > 0)
      std::fprintf(o.log, "  (elapsed %s, about %s left)",
                   format_duration(std::chrono::duration<double>(Clock::now() - study_start).count()).c_str(),
                   format_duration(run_seconds / ended * left / jobs).c_str());
    std::fprintf(o.log, "\n");
    if (!ok && !why.empty()) std::fprintf(o.log, "%s", tail_of(run.dir + "/train.log", 6).c_str());
    std::fflush(o.log);
  };
  auto start_line = [&](size_t i) {
    ++started;
    std::fprintf(o.log, "[%d/%zu] %s %s\n", result.finished, total, resume[i] ? "resume " : "start  ",
                 plan.runs[i].name.c_str());
    std::fflush(o.log);
  };
  // A fresh run gets its config file; a resumed one continues with the config.json it has.
  auto prepare_run = [&](size_t i) {
    fs::create_directories(plan.runs[i].dir);
    if (!resume[i]) write_run_config(plan.runs[i]);
  };

  if (o.launch == Launch::InProcess) {
    for (size_t i : todo) {
      prepare_run(i);
      start_line(i);
      const auto t0 = Clock::now();
      std::string why;
      const bool ok = train_in_process(plan.runs[i], resume[i], o.stop_after_epochs, &why);
      finish(i, ok, why, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return result;
  }

  std::deque<size_t> queue(todo.begin(), todo.end());
  std::vector<Child> running;
  while (!queue.empty() || !running.empty()) {
    while (static_cast<int>(running.size()) < jobs && !queue.empty()) {
      const size_t i = queue.front();
      queue.pop_front();
      prepare_run(i);
      start_line(i);
      running.push_back({spawn_train(o.excite_path, plan.runs[i], resume[i]), i, Clock::now()});
    }
    bool reaped = false;
    for (size_t k = 0; k < running.size();) {
      int status = 0;
      const pid_t r = waitpid(running[k].pid, &status, WNOHANG);
      if (r == 0) {
        ++k;
        continue;
      }
      const Child c = running[k];
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
      reaped = true;
      const PlannedRun& run = plan.runs[c.run];
      const bool ok = r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(run.dir + "/summary.json");
      std::string why;
      if (!ok) {
        if (r < 0) why = "lost track of the process";
        else if (WIFSIGNALED(status)) why = "killed by signal " + std::to_string(WTERMSIG(status)) + " (see " + run.dir + "/train.log)";
        else why = "exit status " + std::to_string(WEXITSTATUS(status)) + " (see " + run.dir + "/train.log)";
      }
      finish(c.run, ok, why, std::chrono::duration<double>(Clock::now() - c.start).count());
    }
    if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return result;
}

}  // namespace excite::apps
