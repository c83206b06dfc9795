// apps/study/ablate_dir.cpp — a study's directory: study.json (written, checked against the
// study, read back), and what each planned run's directory holds.
#include <filesystem>
#include <fstream>

#include "apps/study/ablate_runner.h"
#include "apps/train/metrics_log.h"
#include "apps/train/trainer.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace excite::apps {

namespace fs = std::filesystem;

namespace {

// The run fingerprint without the thread count: a study re-run with other --jobs keeps its runs.
std::string run_fingerprint(TrainConfig c) {
  c.threads = 0;
  return config_fingerprint(c);
}

// "/base/epochs: 3 -> 5" lines for what changed between two study JSONs (fingerprinted keys only).
std::string describe_changes(const nlohmann::json& before, const nlohmann::json& after) {
  std::string out;
  int shown = 0;
  for (const auto& op : nlohmann::json::diff(before, after)) {
    const std::string path = op["path"].get<std::string>();
    bool ignored = false;
    for (const char* p : {"/name", "/description", "/out", "/jobs", "/base/out", "/base/workers", "/base/threads", "/base/seed"})
      ignored = ignored || path == p;
    if (ignored) continue;
    if (++shown > 8) {
      out += "\n  ...";
      break;
    }
    const std::string what = op["op"].get<std::string>();
    out += "\n  " + path + ": ";
    const nlohmann::json::json_pointer ptr(path);
    if (what == "replace") out += before.at(ptr).dump() + " -> " + op["value"].dump();
    else if (what == "add") out += "added " + op["value"].dump();
    else out += "removed (was " + before.at(ptr).dump() + ")";
  }
  return out;
}

// Empty but for .lock (apps/train/run_dir_lock.h: `excite ablate` locks the directory first).
bool holds_only_its_lock(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != ".lock") return false;
  return true;
}

}  // namespace

void write_run_config(const PlannedRun& run) {
  fs::create_directories(run.dir);
  write_file_atomically(run.dir + "/config.json", to_json(run.config).dump(2) + "\n", "ablate");
}

StudyConfig load_study_dir(const std::string& dir) {
  const std::string path = dir + "/study.json";
  EXCITE_CHECK(fs::exists(path), "ablate: " << dir << " is not a study directory (no study.json)");
  const nlohmann::json stored = load_json_file(path, "ablate");
  EXCITE_CHECK(stored.contains("study"), "ablate: " << path << " has no 'study' (not written by excite ablate?)");
  StudyConfig study = study_from_json(stored["study"], path);
  study.out = dir;
  return study;
}

RunStatus run_status(const PlannedRun& run) {
  const bool finished = fs::exists(run.dir + "/summary.json");
  const bool checkpoint = fs::exists(run.dir + "/checkpoint.safetensors");
  if (!finished && !checkpoint) return {RunState::New, 0};
  EXCITE_CHECK(fs::exists(run.dir + "/config.json"),
               "ablate: " << run.dir << " holds a checkpoint but no config.json; remove it or use --restart");
  const TrainConfig saved = load_config_file(run.dir + "/config.json");
  EXCITE_CHECK(run_fingerprint(saved) == run_fingerprint(run.config),
               "ablate: " << run.dir << " holds a run of another config than the study plans; refusing to mix "
                          << "(remove that directory, or start the study afresh with --restart)");
  const int epochs = static_cast<int>(MetricsLog(run.dir).read().size());
  return {finished ? RunState::Done : RunState::Partial, epochs};
}

namespace {

void prepare_study_files(const Plan& plan, bool restart) {
  const std::string& dir = plan.dir;
  const std::string study_file = dir + "/study.json";
  const nlohmann::json study = to_json(plan.study);
  const std::string fingerprint = study_fingerprint(plan.study);
  if (fs::exists(study_file)) {
    // The stored study is read as this excite reads a study file, so one written by an earlier
    // excite (older key names) is the same study when it means the same.
    nlohmann::json stored;
    bool same = false;
    try {
      stored = load_json_file(study_file, "ablate");
      const StudyConfig before = study_from_json(stored.at("study"), study_file);
      same = study_fingerprint(before) == fingerprint;
      stored["study"] = to_json(before);
    } catch (const std::exception& e) {
      EXCITE_CHECK(restart, "ablate: " << study_file << " cannot be read (" << e.what() << "); use --restart");
    }
    EXCITE_CHECK(same || restart,
                 "ablate: " << dir << " holds a study with another config; refusing to mix them. Changes:"
                            << describe_changes(stored.value("study", nlohmann::json::object()), study)
                            << "\nRun it with --restart to discard the old runs and start afresh, or choose another "
                            << "--out.");
  } else if (fs::exists(dir) && !holds_only_its_lock(dir)) {
    EXCITE_FAIL("ablate: " << dir << " exists and is not a study directory (no study.json); choose another --out");
  }
  if (restart) {  // only what a study writes
    fs::remove_all(dir + "/runs");
    fs::remove_all(dir + "/plot-data");
    for (const char* f : {"study.json", "report.md", "report.csv"}) fs::remove(dir + "/" + f);
    if (fs::exists(dir))
      for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".png") fs::remove(e.path());
  }
  std::error_code ec;
  fs::create_directories(dir + "/runs", ec);
  EXCITE_CHECK(!ec, "ablate: cannot create " << dir << "/runs (" << ec.message() << ")");
  write_file_atomically(study_file, nlohmann::json{{"fingerprint", fingerprint}, {"study", study}}.dump(2) + "\n", "ablate");
}

}  // namespace

void prepare_study_dir(const Plan& plan, bool restart) {
  try {
    prepare_study_files(plan, restart);
  } catch (const fs::filesystem_error& e) {
    EXCITE_FAIL("ablate: cannot prepare the study directory " << plan.dir << " (" << e.what() << ")");
  }
}
}  // namespace excite::apps
