// autograd/ops/activation.cpp — relu, sigmoid, tanh, hardsigmoid, silu, and add_relu (the
// residual join relu(a + b) in one pass).
// Each backward multiplies the incoming gradient by the local derivative, written next to it.
#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "core/elementwise.h"
#include "core/kernels/pointwise.h"
#include "core/kernels/op_timer.h"

namespace excite {

namespace {

template <typename F>
Tensor map(const Tensor& x, F f) {
  Tensor out(x.shape());
  map_unary(x.data(), out.data(), x.numel(), f);
  return out;
}

// g[i] * d(i), where d reads the saved tensor s at i.
template <typename D>
Tensor chain(const Tensor& g, const Tensor& s, D d) {
  Tensor out(g.shape());
  map_binary(g.data(), s.data(), out.data(), g.numel(), [&d](float gi, float si) { return gi * d(si); });
  return out;
}

float sigmoid_of(float v) { return 1.f / (1.f + std::exp(-v)); }

}  // namespace

Variable relu(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor y(x.shape());
  relu_forward(x.data().data(), y.data(), y.numel());
  // d relu = 1 where the output is positive (torch's convention: 0 at 0)
  return make_result(y, "relu", {x}, [y, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    Tensor dx(g.shape());
    relu_backward(g.data(), y.data(), dx.data(), g.numel());
    return std::vector<Tensor>{dx};
  });
}

Variable sigmoid(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor y = map(x.data(), sigmoid_of);
  // d sigmoid = y (1 - y)
  return make_result(y, "sigmoid", {x}, [y, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{chain(g, y, [](float out) { return out * (1.f - out); })};
  });
}

Variable tanh(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor y = map(x.data(), [](float v) { return std::tanh(v); });
  // d tanh = 1 - y^2
  return make_result(y, "tanh", {x}, [y, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{chain(g, y, [](float out) { return 1.f - out * out; })};
  });
}

Variable hardsigmoid(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor y = map(x.data(), [](float v) { return std::clamp(v + 3.f, 0.f, 6.f) / 6.f; });
  // d = 1/6 strictly inside (-3, 3), 0 outside (torch's convention at the kinks)
  return make_result(y, "hardsigmoid", {x}, [x = x.data(), kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{chain(g, x, [](float in) { return in > -3.f && in < 3.f ? 1.f / 6.f : 0.f; })};
  });
}

Variable silu(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor y = map(x.data(), [](float v) { return v * sigmoid_of(v); });
  // d (x s(x)) = s(x) (1 + x (1 - s(x)))
  return make_result(y, "silu", {x}, [x = x.data(), kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{chain(g, x, [](float in) {
      const float s = sigmoid_of(in);
      return s * (1.f + in * (1.f - s));
    })};
  });
}

Variable add_relu(const Variable& a, const Variable& b) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(a.shape() == b.shape(), "add_relu: expected equal shapes (no broadcasting), got " << a.shape() << " and "
                                                                                                << b.shape());
  Tensor y(a.shape());
  add_relu_forward(a.data().data(), b.data().data(), y.data(), y.numel());
  // d relu(a + b) / da = d / db = 1 where the output is positive: one masked gradient for both
  return make_result(y, "add_relu", {a, b}, [y, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    Tensor d(g.shape());
    relu_backward(g.data(), y.data(), d.data(), g.numel());
    return std::vector<Tensor>{d, d};
  });
}

}  // namespace excite
