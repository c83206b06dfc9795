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

// Separable: each window row that an output row needs is first interpolated horizontally into
// a float row (out_width * c values), then every output row is a lerp of two such rows. Upscaling
// a 32-pixel window to 224 thus does the per-pixel gather work on 32 rows instead of 224, and the
// vertical pass is a straight loop the compiler vectorises.
Image resize_bilinear(const Image& image, int64_t top, int64_t left, int64_t height, int64_t width,
                      int64_t out_height, int64_t out_width) {
  EXCITE_CHECK(top >= 0 && left >= 0 && height > 0 && width > 0 && top + height <= image.height &&
                   left + width <= image.width,
               "resize: window at (" << top << ", " << left << ") of " << height << "x" << width
                                     << " does not lie inside the " << image.shape_str() << " image");
  EXCITE_CHECK(out_height > 0 && out_width > 0, "resize: output size " << out_height << "x" << out_width
                                                                       << " must be positive");
  const int64_t c = image.channels, row_len = out_width * c;
  const Taps ys = taps(0, height, out_height), xs = taps(left, width, out_width);

  // Horizontal pass, only for the window rows some output row reads.
  std::vector<char> needed(static_cast<size_t>(height), 0);
  for (int64_t oy = 0; oy < out_height; ++oy) needed[ys.i0[oy]] = needed[ys.i1[oy]] = 1;
  std::vector<float> rows(static_cast<size_t>(height * row_len));
  for (int64_t r = 0; r < height; ++r) {
    if (!needed[static_cast<size_t>(r)]) continue;
    const uint8_t* src = image.pixels.data() + (top + r) * image.width * c;
    float* dst = rows.data() + r * row_len;
    for (int64_t ox = 0; ox < out_width; ++ox) {
      const uint8_t* a = src + xs.i0[ox] * c;
      const uint8_t* b = src + xs.i1[ox] * c;
      const float t = xs.t[ox];
      for (int64_t ch = 0; ch < c; ++ch) dst[ox * c + ch] = a[ch] + t * (float(b[ch]) - float(a[ch]));
    }
  }
  // Vertical pass, rounding to the nearest level.
  Image out(out_height, out_width, c);
  for (int64_t oy = 0; oy < out_height; ++oy) {
    const float* r0 = rows.data() + ys.i0[oy] * row_len;
    const float* r1 = rows.data() + ys.i1[oy] * row_len;
    const float t = ys.t[oy];
    uint8_t* dst = out.pixels.data() + oy * row_len;
    for (int64_t i = 0; i < row_len; ++i) dst[i] = static_cast<uint8_t>(r0[i] + t * (r1[i] - r0[i]) + 0.5f);
  }
  return out;
}

template <int C>
static void flip_rows(uint8_t* data, int64_t height, int64_t width) {
  for (int64_t y = 0; y < height; ++y) {
    uint8_t* row = data + y * width * C;
    for (int64_t l = 0, r = width - 1; l < r; ++l, --r)
      for (int ch = 0; ch < C; ++ch) std::swap(row[l * C + ch], row[r * C + ch]);
  }
}

void flip_horizontal(Image& image) {
  // The channel count as a compile-time constant lets the compiler unroll the pixel swap.
  switch (image.channels) {
    case 1: return flip_rows<1>(image.pixels.data(), image.height, image.width);
    case 3: return flip_rows<3>(image.pixels.data(), image.height, image.width);
    case 2: return flip_rows<2>(image.pixels.data(), image.height, image.width);
    case 4: return flip_rows<4>(image.pixels.data(), image.height, image.width);
    default: EXCITE_FAIL("flip: images must have 1 to 4 channels, got " << image.shape_str());
  }
}

}  // namespace excite::data
