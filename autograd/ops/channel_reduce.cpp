// autograd/ops/channel_reduce.cpp — channel_mean, channel_max and spatial_scale: the per-pixel
// maps of CBAM's spatial attention and the broadcast of such a map over the channels, on
// core/kernels/channel_reduce.
//
// channel_mean   m = mean_c x            dx[n,c,h,w] = dm[n,0,h,w] / C
// channel_max    m = max_c x             dx = dm at the maximal channel (MaxTies::First: the first
//                                        one, as torch.max(dim); MaxTies::Split: shared evenly by
//                                        all tied channels, as torch.amax and so timm's CBAM)
// spatial_scale  y = x * s (s [N,1,H,W]) dx = dy * s,  ds[n,0,h,w] = sum_c dy[n,c,h,w] x[n,c,h,w]
#include <memory>

#include "autograd/ops.h"
#include "core/kernels/channel_reduce.h"
#include "core/kernels/op_timer.h"

namespace excite {

namespace {

ChannelPlanes planes_of(const Variable& x, const char* op) {
  EXCITE_CHECK(x.dim() == 4 && x.size(1) >= 1,
               op << ": expected input [N, C, H, W] with C >= 1, got " << x.shape());
  return {.N = x.size(0), .C = x.size(1), .HW = x.size(2) * x.size(3)};
}

Shape map_shape(const Variable& x) { return Shape({x.size(0), 1, x.size(2), x.size(3)}); }

}  // namespace

Variable channel_mean(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Pooling);
  ScopedOpTimer timer(kind);
  const ChannelPlanes g = planes_of(x, "channel_mean");
  Tensor m(map_shape(x));
  channel_mean_forward(x.data().data(), m.data(), g);
  return make_result(m, "channel_mean", {x}, [g, xs = x.shape(), kind](const Tensor& dm) {
    ScopedOpTimer timer(kind);
    Tensor dx(xs);
    channel_mean_backward(dm.data(), dx.data(), g);
    return std::vector<Tensor>{dx};
  });
}

Variable channel_max(const Variable& x, MaxTies ties) {
  const OpKind kind = op_kind_or_override(OpKind::Pooling);
  ScopedOpTimer timer(kind);
  const ChannelPlanes g = planes_of(x, "channel_max");
  Tensor m(map_shape(x));
  auto argmax = std::make_shared<std::vector<int32_t>>(static_cast<size_t>(m.numel()));
  channel_max_forward(x.data().data(), m.data(), argmax->data(), g);
  if (ties == MaxTies::First) {
    return make_result(m, "channel_max", {x}, [argmax, g, xs = x.shape(), kind](const Tensor& dm) {
      ScopedOpTimer timer(kind);
      Tensor dx(xs);
      channel_max_backward_first(dm.data(), argmax->data(), dx.data(), g);
      return std::vector<Tensor>{dx};
    });
  }
  // Split: the backward finds the tied channels again from x and m (both kept by handle, not copied).
  return make_result(m, "channel_max", {x}, [X = x.data(), M = m, g, kind](const Tensor& dm) {
    ScopedOpTimer timer(kind);
    Tensor dx(X.shape());
    channel_max_backward_split(dm.data(), X.data(), M.data(), dx.data(), g);
    return std::vector<Tensor>{dx};
  });
}

Variable spatial_scale(const Variable& x, const Variable& s) {
  const OpKind kind = op_kind_or_override(OpKind::SE);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(x.dim() == 4 && s.dim() == 4 && s.size(0) == x.size(0) && s.size(1) == 1 && s.size(2) == x.size(2) &&
                   s.size(3) == x.size(3),
               "spatial_scale: expected x [N, C, H, W] and s [N, 1, H, W], got " << x.shape() << " and " << s.shape()
                   << " (for a per-channel scale s [N, C] use channel_scale)");
  const ChannelPlanes g = planes_of(x, "spatial_scale");
  Tensor y(x.shape());
  spatial_scale_forward(x.data().data(), s.data().data(), y.data(), g);
  return make_result(y, "spatial_scale", {x, s}, [X = x.data(), S = s.data(), nx = x.requires_grad(),
                                                  ns = s.requires_grad(), g, kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    Tensor dx = nx ? Tensor(X.shape()) : Tensor();
    Tensor ds = ns ? Tensor(S.shape()) : Tensor();
    spatial_scale_backward(dy.data(), X.data(), S.data(), nx ? dx.data() : nullptr, ns ? ds.data() : nullptr, g);
    return std::vector<Tensor>{dx, ds};
  });
}

}  // namespace excite
