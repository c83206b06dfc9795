// data/resample.cpp — crop, bilinear resize and flip on uint8 HWC images.
#include "data/resample.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace excite::data {

Image crop(const Image& image, int64_t top, int64_t left, int64_t height, int64_t width, uint8_t fill) {
  EXCITE_CHECK(height > 0 && width > 0, "crop: window " << height << "x" << width << " must not be empty");
  const int64_t c = image.channels;
  Image out(height, width, c, fill);
  // Overlap of the window with the image, in image coordinates.
  const int64_t y0 = std::max<int64_t>(top, 0), y1 = std::min(top + height, image.height);
  const int64_t x0 = std::max<int64_t>(left, 0), x1 = std::min(left + width, image.width);
  if (y0 >= y1 || x0 >= x1) return out;
  const size_t row_bytes = static_cast<size_t>((x1 - x0) * c);
  for (int64_t y = y0; y < y1; ++y)
    std::memcpy(&out.pixels[static_cast<size_t>(((y - top) * width + (x0 - left)) * c)],
                &image.pixels[static_cast<size_t>((y * image.width + x0) * c)], row_bytes);
  return out;
}

// For each output coordinate along one axis: the two source indices and the weight of the second.
struct Taps {
  std::vector<int64_t> i0, i1;
  std::vector<float> t;
};

static Taps taps(int64_t start, int64_t length, int64_t out_length) {
  Taps k;
  k.i0.resize(out_length);
  k.i1.resize(out_length);
  k.t.resize(out_length);
  const double scale = static_cast<double>(length) / out_length;
  for (int64_t o = 0; o < out_length; ++o) {
    // Half-pixel centres: output pixel o covers [o, o+1) * scale of the window.
    const double src = std::clamp((o + 0.5) * scale - 0.5, 0.0, static_cast<double>(length - 1));
    const int64_t lo = static_cast<int64_t>(src);
    k.i0[o] = start + lo;
    k.i1[o] = start + std::min(lo + 1, length - 1);
    k.t[o] = static_cast<float>(src - lo);
  }
  return k;
}

Image resize_bilinear(const Image& image, int64_t top, int64_t left, int64_t height, int64_t width,
                      int64_t out_height, int64_t out_width) {
  EXCITE_CHECK(top >= 0 && left >= 0 && height > 0 && width > 0 && top + height <= image.height &&
                   left + width <= image.width,
               "resize: window at (" << top << ", " << left << ") of " << height << "x" << width
                                     << " does not lie inside the " << image.shape_str() << " image");
  EXCITE_CHECK(out_height > 0 && out_width > 0, "resize: output size " << out_height << "x" << out_width
                                                                       << " must be positive");
  const int64_t c = image.channels;
  const Taps ys = taps(top, height, out_height), xs = taps(left, width, out_width);
  Image out(out_height, out_width, c);
  uint8_t* dst = out.pixels.data();
  for (int64_t oy = 0; oy < out_height; ++oy) {
    const uint8_t* row0 = image.pixels.data() + ys.i0[oy] * image.width * c;
    const uint8_t* row1 = image.pixels.data() + ys.i1[oy] * image.width * c;
    const float ty = ys.t[oy];
    for (int64_t ox = 0; ox < out_width; ++ox) {
      const int64_t a = xs.i0[ox] * c, b = xs.i1[ox] * c;
      const float tx = xs.t[ox];
      for (int64_t ch = 0; ch < c; ++ch) {
        const float top_value = row0[a + ch] + tx * (row0[b + ch] - row0[a + ch]);
        const float bottom_value = row1[a + ch] + tx * (row1[b + ch] - row1[a + ch]);
        *dst++ = static_cast<uint8_t>(top_value + ty * (bottom_value - top_value) + 0.5f);
      }
    }
  }
  return out;
}

void flip_horizontal(Image& image) {
  const int64_t c = image.channels;
  for (int64_t y = 0; y < image.height; ++y) {
    uint8_t* row = image.pixels.data() + y * image.width * c;
    for (int64_t l = 0, r = image.width - 1; l < r; ++l, --r)
      for (int64_t ch = 0; ch < c; ++ch) std::swap(row[l * c + ch], row[r * c + ch]);
  }
}

}  // namespace excite::data
