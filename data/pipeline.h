// data/pipeline.h — Pipeline: the ordered transforms from a decoded image to a float sample.
//
// Three stages, always in this order: image steps (uint8 HWC: crops, flips, resizes), then
// Normalize (to float CHW), then tensor steps (float: cutout). Build one by chaining:
//
//   Pipeline train = Pipeline()
//                        .then(RandomCrop({.size = 32, .padding = 4}))
//                        .then(RandomHorizontalFlip())
//                        .normalize(cifar10_stats())
//                        .then(Cutout({.size = 16}));
//
// All randomness comes from the Generator passed to prepare()/finish(); a Pipeline is immutable
// once built and shared by the loader's threads. Also here: the usual recipes (CIFAR, Fashion-
// MNIST, ImageNet train/test) and load_image_tensor for predicting on a single image file.
// Leaves out: batching (loader.h).
#pragma once

#include <concepts>
#include <memory>
#include <vector>

#include "core/tensor.h"
#include "data/normalize.h"
#include "data/transforms.h"

namespace excite::data {

class Pipeline {
 public:
  Pipeline() = default;

  template <std::derived_from<ImageTransform> T>
  Pipeline& then(T step) {
    return add_image_step(std::make_shared<const T>(std::move(step)));
  }
  template <std::derived_from<TensorTransform> T>
  Pipeline& then(T step) {
    return add_tensor_step(std::make_shared<const T>(std::move(step)));
  }
  Pipeline& normalize(NormalizeStats stats);
  Pipeline& add_image_step(std::shared_ptr<const ImageTransform> step);
  Pipeline& add_tensor_step(std::shared_ptr<const TensorTransform> step);

  // Stage 1: the image steps, in order.
  Image prepare(Image image, Generator& gen) const;
  // Stages 2 and 3: normalise `image` into out (image.channels x height x width floats), then
  // the tensor steps.
  void finish(const Image& image, float* out, Generator& gen) const;
  // All three stages: a [C, H, W] tensor.
  Tensor operator()(Image image, Generator& gen) const;

  std::string describe() const;  // "RandomCrop(size=32, padding=4) -> ... -> Normalize(...)"

 private:
  std::vector<std::shared_ptr<const ImageTransform>> image_steps_;
  Normalize normalize_;
  bool normalized_ = false;  // normalize() or a tensor step seen: no image steps after this
  std::vector<std::shared_ptr<const TensorTransform>> tensor_steps_;
};

// Recipes. CIFAR train: 4-pixel padded random 32 crop, flip, normalise; test: normalise only.
Pipeline cifar_train_transforms(NormalizeStats stats = cifar10_stats());
Pipeline cifar_test_transforms(NormalizeStats stats = cifar10_stats());
// Fashion-MNIST / MNIST train: 2-pixel padded random 28 crop, flip (pass flip = false for
// digits), normalise; test: normalise only.
Pipeline fashion_mnist_train_transforms(NormalizeStats stats = fashion_mnist_stats(), bool flip = true);
Pipeline fashion_mnist_test_transforms(NormalizeStats stats = fashion_mnist_stats());
// ImageNet train: random-resized-crop to size, flip, normalise; test: shorter side to resize,
// central size x size crop, normalise.
Pipeline imagenet_train_transforms(int64_t size = 224);
Pipeline imagenet_test_transforms(int64_t size = 224, int64_t resize = 256);

// For `excite predict`: decode one image file (grey/RGBA -> `channels`), run a (test) pipeline
// with a fixed generator, and return [1, C, H, W].
Tensor load_image_tensor(const std::string& path, const Pipeline& transforms, int channels = 3);

}  // namespace excite::data
