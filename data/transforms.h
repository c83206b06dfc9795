// data/transforms.h — random and fixed geometric transforms on uint8 images.
//
// Each transform is a small immutable object with apply(image, gen): every random choice is drawn
// from the Generator passed in, so the loader can make augmentation reproducible by deriving one
// generator per (epoch, batch). The same object is shared by all loader threads (apply is const).
// Holds: RandomCrop (with padding), RandomHorizontalFlip, Resize (shorter side, bilinear),
// CenterCrop, RandomResizedCrop (ImageNet training).
// Leaves out: normalisation and cutout, which work on floats (normalize.h), and chaining
// (pipeline.h).
#pragma once

#include <string>

#include "core/random.h"
#include "data/image.h"

namespace excite::data {

class ImageTransform {
 public:
  virtual ~ImageTransform() = default;
  virtual void apply(Image& image, Generator& gen) const = 0;
  virtual std::string describe() const = 0;
};

struct RandomCropOptions {
  int64_t size = 32;     // output is size x size
  int64_t padding = 0;   // added on every side before the crop
  uint8_t fill = 0;      // value of the padding
};

// Pads by `padding` on each side, then takes a size x size window at a uniform random position.
class RandomCrop : public ImageTransform {
 public:
  explicit RandomCrop(RandomCropOptions options);
  void apply(Image& image, Generator& gen) const override;
  std::string describe() const override;

 private:
  RandomCropOptions options_;
};

// Mirrors left-right with probability p (one uniform draw per image either way).
class RandomHorizontalFlip : public ImageTransform {
 public:
  explicit RandomHorizontalFlip(float p = 0.5f);
  void apply(Image& image, Generator& gen) const override;
  std::string describe() const override;

 private:
  float p_;
};

// Scales the image so that its shorter side is `shorter_side`, keeping the aspect ratio.
class Resize : public ImageTransform {
 public:
  explicit Resize(int64_t shorter_side);
  void apply(Image& image, Generator& gen) const override;
  std::string describe() const override;

 private:
  int64_t shorter_side_;
};

// The central size x size window (zero-padded when the image is smaller).
class CenterCrop : public ImageTransform {
 public:
  explicit CenterCrop(int64_t size);
  void apply(Image& image, Generator& gen) const override;
  std::string describe() const override;

 private:
  int64_t size_;
};

struct RandomResizedCropOptions {
  int64_t size = 224;           // output is size x size
  float min_scale = 0.08f;      // window area as a fraction of the image area, drawn uniformly
  float max_scale = 1.f;
  float min_ratio = 3.f / 4.f;  // window width / height, drawn log-uniformly
  float max_ratio = 4.f / 3.f;
  int attempts = 10;            // draws before falling back to the central crop
};

// Inception-style crop: a window of random area and aspect ratio, resized to size x size.
class RandomResizedCrop : public ImageTransform {
 public:
  explicit RandomResizedCrop(RandomResizedCropOptions options);
  void apply(Image& image, Generator& gen) const override;
  std::string describe() const override;

  struct Window {
    int64_t top, left, height, width;
  };
  // The window chosen for an image of height x width (exposed for tests).
  Window choose(int64_t height, int64_t width, Generator& gen) const;

 private:
  RandomResizedCropOptions options_;
};

}  // namespace excite::data
