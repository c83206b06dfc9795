// autograd/ops/dropout.cpp — inverted dropout: y = x * mask, mask = keep / (1 - p).
//
// Each element is kept with probability 1 - p (one uniform draw from `gen` per element, in
// order, so a seed fixes the mask) and scaled by 1 / (1 - p), so the expected output equals the
// input and eval mode is the identity. p = 1 drops everything (output 0, as torch).
// Backward: dx = dy * mask.
#include "autograd/ops.h"
#include "core/kernels/op_timer.h"

namespace excite {

Variable dropout(const Variable& x, float p, bool training, Generator& gen) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(p >= 0.f && p <= 1.f, "dropout: probability must be in [0, 1], got " << p << " for input " << x.shape());
  if (!training || p == 0.f) return x;
  const int64_t n = x.numel();
  const float scale = p < 1.f ? 1.f / (1.f - p) : 0.f;
  Tensor mask(x.shape()), y(x.shape());
  const float* px = x.data().data();
  for (int64_t i = 0; i < n; ++i) {
    mask.data()[i] = gen.uniform() >= p ? scale : 0.f;
    y.data()[i] = px[i] * mask.data()[i];
  }
  return make_result(y, "dropout", {x}, [mask, kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    Tensor dx(dy.shape());
    for (int64_t i = 0, m = dy.numel(); i < m; ++i) dx.data()[i] = dy.data()[i] * mask.data()[i];
    return std::vector<Tensor>{dx};
  });
}

}  // namespace excite
