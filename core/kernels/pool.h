// core/kernels/pool.h — max and average pooling on raw float* (NCHW), fast and naive.
//
// Holds: windowed max/avg pooling with stride and padding (torch's floor mode), and global
// average/max pooling over each plane. Max pooling treats padding as -inf, records the flat
// index (ih * W + iw) of each window's maximum, and sends the whole gradient there; on ties the
// first tap in row-major window order wins, and NaN counts as the maximum (as torch). Average
// pooling divides by the window size clipped to the padded input (count_include_pad) or by the
// number of real pixels in the window.
// Leaves out: ceil mode, dilation, adaptive sizes other than 1 (the global pools).
// Legend: N batch, C channels, H W input size, KH KW window, OH OW output size.
#pragma once

#include <cstdint>

namespace excite {

struct PoolGeometry {
  int64_t N = 1, C = 1, H = 1, W = 1;
  int64_t KH = 2, KW = 2;
  int64_t stride_h = 2, stride_w = 2;
  int64_t pad_h = 0, pad_w = 0;
  bool count_include_pad = true;

  int64_t OH() const { return (H + 2 * pad_h - KH) / stride_h + 1; }
  int64_t OW() const { return (W + 2 * pad_w - KW) / stride_w + 1; }
};

// x [N, C, H, W] -> y [N, C, OH, OW], argmax [N, C, OH, OW] (index into the H*W plane).
void max_pool2d_forward(const float* x, float* y, int32_t* argmax, const PoolGeometry& g);
void max_pool2d_backward(const float* dy, const int32_t* argmax, float* dx, const PoolGeometry& g);  // dx overwritten
void avg_pool2d_forward(const float* x, float* y, const PoolGeometry& g);
void avg_pool2d_backward(const float* dy, float* dx, const PoolGeometry& g);  // dx overwritten

void max_pool2d_forward_naive(const float* x, float* y, int32_t* argmax, const PoolGeometry& g);
void max_pool2d_backward_naive(const float* dy, const int32_t* argmax, float* dx, const PoolGeometry& g);
void avg_pool2d_forward_naive(const float* x, float* y, const PoolGeometry& g);
void avg_pool2d_backward_naive(const float* dy, float* dx, const PoolGeometry& g);

// Global pools over NC planes of HW pixels: x [NC, HW] -> y [NC]. Their naive twins are the
// windowed naive kernels with the window set to the whole plane (the tests compare those).
void global_avg_pool_forward(const float* x, float* y, int64_t NC, int64_t HW);
void global_max_pool_forward(const float* x, float* y, int32_t* argmax, int64_t NC, int64_t HW);
void global_max_pool_backward(const float* dy, const int32_t* argmax, float* dx, int64_t NC, int64_t HW);

}  // namespace excite
