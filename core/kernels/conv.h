// core/kernels/conv.h — 2-D convolution on raw float* (NCHW): im2col/col2im, the fast
// forward/backward pair and its naive twin.
//
// Holds: ConvGeometry (every size and hyper-parameter of one convolution), im2col/col2im for one
// sample and one group, conv2d_forward/conv2d_backward (im2col + sgemm per sample, see conv.cpp
// for the threading) and conv2d_forward_naive/conv2d_backward_naive (direct loops in double, the
// reference the tests compare with). Semantics are torch.nn.functional.conv2d's: zero padding,
// dilation, groups, optional bias (null pointer).
// Leaves out: padding modes other than zeros, transposed convolution, autograd (ops/conv.cpp).
//
// Legend: N batch, C input channels, H W input size, OC output channels, KH KW kernel size,
// OH OW output size; per group Cg = C / groups, OCg = OC / groups.
#pragma once

#include <cstdint>

namespace excite {

struct ConvGeometry {
  int64_t N = 1, C = 1, H = 1, W = 1;  // input [N, C, H, W]
  int64_t OC = 1, KH = 1, KW = 1;      // weight [OC, C / groups, KH, KW]
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;

  int64_t OH() const { return (H + 2 * pad_h - dilation_h * (KH - 1) - 1) / stride_h + 1; }
  int64_t OW() const { return (W + 2 * pad_w - dilation_w * (KW - 1) - 1) / stride_w + 1; }
  int64_t Cg() const { return C / groups; }
  int64_t OCg() const { return OC / groups; }
  int64_t col_rows() const { return Cg() * KH * KW; }  // K of the per-group gemm
  // 1x1, stride 1, no padding: the input plane already is the im2col matrix.
  bool pointwise() const {
    return KH == 1 && KW == 1 && stride_h == 1 && stride_w == 1 && pad_h == 0 && pad_w == 0;
  }
  // Multiply-adds of one forward pass (backward to input and to weight cost the same each).
  double macs() const { return static_cast<double>(N) * OC * OH() * OW() * col_rows(); }
};

// One sample, one group: x [Cg, H, W] -> col [Cg*KH*KW, OH*OW]; padded taps read as 0.
void im2col(const float* x, const ConvGeometry& g, float* col);
// The adjoint: col [Cg*KH*KW, OH*OW] is summed back into dx [Cg, H, W] (dx += ...).
void col2im(const float* col, const ConvGeometry& g, float* dx);
// dx[i] = own[i] + dx[i] for i < n, on the calling thread: a piece of the input gradient computed
// on its own, added to what dx held (conv2d_backward's add_dx; to the bit the engine's sum).
inline void add_own_gradient(const float* own, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dx[i] = own[i] + dx[i];
}

// y [N, OC, OH, OW] = conv(x [N, C, H, W], w [OC, Cg, KH, KW]) + b [OC] (b may be null), with
// relu max(0, that) (in the stores: a conv whose batchnorm is folded into w and b, then a ReLU).
// Runs the direct register-tile kernels (conv_direct.h) on every SIMD target, im2col + sgemm
// (OpenBLAS) on the scalar one (core/kernels/isa.h).
void conv2d_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g,
                    bool relu = false);
// From dy [N, OC, OH, OW]: dx [N, C, H, W], dw [OC, Cg, KH, KW], db [OC]; each output may be
// null (not wanted). All three are overwritten, except dx with add_dx: then dx += the input
// gradient (each element the gradient plus what dx held: a second gradient of the input summed
// where it is stored, no pass of its own).
void conv2d_backward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db,
                     const ConvGeometry& g, bool add_dx = false);

// The im2col + sgemm path on its own (any geometry), and the bias gradient (sum of dy).
void conv2d_forward_im2col(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g,
                           bool relu = false);
void conv2d_backward_im2col(const float* dy, const float* x, const float* w, float* dx, float* dw,
                            const ConvGeometry& g, bool add_dx = false);
void conv2d_bias_backward(const float* dy, float* db, const ConvGeometry& g);

void conv2d_forward_naive(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g,
                          bool relu = false);
void conv2d_backward_naive(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db,
                           const ConvGeometry& g);

}  // namespace excite
