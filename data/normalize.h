// data/normalize.h — the step from uint8 HWC pixels to float CHW values, and what follows it.
//
// Normalize writes (x / 255 - mean[c]) / std[c] for every pixel into a [C, H, W] float slot
// (with no statistics: x / 255). Presets hold the usual per-channel statistics of CIFAR-10,
// CIFAR-100, MNIST, Fashion-MNIST and ImageNet, in [0, 1] pixel units.
// TensorTransform: steps applied after normalisation, on the float slot; Cutout (DeVries &
// Taylor 2017: one square zeroed, centre uniform over the image, clipped at the border) is one.
// Leaves out: geometric transforms (transforms.h), chaining (pipeline.h).
#pragma once

#include <string>
#include <vector>

#include "core/random.h"
#include "data/image.h"

namespace excite::data {

struct NormalizeStats {
  std::vector<float> mean = {};  // one per channel, in [0, 1] units; empty = no normalisation (x / 255)
  std::vector<float> std = {};
};

NormalizeStats cifar10_stats();        // mean (0.4914, 0.4822, 0.4465), std (0.2470, 0.2435, 0.2616)
NormalizeStats cifar100_stats();       // mean (0.5071, 0.4865, 0.4409), std (0.2673, 0.2564, 0.2762)
NormalizeStats mnist_stats();          // mean 0.1307, std 0.3081
NormalizeStats fashion_mnist_stats();  // mean 0.2860, std 0.3530
NormalizeStats imagenet_stats();       // mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)

class Normalize {
 public:
  explicit Normalize(NormalizeStats stats = {});
  // out: image.channels x image.height x image.width floats.
  void apply(const Image& image, float* out) const;
  const NormalizeStats& stats() const { return stats_; }
  std::string describe() const;

 private:
  NormalizeStats stats_;
  std::vector<float> scale_, shift_;  // out = x * scale + shift
};

class TensorTransform {
 public:
  virtual ~TensorTransform() = default;
  // chw: channels x height x width floats of one sample, changed in place.
  virtual void apply(float* chw, int64_t channels, int64_t height, int64_t width, Generator& gen) const = 0;
  virtual std::string describe() const = 0;
};

struct CutoutOptions {
  int64_t size = 16;  // side of the zeroed square
  float p = 1.f;      // probability of applying it (one uniform draw per image either way)
};

class Cutout : public TensorTransform {
 public:
  explicit Cutout(CutoutOptions options);
  void apply(float* chw, int64_t channels, int64_t height, int64_t width, Generator& gen) const override;
  std::string describe() const override;

 private:
  CutoutOptions options_;
};

}  // namespace excite::data
