// tests/apps/cli/spawn_excite.h — the built binary (EXCITE_BINARY) as a child process, for the
// tests of faults, run-directory locking and interrupts: start it with its output in files, wait
// for it, a small training run's flags, poll for a file, metrics.csv without its timing columns.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.h"

extern char** environ;

namespace excite::testing {

// Starts `excite args...`, stdout/stderr to <log>.out/<log>.err, `env` ("NAME=value") on top of ours.
inline pid_t spawn_excite(const std::vector<std::string>& args, const std::string& log,
                          const std::vector<std::string>& env = {}) {
  std::vector<std::string> all = {EXCITE_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings(env);
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, (log + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&files, 2, (log + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  REQUIRE(rc == 0);
  return pid;
}

// `excite train` on 512 Fashion-MNIST images, 16 steps of 32 per epoch, SE-ResNet-8, 2 epochs.
struct SmallRun {
  int threads = 2, workers = 2, seed = 7;
};
inline std::vector<std::string> small_run(const std::string& out, const SmallRun& r = {}) {
  return {"train",     "--dataset", "fashion-mnist", "--limit-train", "512", "--limit-test", "64",
          "--arch",    "seresnet8", "--epochs", "2", "--batch-size", "32", "--lr", "0.05",
          "--warmup-epochs", "0", "--threads", std::to_string(r.threads), "--workers",
          std::to_string(r.workers), "--seed", std::to_string(r.seed), "--out", out};
}

// Exit status, or 128 + the signal that ended the process.
inline int wait_for(pid_t pid) {
  int raw = 0;
  REQUIRE(waitpid(pid, &raw, 0) == pid);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

struct ExciteRun {
  int status;
  std::string out, err;
};

inline ExciteRun run_excite(const std::vector<std::string>& args, const std::string& log,
                            const std::vector<std::string>& env = {}) {
  const int status = wait_for(spawn_excite(args, log, env));
  return {status, slurp(log + ".out"), slurp(log + ".err")};
}

// Waits until `path` exists and `ready(its text)` holds; false after `seconds`.
template <typename Ready>
bool wait_for_file(const std::string& path, double seconds, Ready ready) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (std::filesystem::exists(path) && ready(slurp(path))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// metrics.csv without the columns that time the run (seconds, images_per_second).
inline std::vector<std::vector<std::string>> metrics_csv_without_times(const std::string& dir) {
  std::ifstream in(dir + "/metrics.csv");
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> keep;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells, kept;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    if (keep.empty())
      for (const std::string& c : cells) keep.push_back(c != "seconds" && c != "images_per_second");
    for (size_t i = 0; i < cells.size(); ++i)
      if (i >= keep.size() || keep[i]) kept.push_back(cells[i]);
    rows.push_back(kept);
  }
  return rows;
}

}  // namespace excite::testing
