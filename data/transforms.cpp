// data/transforms.cpp — the geometric transforms, each a few lines over resample.h.
#include "data/transforms.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "data/resample.h"

namespace excite::data {

RandomCrop::RandomCrop(RandomCropOptions options) : options_(options) {
  EXCITE_CHECK(options.size > 0 && options.padding >= 0,
               "RandomCrop: size must be positive and padding non-negative, got size " << options.size
                                                                                       << ", padding " << options.padding);
}

void RandomCrop::apply(Image& image, Generator& gen) const {
  const int64_t p = options_.padding, s = options_.size;
  EXCITE_CHECK(image.height + 2 * p >= s && image.width + 2 * p >= s,
               "RandomCrop: a " << s << "x" << s << " crop does not fit in the " << image.shape_str()
                                << " image padded by " << p << "; resize first or lower the crop size");
  const int64_t top = gen.randint(image.height + 2 * p - s + 1) - p;
  const int64_t left = gen.randint(image.width + 2 * p - s + 1) - p;
  image = crop(image, top, left, s, s, options_.fill);
}

std::string RandomCrop::describe() const {
  return "RandomCrop(size=" + std::to_string(options_.size) + ", padding=" + std::to_string(options_.padding) + ")";
}

RandomHorizontalFlip::RandomHorizontalFlip(float p) : p_(p) {
  EXCITE_CHECK(p >= 0.f && p <= 1.f, "RandomHorizontalFlip: p must lie in [0, 1], got " << p);
}

void RandomHorizontalFlip::apply(Image& image, Generator& gen) const {
  if (gen.bernoulli(p_)) flip_horizontal(image);
}

std::string RandomHorizontalFlip::describe() const { return "RandomHorizontalFlip(p=" + std::to_string(p_) + ")"; }

Resize::Resize(int64_t shorter_side) : shorter_side_(shorter_side) {
  EXCITE_CHECK(shorter_side > 0, "Resize: shorter side must be positive, got " << shorter_side);
}

void Resize::apply(Image& image, Generator&) const {
  int64_t h = shorter_side_, w = shorter_side_;
  // The longer side keeps the aspect ratio, truncated as torchvision does.
  if (image.height < image.width) w = shorter_side_ * image.width / image.height;
  if (image.width < image.height) h = shorter_side_ * image.height / image.width;
  if (h == image.height && w == image.width) return;
  image = resize_bilinear(image, h, w);
}

std::string Resize::describe() const { return "Resize(shorter_side=" + std::to_string(shorter_side_) + ")"; }

CenterCrop::CenterCrop(int64_t size) : size_(size) {
  EXCITE_CHECK(size > 0, "CenterCrop: size must be positive, got " << size);
}

void CenterCrop::apply(Image& image, Generator&) const {
  if (image.height == size_ && image.width == size_) return;
  // Half margins rounded half-to-even, as torchvision's round() does.
  const int64_t top = static_cast<int64_t>(std::nearbyint((image.height - size_) / 2.0));
  const int64_t left = static_cast<int64_t>(std::nearbyint((image.width - size_) / 2.0));
  image = crop(image, top, left, size_, size_);
}

std::string CenterCrop::describe() const { return "CenterCrop(size=" + std::to_string(size_) + ")"; }

RandomResizedCrop::RandomResizedCrop(RandomResizedCropOptions options) : options_(options) {
  EXCITE_CHECK(options.size > 0, "RandomResizedCrop: size must be positive, got " << options.size);
  EXCITE_CHECK(0.f < options.min_scale && options.min_scale <= options.max_scale && options.max_scale <= 1.f,
               "RandomResizedCrop: need 0 < min_scale <= max_scale <= 1, got " << options.min_scale << ", "
                                                                               << options.max_scale);
  EXCITE_CHECK(0.f < options.min_ratio && options.min_ratio <= options.max_ratio,
               "RandomResizedCrop: need 0 < min_ratio <= max_ratio, got " << options.min_ratio << ", "
                                                                          << options.max_ratio);
}

RandomResizedCrop::Window RandomResizedCrop::choose(int64_t height, int64_t width, Generator& gen) const {
  const double area = static_cast<double>(height) * width;
  const double log_lo = std::log(options_.min_ratio), log_hi = std::log(options_.max_ratio);
  for (int attempt = 0; attempt < options_.attempts; ++attempt) {
    const double target = area * gen.uniform(options_.min_scale, options_.max_scale);
    const double ratio = std::exp(log_lo + (log_hi - log_lo) * gen.uniform());
    const int64_t w = std::lround(std::sqrt(target * ratio));
    const int64_t h = std::lround(std::sqrt(target / ratio));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      const int64_t top = gen.randint(height - h + 1);
      const int64_t left = gen.randint(width - w + 1);
      return {top, left, h, w};
    }
  }
  // Fallback: the largest central window whose aspect ratio lies in range.
  const double in_ratio = static_cast<double>(width) / height;
  int64_t w = width, h = height;
  if (in_ratio < options_.min_ratio) {
    h = std::lround(width / options_.min_ratio);
  } else if (in_ratio > options_.max_ratio) {
    w = std::lround(height * options_.max_ratio);
  }
  h = std::clamp<int64_t>(h, 1, height);
  w = std::clamp<int64_t>(w, 1, width);
  return {(height - h) / 2, (width - w) / 2, h, w};
}

void RandomResizedCrop::apply(Image& image, Generator& gen) const {
  EXCITE_CHECK(image.height > 0 && image.width > 0, "RandomResizedCrop: empty image");
  const Window win = choose(image.height, image.width, gen);
  image = resize_bilinear(image, win.top, win.left, win.height, win.width, options_.size, options_.size);
}

std::string RandomResizedCrop::describe() const {
  return "RandomResizedCrop(size=" + std::to_string(options_.size) + ")";
}

}  // namespace excite::data
