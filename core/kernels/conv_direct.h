// core/kernels/conv_direct.h — convolution with register tiles over a staged input: the fast
// path under conv2d_forward/conv2d_backward on every SIMD target (AVX-512, AVX2, SSE4, NEON).
//
// No column matrix: the input is staged once per sample into planes in which every kernel tap
// is a constant shift of the output position, with the padding stored as zeros (conv_stage.h:
// the input's stride phases, about the input's size, where im2col writes KH * KW /
// (stride_h * stride_w) times it), and register tiles (conv_tiles.h) sum over every input
// channel and tap of it with plain vector loads (a lane mask at a row's first and last column
// where a tap shifts by one). Every geometry (stride, padding, dilation,
// groups, 1x1 and the RGB stem) takes this path. The input gradient of a stride-1 convolution is
// the same kernel on dy with the weight transposed and flipped; a strided one goes through
// dcol = w^T dy (the same kernel as a product) and col2im. The weight gradient is a dot product
// over positions of dy and the staged input. Same semantics and naive twin as core/kernels/conv.h
// (conv2d_*_naive); the tests compare them on every target the CPU runs.
#pragma once

#include "core/kernels/conv.h"

namespace excite {

// True where the direct kernels beat im2col + sgemm: every SIMD target. On the scalar target
// OpenBLAS's own kernels are faster, and conv2d_forward/backward take im2col + sgemm.
bool conv2d_direct_preferred();
// As conv2d_forward / conv2d_backward (dx, dw may be null; the bias gradient is not done here),
// on whatever target runs (isa.h), the scalar one included.
void conv2d_direct_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g,
                           bool relu = false);
void conv2d_direct_backward(const float* dy, const float* x, const float* w, float* dx, float* dw,
                            const ConvGeometry& g, bool add_dx = false);

}  // namespace excite
