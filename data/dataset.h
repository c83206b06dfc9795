// data/dataset.h — the Dataset interface every source of labelled images implements.
//
// A Dataset is an indexable, read-only collection: size(), get(i) -> {uint8 HWC image, label},
// label(i) without touching pixels, the class names, and the image size when it is fixed.
// get() must be safe to call from several loader threads at once (all datasets here are: they
// only read shared state). Leaves out: augmentation and batching (transforms.h, loader.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"

namespace excite::data {

enum class Split { Train, Test };
const char* split_name(Split split);  // "train" / "test"

struct Example {
  Image image;    // H x W x C, uint8
  int64_t label;  // 0 .. num_classes-1
};

class Dataset {
 public:
  virtual ~Dataset() = default;

  virtual int64_t size() const = 0;
  virtual Example get(int64_t index) const = 0;
  virtual int64_t label(int64_t index) const = 0;
  virtual const std::vector<std::string>& classes() const = 0;
  int64_t num_classes() const { return static_cast<int64_t>(classes().size()); }

  // Image size; height() and width() are 0 when images differ in size (image folders).
  virtual int64_t channels() const = 0;
  virtual int64_t height() const = 0;
  virtual int64_t width() const = 0;

  // One line for logs: "CIFAR-10 train: 50000 images 32x32x3, 10 classes, from <dir>".
  virtual std::string description() const = 0;

 protected:
  // For get()/label(): throws naming the dataset when index is outside [0, size()).
  void check_index(int64_t index, const char* dataset_name) const;
};

// Count of each label over the whole dataset (uses label(), so no image is decoded).
std::vector<int64_t> label_histogram(const Dataset& dataset);

}  // namespace excite::data
