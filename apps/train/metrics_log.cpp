#include "apps/train/metrics_log.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace excite::apps {

namespace {

const char* kCsvHeader =
    "epoch,lr,train_loss,train_accuracy,test_loss,test_accuracy,test_top5,seconds,images_per_second";

nlohmann::json to_json(const EpochMetrics& m) {
  return {{"epoch", m.epoch},           {"lr", m.lr},
          {"train_loss", m.train_loss}, {"train_accuracy", m.train_accuracy},
          {"test_loss", m.test_loss},   {"test_accuracy", m.test_accuracy},
          {"test_top5", m.test_top5},   {"seconds", m.seconds},
          {"images_per_second", m.images_per_second}};
}

std::string csv_row(const EpochMetrics& m) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%d,%.6g,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f", m.epoch, m.lr, m.train_loss,
                m.train_accuracy, m.test_loss, m.test_accuracy, m.test_top5, m.seconds, m.images_per_second);
  return buf;
}

void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  EXCITE_CHECK(out, "metrics: cannot write " << path);
  out << line << "\n";
  out.flush();
  EXCITE_CHECK(out, "metrics: writing " << path << " failed (disk full?)");
}

}  // namespace

std::vector<EpochMetrics> MetricsLog::read() const {
  std::vector<EpochMetrics> rows;
  std::ifstream in(dir_ + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      break;  // a line cut short by a crash: everything from here on is discarded
    }
    EpochMetrics m;
    m.epoch = j.value("epoch", 0);
    m.lr = j.value("lr", 0.0);
    m.train_loss = j.value("train_loss", 0.0);
    m.train_accuracy = j.value("train_accuracy", 0.0);
    m.test_loss = j.value("test_loss", 0.0);
    m.test_accuracy = j.value("test_accuracy", 0.0);
    m.test_top5 = j.value("test_top5", 0.0);
    m.seconds = j.value("seconds", 0.0);
    m.images_per_second = j.value("images_per_second", 0.0);
    rows.push_back(m);
  }
  return rows;
}

void MetricsLog::rewrite(const std::vector<EpochMetrics>& rows) const {
  std::string csv = std::string(kCsvHeader) + "\n", jsonl;
  for (const EpochMetrics& m : rows) {
    csv += csv_row(m) + "\n";
    jsonl += to_json(m).dump() + "\n";
  }
  write_file_atomically(dir_ + "/metrics.jsonl", jsonl, "metrics");
  write_file_atomically(dir_ + "/metrics.csv", csv, "metrics");
}

void MetricsLog::truncate_to(int last_epoch) {
  std::vector<EpochMetrics> rows = read(), kept;
  for (const EpochMetrics& m : rows)
    if (m.epoch <= last_epoch) kept.push_back(m);
  rewrite(kept);
}

void MetricsLog::append(const EpochMetrics& m) {
  append_line(dir_ + "/metrics.csv", csv_row(m));
  append_line(dir_ + "/metrics.jsonl", to_json(m).dump());
}

}  // namespace excite::apps
