// core/kernels/channel_conv1d.h — ECA's 1-D convolution across channels, on raw float*.
//
// Holds: one kernel w [K] slid along each squeezed vector v [N, C] with zero padding `pad`:
//     y[n, i] = sum_k w[k] v[n, i + k - pad]          (v outside [0, C) is 0), i in [0, L)
//     L = C + 2 pad - K + 1                             (= C for ECA's pad (K - 1) / 2, K odd)
// i.e. torch's F.conv1d(v.view(N, 1, C), w.view(1, 1, K), padding=pad) (a cross-correlation).
// Backward (the same sums read the other way):
//     dv[n, m] = sum_k w[k] dy[n, m - k + pad]        (terms with m - k + pad outside [0, L) are 0)
//     dw[k]    = sum_n sum_i dy[n, i] v[n, i + k - pad]
// One direct kernel, no naive twin of its own: it is one plain loop nest over N * L * K
// multiply-adds (e.g. 128 * 256 * 5), and tests/autograd/test_attention_ops.cpp compares it, both
// ways, with an independent implementation: the same convolution through conv2d
// ([N, 1, 1, C] * [1, 1, 1, K], im2col + GEMM).
// Leaves out: bias, stride, dilation, several input or output channels.
// Legend: N batch, C channels (the vector's length), K kernel taps, L output length.
#pragma once

#include <cstdint>

namespace excite {

struct ChannelConv1dGeometry {
  int64_t N = 1, C = 1, K = 3, pad = 1;
  int64_t L() const { return C + 2 * pad - K + 1; }
};

// v [N, C], w [K] -> y [N, L]
void channel_conv1d_forward(const float* v, const float* w, float* y, const ChannelConv1dGeometry& g);
// dy [N, L] -> dv [N, C] and/or dw [K] (either may be null), both overwritten.
void channel_conv1d_backward(const float* dy, const float* v, const float* w, float* dv, float* dw,
                             const ChannelConv1dGeometry& g);

}  // namespace excite
