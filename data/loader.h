// data/loader.h — Loader: batches of a dataset in (shuffled) order, prepared by worker threads.
//
//   data::Loader loader(train_set, {.batch_size = 128, .shuffle = true, .workers = 2, .seed = 0},
//                       data::cifar_train_transforms());
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     loader.set_epoch(epoch);
//     for (const data::Batch& b : loader) { ... b.images [N, C, H, W], b.labels [N] ... }
//   }
//
// Reproducibility: the order of epoch e is a shuffle drawn from Generator::derive(seed, 2e); batch
// b of epoch e is augmented with its own generator derived from (seed, e, b). Which thread builds
// a batch therefore changes nothing: the same seed gives the same batches for any worker count.
// Each iteration (begin()) uses the epoch set by set_epoch(), then advances it by one, so a loop
// without set_epoch() still reshuffles every epoch. set_first_batch(b) makes the next iteration
// start at batch b of its epoch (a run resumed mid-epoch): the batches before b are not built,
// and b, b+1, ... are exactly those of a full iteration.
// Threads: `workers` std::threads (not OpenMP, so the compute pool is left alone) started by
// begin() for that epoch; they keep up to workers * prefetch batches ready ahead of the consumer
// and stop when the epoch ends or the iteration is abandoned (break). An exception thrown while
// building a batch (say, a corrupt image) is rethrown by the consumer when it reaches that batch.
// Leaves out: building one batch (batch.h), distributed sampling, variable-size batches.
#pragma once

#include <memory>

#include "data/batch.h"

namespace excite::data {

struct LoaderOptions {
  int64_t batch_size = 128;
  bool shuffle = false;
  bool drop_last = false;  // leave out the last, smaller batch
  int workers = 2;         // threads preparing batches; 0 = on the calling thread
  uint64_t seed = 0;       // drives shuffling and augmentation
  int prefetch = 2;        // batches kept ready ahead, per worker
};

class Loader {
 public:
  // The dataset must outlive the loader; the pipeline is copied.
  Loader(const Dataset& dataset, LoaderOptions options = {}, Pipeline transforms = {});

  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  // The next iteration only: start at batch b (0 <= b <= num_batches()); then back to 0.
  void set_first_batch(int64_t b);
  int64_t epoch() const { return epoch_; }  // the epoch the next iteration will use
  int64_t num_batches() const;
  int64_t size() const { return num_batches(); }
  const Dataset& dataset() const { return dataset_; }
  const LoaderOptions& options() const { return options_; }
  const Pipeline& transforms() const { return transforms_; }

  // The sample order of an epoch (identity when not shuffling).
  std::vector<int64_t> order(int64_t epoch) const;
  // One batch built directly on the calling thread: exactly what iteration yields at (epoch, b).
  Batch batch(int64_t epoch, int64_t b) const;

  struct Run;  // one epoch's threads and queue (loader.cpp)
  struct Sentinel {};
  class Iterator {
   public:
    const Batch& operator*() const { return current_; }
    const Batch* operator->() const { return &current_; }
    Iterator& operator++();
    bool operator!=(Sentinel) const { return !done_; }
    bool operator==(Sentinel) const { return done_; }

   private:
    friend class Loader;
    explicit Iterator(std::shared_ptr<Run> run);
    std::shared_ptr<Run> run_;
    Batch current_;
    bool done_ = false;
  };

  Iterator begin();
  Sentinel end() const { return {}; }

 private:
  std::vector<int64_t> batch_indices(const std::vector<int64_t>& order, int64_t b) const;
  Generator batch_generator(int64_t epoch, int64_t b) const;

  const Dataset& dataset_;
  LoaderOptions options_;
  Pipeline transforms_;
  int64_t epoch_ = 0;
  int64_t first_batch_ = 0;
};

}  // namespace excite::data
