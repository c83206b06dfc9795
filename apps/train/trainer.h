// apps/train/trainer.h — one training run, end to end: what `excite train` does (and every run of an
// ablation study).
//
// The run directory it leaves: config.json (the full config used), classes.json (the class names,
// in label order), metrics.csv and
// metrics.jsonl (one row per epoch), checkpoint.safetensors (weights under PyTorch names,
// optimizer state, epoch, generator state: written atomically and durably after every epoch),
// best.safetensors and last.safetensors (weights only, loadable by torch), curves.png (gnuplot),
// summary.json (final and best test accuracy, epochs, wall time, images/s, params, macs).
// Resuming continues from the checkpoint and reproduces the metrics of an uninterrupted run
// with the same seed and thread count: the loader's order and augmentation are pure functions
// of (seed, epoch, batch), the schedule is a pure function of the step, and the checkpoint
// carries everything else (weights, BN statistics, momentum, the generator). A run stopped by
// SIGINT/SIGTERM (stop_on_signals) checkpoints mid-epoch and its resume starts at the next batch
// (apps/train/interrupt.h). While a process writes the directory it holds DIR/.lock
// (apps/train/run_dir_lock.h): a second writer refuses, naming it.
#pragma once

#include <cstdio>
#include <string>

#include "apps/train/config.h"
#include "apps/train/dist/run_record.h"

namespace excite::apps {

struct RunOptions {
  std::string resume_dir = "";  // continue this run instead of starting one
  std::FILE* log = stdout;      // progress and per-epoch lines
  bool interactive = false;     // draw a progress bar (a terminal)
  int stop_after_epochs = 0;    // > 0: return after this many epochs of this session, as if
                                // killed right after a checkpoint (tests of resume)
  dist::DistOptions dist = {};  // data-parallel runs under mpirun (apps/train/dist/)
  bool stop_on_signals = false; // SIGINT/SIGTERM: checkpoint at the next step and return
                                // (apps/train/interrupt.h; `excite train` sets it)
};

struct RunSummary {
  std::string run_dir;
  int epochs = 0;
  double final_test_accuracy = 0, best_test_accuracy = 0, final_test_loss = 0;
  double wall_seconds = 0, train_images_per_second = 0;
  int64_t params = 0, macs = 0;
  int interrupted = 0;  // the signal that stopped the run at a step boundary (0: none)
};

RunSummary train(TrainConfig config, const RunOptions& options);

// A stable fingerprint of everything in a config that changes results (not `out`, `workers`),
// of the config or of its JSON.
std::string config_fingerprint(const TrainConfig& config);
std::string config_fingerprint(nlohmann::json config);

}  // namespace excite::apps
