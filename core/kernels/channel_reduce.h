// core/kernels/channel_reduce.h — per-pixel maps across channels on raw float* (NCHW), fast and
// naive: the channel mean and max of CBAM's spatial attention, and the broadcast back (a
// [N, 1, H, W] map scaling every channel).
//
// Holds, for x viewed as [N, C, HW] and a map m viewed as [N, HW]:
//   channel_mean   m[n, j] = sum_c x[n, c, j] / C
//   channel_max    m[n, j] = max_c x[n, c, j], with the channel of the maximum recorded. Ties: the
//                  first (lowest) channel wins, as torch.max(dim) on the CPU; NaN counts as the
//                  maximum (the first NaN wins), as max pooling here and torch.
//   spatial_scale  y[n, c, j] = x[n, c, j] * s[n, j]
// and their backward passes:
//   channel_mean   dx[n, c, j] = dm[n, j] / C
//   channel_max    "first": dx[n, c, j] = dm[n, j] if c is the recorded channel, else 0 (the
//                  gradient of torch.max(dim)); "split": the gradient is shared evenly by every
//                  channel equal to the maximum (the gradient of torch.amax, which timm's CBAM
//                  uses). The two differ only on exact ties, e.g. where a relu gate zeroed several
//                  channels of a pixel whose other channels are all negative.
//   spatial_scale  dx[n, c, j] = dy[n, c, j] * s[n, j],  ds[n, j] = sum_c dy[n, c, j] x[n, c, j]
// The fast kernels walk whole channel planes (contiguous, vectorised over j, parallel over
// (n, block of j)); the naive twins compute one output at a time, strided across channels, with
// double accumulators. Every output is overwritten.
// Leaves out: reductions over other dimensions (autograd's generic sum/mean do those).
// Legend: N batch, C channels, HW pixels per plane (H * W).
#pragma once

#include <cstdint>

namespace excite {

struct ChannelPlanes {
  int64_t N = 1, C = 1, HW = 1;
};

// x [N, C, HW] -> m [N, HW]
void channel_mean_forward(const float* x, float* m, const ChannelPlanes& g);
void channel_mean_backward(const float* dm, float* dx, const ChannelPlanes& g);
// x [N, C, HW] -> m [N, HW], argmax [N, HW] (the channel)
void channel_max_forward(const float* x, float* m, int32_t* argmax, const ChannelPlanes& g);
void channel_max_backward_first(const float* dm, const int32_t* argmax, float* dx, const ChannelPlanes& g);
// Needs the forward's input x and output m to find the tied channels.
void channel_max_backward_split(const float* dm, const float* x, const float* m, float* dx, const ChannelPlanes& g);
// x [N, C, HW] * s [N, HW] -> y [N, C, HW]; backward writes dx and/or ds (either may be null).
void spatial_scale_forward(const float* x, const float* s, float* y, const ChannelPlanes& g);
void spatial_scale_backward(const float* dy, const float* x, const float* s, float* dx, float* ds,
                            const ChannelPlanes& g);

void channel_mean_forward_naive(const float* x, float* m, const ChannelPlanes& g);
void channel_mean_backward_naive(const float* dm, float* dx, const ChannelPlanes& g);
void channel_max_forward_naive(const float* x, float* m, int32_t* argmax, const ChannelPlanes& g);
void channel_max_backward_first_naive(const float* dm, const int32_t* argmax, float* dx, const ChannelPlanes& g);
void channel_max_backward_split_naive(const float* dm, const float* x, const float* m, float* dx,
                                      const ChannelPlanes& g);
void spatial_scale_forward_naive(const float* x, const float* s, float* y, const ChannelPlanes& g);
void spatial_scale_backward_naive(const float* dy, const float* x, const float* s, float* dx, float* ds,
                                  const ChannelPlanes& g);

}  // namespace excite
