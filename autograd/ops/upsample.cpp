// autograd/ops/upsample.cpp — upsample_nearest, torch's F.interpolate(x, size=(OH, OW),
// mode='nearest'), on core/kernels/upsample (which states the index rule, float32 as torch).
// Gather-Excite uses it to bring the gathered (pooled) map back to the input's size.
//
// y[n, c, oh, ow] = x[n, c, src_h(oh), src_w(ow)]   dx[n, c, ih, iw] = sum of dy over the outputs that copied it
#include "autograd/ops.h"
#include "core/kernels/op_timer.h"
#include "core/kernels/upsample.h"

namespace excite {

Variable upsample_nearest(const Variable& x, int64_t out_h, int64_t out_w) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(x.dim() == 4 && x.size(2) >= 1 && x.size(3) >= 1,
               "upsample_nearest: expected input [N, C, H, W] with H, W >= 1, got " << x.shape());
  EXCITE_CHECK(out_h >= 1 && out_w >= 1, "upsample_nearest: output size (" << out_h << ", " << out_w
                                             << ") must be at least (1, 1); input " << x.shape());
  const UpsampleGeometry g{.N = x.size(0), .C = x.size(1), .H = x.size(2), .W = x.size(3), .OH = out_h, .OW = out_w};
  Tensor y({g.N, g.C, g.OH, g.OW});
  upsample_nearest_forward(x.data().data(), y.data(), g);
  return make_result(y, "upsample_nearest", {x}, [g, xs = x.shape(), kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    Tensor dx(xs);
    upsample_nearest_backward(dy.data(), dx.data(), g);
    return std::vector<Tensor>{dx};
  });
}

}  // namespace excite
