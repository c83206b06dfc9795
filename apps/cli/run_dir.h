// apps/cli/run_dir.h — what a run directory tells the commands that use its model (`excite
// export RUN_DIR`, `excite eval RUN_DIR`, `excite predict --run RUN_DIR`): the config it was
// trained with (config.json), its weights (best.safetensors), its class names (classes.json,
// written by the trainer; for older runs the dataset's own names where it has them) and the
// input the network takes (channels, size, normalisation, by dataset).
// Leaves out: reading the datasets themselves (apps/train/train_data.h).
#pragma once

#include <string>
#include <vector>

#include "apps/train/config.h"
#include "data/normalize.h"
#include "layers/module.h"

namespace excite::apps {

// <dir>/config.json read as `excite train` reads a config file; one-line error naming the
// directory when it is not a run directory.
TrainConfig read_run_config(const std::string& dir);
// <dir>/classes.json if there, else the dataset's names (Fashion-MNIST, MNIST digits, CIFAR-10),
// else empty.
std::vector<std::string> run_class_names(const std::string& dir, Dataset dataset);
std::string run_weights(const std::string& dir);  // <dir>/best.safetensors (must exist)

// The network's input for a dataset: {channels, height, width} and the normalisation of its
// test transforms (folder: ImageNet's statistics, input_size or 224).
struct InputSpec {
  int64_t channels = 3, height = 32, width = 32;
  data::NormalizeStats stats;
};
InputSpec input_spec(const TrainConfig& config);

// Loads `path` into `model`; weights that do not fit are one line naming the first key that does
// not (mis-shaped, missing, unexpected) and how many more, with `hint`.
void load_fitting_weights(layers::Module& model, const std::string& path, const std::string& what,
                          const std::string& hint);

// The classes `k` names: `names` when it has k of them, else "class i".
std::vector<std::string> class_names_or_numbers(std::vector<std::string> names, int64_t k);

}  // namespace excite::apps
