// apps/train/metrics_log.h — the per-epoch metrics of a run, as CSV and JSON lines.
//
// metrics.csv and metrics.jsonl in the run directory hold one row per finished epoch. On resume
// both are cut back to the checkpoint's epoch first, so a run interrupted mid-epoch and resumed
// has exactly the rows an uninterrupted run would have.
#pragma once

#include <string>
#include <vector>

namespace excite::apps {

struct EpochMetrics {
  int epoch = 0;  // 1-based
  double lr = 0;  // at the end of the epoch
  double train_loss = 0, train_accuracy = 0;
  double test_loss = 0, test_accuracy = 0, test_top5 = 0;
  double seconds = 0, images_per_second = 0;
};

class MetricsLog {
 public:
  explicit MetricsLog(std::string run_dir) : dir_(std::move(run_dir)) {}
  // Keeps the rows of epochs 1..last_epoch (reads the JSONL), rewrites both files with them.
  void truncate_to(int last_epoch);
  void append(const EpochMetrics& m);
  std::vector<EpochMetrics> read() const;

 private:
  void rewrite(const std::vector<EpochMetrics>& rows) const;
  std::string dir_;
};

}  // namespace excite::apps
