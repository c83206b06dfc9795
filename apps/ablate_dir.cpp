// apps/ablate_dir.cpp — a study's directory: study.json (written, checked against the study,
// read back), and what each planned run's directory holds.
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "apps/ablate_runner.h"
#include "apps/metrics_log.h"
#include "apps/trainer.h"
#include "core/error.h"

namespace excite::apps {

namespace fs = std::filesystem;

namespace {

// The run fingerprint without the thread count: a study re-run with other --jobs keeps its runs.
std::string run_fingerprint(TrainConfig c) {
  c.threads = 0;
  return config_fingerprint(c);
}

// Writes text to path atomically (temporary file, then rename).
void write_text(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    EXCITE_CHECK(out, "ablate: cannot write " << tmp << " (is the study directory writable?)");
    out << text;
    out.flush();
    EXCITE_CHECK(out, "ablate: writing " << path << " failed (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  EXCITE_CHECK(!ec, "ablate: cannot rename " << tmp << " to " << path << " (" << ec.message() << ")");
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

}  // namespace

void write_run_config(const PlannedRun& run) {
  fs::create_directories(run.dir);
  write_text(run.dir + "/config.json", to_json(run.config).dump(2) + "\n");
}

StudyConfig load_study_dir(const std::string& dir) {
  const std::string path = dir + "/study.json";
  EXCITE_CHECK(fs::exists(path), "ablate: " << dir << " is not a study directory (no study.json)");
  nlohmann::json stored;
  try {
    stored = nlohmann::json::parse(std::ifstream(path));
  } catch (const nlohmann::json::exception& e) {
    EXCITE_FAIL("ablate: " << path << " is not valid JSON (" << e.what() << ")");
  }
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
    nlohmann::json stored;
    try {
      stored = nlohmann::json::parse(std::ifstream(study_file));
    } catch (const nlohmann::json::exception& e) {
      EXCITE_FAIL("ablate: " << study_file << " is not valid JSON (" << e.what() << "); use --restart");
    }
    const bool same = stored.value("fingerprint", "") == fingerprint;
    EXCITE_CHECK(same || restart,
                 "ablate: " << dir << " holds a study with another config; refusing to mix them. Changes:"
                            << describe_changes(stored.value("study", nlohmann::json::object()), study)
                            << "\nRun it with --restart to discard the old runs and start afresh, or choose another "
                            << "--out.");
  } else if (fs::exists(dir) && !fs::is_empty(dir)) {
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
  write_text(study_file, nlohmann::json{{"fingerprint", fingerprint}, {"study", study}}.dump(2) + "\n");
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
