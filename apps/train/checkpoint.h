// apps/train/checkpoint.h — a training run's resumable state in one safetensors file.
//
// checkpoint.safetensors holds the model's state dict under its own PyTorch names (so torch can
// read the weights straight out of it), the optimizer's state under "optim/<name>", and in the
// metadata: the epoch completed, the global step, the generator's state, the best test accuracy
// so far and a fingerprint of the config. It is written atomically and durably (temporary file,
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
};

struct Checkpoint {
  std::vector<NamedTensor> model;
  std::vector<NamedTensor> optimizer;
  TrainingState state;
};

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
Checkpoint load_checkpoint(const std::string& path);

}  // namespace excite::apps
