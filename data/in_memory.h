// data/in_memory.h — InMemoryDataset: equal-sized uint8 images held in one buffer, with labels.
//
// CIFAR-10/100 and MNIST/Fashion-MNIST load into this (CIFAR-10 is 150 MB as uint8, where floats
// would take 600 MB); tests and small experiments can fill one directly. Images are stored HWC,
// one after another. Checks on construction: sizes agree, labels lie in [0, classes).
// Leaves out: file formats (cifar.h, idx.h).
#pragma once

#include "data/dataset.h"

namespace excite::data {

struct InMemoryOptions {
  std::string name = "in-memory";        // used in messages and description()
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;
  std::vector<std::string> classes = {}; // label i names classes[i]
  std::string origin = "";               // where the data came from, for description()
};

class InMemoryDataset : public Dataset {
 public:
  // pixels: size() images of height*width*channels bytes each (HWC); labels: one per image.
  InMemoryDataset(InMemoryOptions options, std::vector<uint8_t> pixels, std::vector<int64_t> labels);

  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  Example get(int64_t index) const override;
  int64_t label(int64_t index) const override;
  const std::vector<std::string>& classes() const override { return options_.classes; }
  int64_t channels() const override { return options_.channels; }
  int64_t height() const override { return options_.height; }
  int64_t width() const override { return options_.width; }
  std::string description() const override;

  // The raw bytes of image i (HWC), without a copy.
  const uint8_t* pixels(int64_t index) const;

 protected:
  InMemoryDataset() = default;  // for subclasses that parse files, then call init()
  void init(InMemoryOptions options, std::vector<uint8_t> pixels, std::vector<int64_t> labels);

 private:
  InMemoryOptions options_;
  int64_t image_bytes_ = 0;
  std::vector<uint8_t> pixels_;
  std::vector<int64_t> labels_;
};

}  // namespace excite::data
