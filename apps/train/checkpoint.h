// apps/train/checkpoint.h — a training run's resumable state in one safetensors file.
//
// checkpoint.safetensors holds the model's state dict under its own PyTorch names (so torch can
// read the weights straight out of it), the optimizer's state under "optim/<name>", and in the
// metadata: the epoch completed, the global step, the generator's state, the best test accuracy
// so far and a fingerprint of the config; a checkpoint written mid-epoch (a run interrupted by
// SIGINT/SIGTERM, apps/train/interrupt.h) also holds the batches done in the unfinished epoch and
// that epoch's partial sums (loss_sum, correct, seen), so the resume finishes the epoch exactly as
// the uninterrupted run would have. It is written atomically and durably (temporary file,
// fsync, rename, core/atomic_file.h): a crash leaves either the old checkpoint or the new one.
#pragma once

#include <string>
#include <vector>

#include "core/random.h"
#include "core/safetensors.h"

namespace excite::apps {

struct TrainingState {
  int epoch = 0;             // epochs completed
  int64_t step = 0;          // optimizer steps taken
  Generator::State rng{};    // the global generator after `epoch`
  double best_accuracy = 0;  // best test accuracy so far
  std::string config_fingerprint;
  // Mid-epoch (batch > 0): the batches of epoch `epoch` + 1 done, and their sums over all ranks.
  int64_t batch = 0;
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
};

struct Checkpoint {
  std::vector<NamedTensor> model;
  std::vector<NamedTensor> optimizer;
  TrainingState state;
};

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
Checkpoint load_checkpoint(const std::string& path);

}  // namespace excite::apps
