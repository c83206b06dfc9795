// core/kernels/conv_avx512.h — convolution with AVX-512 register tiles: the fast path under
// conv2d_forward/conv2d_backward when the build targets AVX-512 (-march=native on this machine).
//
// No column matrix where the geometry allows (stride-1 convs with OW = W, i.e. every 3x3 pad-1
// and 1x1 conv of a ResNet; strided convs with OW = ceil(W / stride), after splitting the input
// into its stride phases): an output tile of 8 channels x 48 positions is accumulated in
// registers over every input channel and kernel tap, each tap reading the input at a constant
// shift, with lane masks reading padding as 0. Other geometries im2col one sample into a
// per-thread buffer and run the same register tiles over it. The backward to the input is the
// same kernel on dy with the weight transposed (and flipped for stride-1 "same" convs; through
// im2col's adjoint otherwise); the backward to the weight is a dot product over positions.
// Same semantics and naive twin as core/kernels/conv.h (conv2d_*_naive); the tests compare them.
#pragma once

#include "core/kernels/conv.h"

namespace excite {

bool conv2d_avx512_available();  // false when built without AVX-512: then never call the two below
// As conv2d_forward / conv2d_backward (dx, dw may be null; the bias gradient is not done here).
void conv2d_avx512_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g);
void conv2d_avx512_backward(const float* dy, const float* x, const float* w, float* dx, float* dw,
                            const ConvGeometry& g);

}  // namespace excite
