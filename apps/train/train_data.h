// apps/train/train_data.h — from a TrainConfig to the datasets and transforms a run trains and tests on.
//
// Holds: which dataset class reads which --dataset, the augmentation recipes behind --augment
// (default: flip for Fashion-MNIST/MNIST (no flip for digits), crop + flip for CIFAR,
// random-resized-crop + flip for image folders), and --limit-train/--limit-test (the first N
// images, for smoke tests). Leaves out: the loaders' threading (data/loader.h).
#pragma once

#include <array>
#include <memory>

#include "apps/train/config.h"
#include "data/dataset.h"
#include "data/pipeline.h"

namespace excite::apps {

struct TrainData {
  std::shared_ptr<data::Dataset> train, test;
  data::Pipeline train_transforms, test_transforms;
  int64_t channels = 0, height = 0, width = 0;  // of the network's input
  std::vector<std::string> classes;
};

TrainData load_train_data(const TrainConfig& config);
// The test split and its transforms only (for `excite eval`).
TrainData load_test_data(const TrainConfig& config);

// The network's input {channels, height, width} without reading any data: MNIST and
// Fashion-MNIST 1x28x28, CIFAR 3x32x32, an image folder 3 x input_size (224 by default), as
// load_*_data's transforms make them. What a study's plan checks its variants against.
std::array<int64_t, 3> input_geometry(const TrainConfig& config);

}  // namespace excite::apps
