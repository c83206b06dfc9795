// core/kernels/upsample.h — nearest-neighbour resizing on raw float* (NCHW), fast and naive.
//
// Holds: y[n, c, oh, ow] = x[n, c, src(oh, H, OH), src(ow, W, OW)] with torch's rule for
// F.interpolate(mode='nearest') given an output size:
//     src(o, in, out) = min(floor(float(o) * scale), in - 1),  scale = float(in) / float(out)
// computed in float32, as torch does (for float and double tensors alike). That is not always
// floor(o * in / out) in integers: the float scale rounds, and for 83 of the (in <= 64, out <= 129)
// pairs, e.g. 2 -> 82 and 6 -> 74, torch picks the pixel before the exact one at some o.
// Backward: each input pixel receives the sum of the gradients of the outputs that copied it.
// Any sizes >= 1, shrinking too. The fast kernels use per-axis index tables and run planes in
// parallel; the naive twins compute src() for every element.
// Leaves out: 'nearest-exact', bilinear, scale-factor arguments (give the output size).
// Legend: N batch, C channels, H W input size, OH OW output size.
#pragma once

#include <cstdint>

namespace excite {

struct UpsampleGeometry {
  int64_t N = 1, C = 1, H = 1, W = 1;
  int64_t OH = 1, OW = 1;
};

int64_t nearest_source_index(int64_t out_index, int64_t in_size, int64_t out_size);

// x [N, C, H, W] -> y [N, C, OH, OW]; dy [N, C, OH, OW] -> dx [N, C, H, W] (overwritten).
void upsample_nearest_forward(const float* x, float* y, const UpsampleGeometry& g);
void upsample_nearest_backward(const float* dy, float* dx, const UpsampleGeometry& g);

void upsample_nearest_forward_naive(const float* x, float* y, const UpsampleGeometry& g);
void upsample_nearest_backward_naive(const float* dy, float* dx, const UpsampleGeometry& g);

}  // namespace excite
