// autograd/ops/channel.cpp — channel_scale, the SE excitation: y[n,c,h,w] = x[n,c,h,w] * s[n,c],
// and channel_scale_add_relu, a residual block's join after it: y = relu(x s + r).
//
// channel_scale:  dx[n,c,h,w] = dy[n,c,h,w] * s[n,c]
//                 ds[n,c]     = sum over h,w of dy[n,c,h,w] * x[n,c,h,w]
// the join:       dr = dy where y > 0 (else 0); dx, ds as above with dr for dy.
#include "autograd/ops.h"
#include "core/kernels/op_timer.h"
#include "core/kernels/pointwise.h"

namespace excite {

Variable channel_scale(const Variable& x, const Variable& s) {
  const OpKind kind = op_kind_or_override(OpKind::SE);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(x.dim() == 4 && s.dim() == 2 && s.size(0) == x.size(0) && s.size(1) == x.size(1),
               "channel_scale: expected x [N, C, H, W] and s [N, C], got " << x.shape() << " and " << s.shape());
  const int64_t NC = x.size(0) * x.size(1), HW = x.size(2) * x.size(3);
  Tensor y(x.shape());
  channel_scale_forward(x.data().data(), s.data().data(), y.data(), NC, HW);
  return make_result(y, "channel_scale", {x, s}, [X = x.data(), S = s.data(), nx = x.requires_grad(),
                                                  ns = s.requires_grad(), NC, HW, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    Tensor dx = nx ? Tensor(X.shape()) : Tensor();
    Tensor ds = ns ? Tensor(S.shape()) : Tensor();
    channel_scale_backward(g.data(), X.data(), S.data(), nx ? dx.data() : nullptr, ns ? ds.data() : nullptr, NC, HW);
    return std::vector<Tensor>{dx, ds};
  });
}

Variable channel_scale_add_relu(const Variable& x, const Variable& s, const Variable& r) {
  const OpKind kind = op_kind_or_override(OpKind::SE);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(x.dim() == 4 && s.dim() == 2 && s.size(0) == x.size(0) && s.size(1) == x.size(1) &&
                   r.shape() == x.shape(),
               "channel_scale_add_relu: expected x [N, C, H, W], s [N, C] and r like x, got "
                   << x.shape() << ", " << s.shape() << " and " << r.shape());
  const int64_t NC = x.size(0) * x.size(1), HW = x.size(2) * x.size(3);
  Tensor y(x.shape());
  channel_scale_add_relu_forward(x.data().data(), s.data().data(), r.data().data(), y.data(), NC, HW);
  return make_result(y, "channel_scale_add_relu", {x, s, r},
                     [X = x.data(), S = s.data(), y, nx = x.requires_grad(), ns = s.requires_grad(), NC, HW,
                      kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    Tensor dr(X.shape());  // r's gradient, and the masked one x's and s's are made from
    Tensor dx = nx ? Tensor(X.shape()) : Tensor();
    Tensor ds = ns ? Tensor(S.shape()) : Tensor();
    channel_scale_add_relu_backward(g.data(), y.data(), X.data(), S.data(), dr.data(), nx ? dx.data() : nullptr,
                                    ns ? ds.data() : nullptr, NC, HW);
    return std::vector<Tensor>{dx, ds, dr};
  });
}

}  // namespace excite
