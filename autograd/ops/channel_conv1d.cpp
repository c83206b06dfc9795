// autograd/ops/channel_conv1d.cpp — channel_conv1d, ECA's convolution across the channels of a
// squeezed vector, on core/kernels/channel_conv1d (whose header derives the backward):
//   y[n, i] = sum_k w[k] v[n, i + k - pad]    dv = w slid back over dy,  dw[k] = sum dy[n, i] v[n, i + k - pad]
//
// Why a dedicated op rather than conv2d on v.reshape([N, 1, 1, C]) with w.reshape([1, 1, 1, K]):
// both give the same numbers (tests/autograd/test_attention_ops.cpp checks it) at about the same
// speed (that test's "[.bench]" case, figures in autograd/README.md), but conv2d gets there
// through an [N*C, K] im2col copy, a one-column GEMM and col2im, behind two reshapes; this is one
// loop a reader can check against the formula, with torch's weight shape and ECA's errors.
#include "autograd/ops.h"
#include "core/kernels/channel_conv1d.h"
#include "core/kernels/op_timer.h"

namespace excite {

Variable channel_conv1d(const Variable& v, const Variable& w, int64_t pad) {
  const OpKind kind = op_kind_or_override(OpKind::SE);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(v.dim() == 2, "channel_conv1d: expected a squeezed vector v [N, C], got " << v.shape()
                                 << " (squeeze [N, C, H, W] with global_avg_pool first)");
  EXCITE_CHECK(w.dim() == 3 && w.size(0) == 1 && w.size(1) == 1 && w.size(2) >= 1,
               "channel_conv1d: expected a kernel w [1, 1, K] (torch's Conv1d(1, 1, K).weight), got " << w.shape());
  const ChannelConv1dGeometry g{.N = v.size(0), .C = v.size(1), .K = w.size(2), .pad = pad};
  EXCITE_CHECK(pad >= 0 && g.L() >= 1, "channel_conv1d: padding " << pad << " with kernel size " << g.K
                                           << " leaves no output for C = " << g.C
                                           << " (ECA uses pad = (K - 1) / 2 with K odd, which keeps C)");
  Tensor y({g.N, g.L()});
  channel_conv1d_forward(v.data().data(), w.data().data(), y.data(), g);
  return make_result(y, "channel_conv1d", {v, w}, [V = v.data(), W = w.data(), nv = v.requires_grad(),
                                                   nw = w.requires_grad(), g, kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    Tensor dv = nv ? Tensor(V.shape()) : Tensor();
    Tensor dw = nw ? Tensor(W.shape()) : Tensor();
    channel_conv1d_backward(dy.data(), V.data(), W.data(), nv ? dv.data() : nullptr, nw ? dw.data() : nullptr, g);
    return std::vector<Tensor>{dv, dw};
  });
}

}  // namespace excite
