// autograd/ops/channel.cpp — channel_scale, the SE excitation: y[n,c,h,w] = x[n,c,h,w] * s[n,c].
//
// dx[n,c,h,w] = dy[n,c,h,w] * s[n,c]
// ds[n,c]     = sum over h,w of dy[n,c,h,w] * x[n,c,h,w]
#include "autograd/ops.h"
#include "core/kernels/op_timer.h"
#include "core/parallel.h"

namespace excite {

Variable channel_scale(const Variable& x, const Variable& s) {
  const OpKind kind = op_kind_or_override(OpKind::SE);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(x.dim() == 4 && s.dim() == 2 && s.size(0) == x.size(0) && s.size(1) == x.size(1),
               "channel_scale: expected x [N, C, H, W] and s [N, C], got " << x.shape() << " and " << s.shape());
  const int64_t NC = x.size(0) * x.size(1), HW = x.size(2) * x.size(3);
  Tensor y(x.shape());
  const float* px = x.data().data();
  const float* ps = s.data().data();
  float* py = y.data();
  parallel_for(NC, [&](int64_t i) {
    for (int64_t j = 0; j < HW; ++j) py[i * HW + j] = px[i * HW + j] * ps[i];
  }, 64);
  return make_result(y, "channel_scale", {x, s}, [X = x.data(), S = s.data(), nx = x.requires_grad(),
                                                  ns = s.requires_grad(), NC, HW, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    Tensor dx = nx ? Tensor(X.shape()) : Tensor();
    Tensor ds = ns ? Tensor(S.shape()) : Tensor();
    const float* pg = g.data();
    parallel_for(NC, [&](int64_t i) {
      const float* gi = pg + i * HW;
      if (nx) {
        for (int64_t j = 0; j < HW; ++j) dx.data()[i * HW + j] = gi[j] * S.data()[i];
      }
      if (ns) {
        float acc = 0.f;
        for (int64_t j = 0; j < HW; ++j) acc += gi[j] * X.data()[i * HW + j];
        ds.data()[i] = acc;
      }
    }, 64);
    return std::vector<Tensor>{dx, ds};
  });
}

}  // namespace excite
