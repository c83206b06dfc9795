// data/resample.h — the pixel-moving primitives the geometric transforms are built from.
//
// crop: a window of an image, where parts outside the image take a fill value (so padding and
// cropping are one operation). resize_bilinear: a window resampled to a new size with bilinear
// interpolation, half-pixel centres (PyTorch's align_corners=False), rounded back to uint8.
// flip_horizontal: mirror left-right in place. All work on any channel count.
// Leaves out: randomness (transforms.h decides where to crop) and antialiasing: a strong
// downscale with bilinear taps aliases, as torchvision's tensor resize without antialias does.
#pragma once

#include "data/image.h"

namespace excite::data {

// The window [top, top+height) x [left, left+width) of image; positions outside take `fill`.
Image crop(const Image& image, int64_t top, int64_t left, int64_t height, int64_t width, uint8_t fill = 0);

// The window [top, top+height) x [left, left+width), which must lie inside image, resampled to
// out_height x out_width.
Image resize_bilinear(const Image& image, int64_t top, int64_t left, int64_t height, int64_t width,
                      int64_t out_height, int64_t out_width);
inline Image resize_bilinear(const Image& image, int64_t out_height, int64_t out_width) {
  return resize_bilinear(image, 0, 0, image.height, image.width, out_height, out_width);
}

void flip_horizontal(Image& image);

}  // namespace excite::data
