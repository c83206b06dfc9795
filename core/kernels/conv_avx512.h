// core/kernels/conv_direct.h — direct ("implicit GEMM") convolution for stride-1 "same"
// convolutions, with AVX-512: the fast path under conv2d_forward/conv2d_backward.
//
// Applies when stride is 1 and the output has the input's size (padding = dilation * (kernel - 1)
// / 2: every 3x3 pad-1 conv of a ResNet), the build has AVX-512 and the kernel is not 1x1
// (1x1 needs no im2col, so plain sgemm is already as good). Nothing is copied: an output tile
// of 8 channels x 48 positions is accumulated in registers over every input channel and kernel
// tap, each tap reading the input plane shifted by a constant offset, with a per-tap lane mask
// that reads padding as 0. The backward to the input is the same kernel on dy with the weight
// transposed and flipped; the backward to the weight is a dot product over positions.
// Same semantics and naive twin as core/kernels/conv.h (conv2d_*_naive); the tests compare them.
#pragma once

#include "core/kernels/conv.h"

namespace excite {

bool conv2d_direct_applies(const ConvGeometry& g);
// As conv2d_forward / conv2d_backward (dx, dw may be null; no bias gradient here).
void conv2d_direct_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g);
void conv2d_direct_backward(const float* dy, const float* x, const float* w, float* dx, float* dw,
                            const ConvGeometry& g);

}  // namespace excite
