// data/image.h — Image: one decoded picture as uint8 pixels, height x width x channels (HWC).
//
// Holds: the Image value type, decoding JPEG/PNG/BMP bytes or files with stb_image (grayscale and
// RGBA converted to the requested channel count), and image_to_tensor (HWC uint8 -> CHW float).
// Every dataset hands out Images and every geometric transform works on them, so a sample stays
// one byte per value until the last step of the pipeline writes floats into the batch.
// Leaves out: resampling and cropping (transforms.h), normalisation (normalize.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace excite::data {

struct Image {
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;
  std::vector<uint8_t> pixels;  // HWC, row-major: pixel (y, x) channel c at (y*width + x)*channels + c

  Image() = default;
  Image(int64_t height, int64_t width, int64_t channels, uint8_t fill = 0);

  uint8_t& at(int64_t y, int64_t x, int64_t c) { return pixels[static_cast<size_t>((y * width + x) * channels + c)]; }
  uint8_t at(int64_t y, int64_t x, int64_t c) const {
    return pixels[static_cast<size_t>((y * width + x) * channels + c)];
  }
  int64_t numel() const { return height * width * channels; }
  bool empty() const { return pixels.empty(); }
  std::string shape_str() const;  // "32x32x3" (H x W x C)
};

// Decodes a JPEG, PNG or BMP held in memory to `channels` channels (1 = grey, 3 = RGB).
// `name` (usually the file path) goes into the error message when the bytes are not an image.
// A header claiming more than 2^28 pixels is refused before anything is allocated.
Image decode_image(std::span<const uint8_t> bytes, const std::string& name, int channels = 3);
// Reads and decodes one image file.
Image load_image(const std::string& path, int channels = 3);
// Header only: fills height/width (and the file's own channel count) without decoding pixels.
// Returns false, with the reason in *why, when stb_image does not recognise the file.
bool probe_image(const std::string& path, int64_t* height, int64_t* width, int64_t* channels, std::string* why);

// [C, H, W] float tensor holding the pixel values scaled to [0, 1] (x / 255).
Tensor image_to_tensor(const Image& image);

}  // namespace excite::data
