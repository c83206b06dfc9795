// data/normalize.cpp — statistics presets, Normalize (HWC uint8 -> CHW float) and Cutout.
#include "data/normalize.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"

namespace excite::data {

NormalizeStats cifar10_stats() { return {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}}; }
NormalizeStats cifar100_stats() { return {{0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}}; }
NormalizeStats mnist_stats() { return {{0.1307f}, {0.3081f}}; }
NormalizeStats fashion_mnist_stats() { return {{0.2860f}, {0.3530f}}; }
NormalizeStats imagenet_stats() { return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}}; }

Normalize::Normalize(NormalizeStats stats) : stats_(std::move(stats)) {
  EXCITE_CHECK(stats_.mean.size() == stats_.std.size(), "Normalize: " << stats_.mean.size() << " means but "
                                                                      << stats_.std.size() << " stds");
  for (size_t c = 0; c < stats_.mean.size(); ++c) {
    EXCITE_CHECK(stats_.std[c] > 0.f, "Normalize: std of channel " << c << " must be positive, got " << stats_.std[c]);
    scale_.push_back(1.f / (255.f * stats_.std[c]));
    shift_.push_back(-stats_.mean[c] / stats_.std[c]);
  }
}

void Normalize::apply(const Image& image, float* out) const {
  const int64_t channels = image.channels, plane = image.height * image.width;
  EXCITE_CHECK(scale_.empty() || static_cast<int64_t>(scale_.size()) == channels,
               "Normalize: statistics for " << scale_.size() << " channels applied to a " << image.shape_str()
                                            << " image (" << channels
                                            << " channels); use the preset that matches the dataset");
  EXCITE_CHECK(channels >= 1 && channels <= 4, "Normalize: images must have 1 to 4 channels, got " << image.shape_str());
  const uint8_t* src = image.pixels.data();
  float scale[4], shift[4];
  for (int64_t c = 0; c < channels; ++c) {
    scale[c] = scale_.empty() ? 1.f / 255.f : scale_[static_cast<size_t>(c)];
    shift[c] = shift_.empty() ? 0.f : shift_[static_cast<size_t>(c)];
  }
  if (channels == 3) {  // the common case, one pass over the interleaved pixels
    float* d0 = out;
    float* d1 = out + plane;
    float* d2 = out + 2 * plane;
    for (int64_t p = 0; p < plane; ++p) {
      d0[p] = static_cast<float>(src[3 * p]) * scale[0] + shift[0];
      d1[p] = static_cast<float>(src[3 * p + 1]) * scale[1] + shift[1];
      d2[p] = static_cast<float>(src[3 * p + 2]) * scale[2] + shift[2];
    }
    return;
  }
  for (int64_t c = 0; c < channels; ++c) {
    float* dst = out + c * plane;
    for (int64_t p = 0; p < plane; ++p) dst[p] = static_cast<float>(src[p * channels + c]) * scale[c] + shift[c];
  }
}

std::string Normalize::describe() const {
  std::ostringstream os;
  os << "Normalize(";
  if (stats_.mean.empty()) os << "x/255";
  for (size_t c = 0; c < stats_.mean.size(); ++c)
    os << (c ? ", " : "") << "(" << stats_.mean[c] << ", " << stats_.std[c] << ")";
  os << ")";
  return os.str();
}

Cutout::Cutout(CutoutOptions options) : options_(options) {
  EXCITE_CHECK(options.size > 0, "Cutout: size must be positive, got " << options.size);
  EXCITE_CHECK(options.p >= 0.f && options.p <= 1.f, "Cutout: p must lie in [0, 1], got " << options.p);
}

void Cutout::apply(float* chw, int64_t channels, int64_t height, int64_t width, Generator& gen) const {
  if (!gen.bernoulli(options_.p)) return;
  const int64_t cy = gen.randint(height), cx = gen.randint(width);
  const int64_t y0 = std::max<int64_t>(cy - options_.size / 2, 0), y1 = std::min(cy - options_.size / 2 + options_.size, height);
  const int64_t x0 = std::max<int64_t>(cx - options_.size / 2, 0), x1 = std::min(cx - options_.size / 2 + options_.size, width);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = y0; y < y1; ++y) std::fill(chw + (c * height + y) * width + x0, chw + (c * height + y) * width + x1, 0.f);
}

std::string Cutout::describe() const { return "Cutout(size=" + std::to_string(options_.size) + ")"; }

}  // namespace excite::data
