// autograd/ops/elementwise.cpp — add, sub, mul, div (broadcasting), neg, scalars, exp, log.
//
// Chain rule for z = f(a, b) under broadcasting: dL/da = sum_to(dL/dz * dz/da, shape(a)), i.e.
// the gradient is summed over every dimension along which a was stretched.
#include <cmath>

#include "autograd/ops.h"
#include "autograd/ops/broadcast.h"
#include "core/elementwise.h"
#include "core/kernels/pointwise.h"
#include "core/kernels/op_timer.h"

namespace excite {

namespace {

// out[i] = f(a[ia(i)], b[ib(i)]) over the broadcast shape.
template <typename F>
Tensor broadcast_apply(const Tensor& a, const Tensor& b, const char* op, F f) {
  Tensor out(broadcast_shape(a.shape(), b.shape(), op));
  const float* pa = a.data();
  const float* pb = b.data();
  float* po = out.data();
  const int64_t n = out.numel();
  if (a.shape() == b.shape()) {
    map_binary(pa, pb, po, n, f);
  } else if (b.numel() == 1 && a.shape() == out.shape()) {
    const float s = pb[0];
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], s);
  } else {
    BroadcastIndex ia(a.shape(), out.shape()), ib(b.shape(), out.shape());
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[ia.offset(i)], pb[ib.offset(i)]);
  }
  return out;
}

// a op b through the SIMD kernels (core/kernels/pointwise.h) when the shapes are equal, else
// broadcast_apply with f.
template <typename F>
Tensor binary(BinaryOp kernel, const Tensor& a, const Tensor& b, const char* op, F f) {
  if (a.shape() != b.shape()) return broadcast_apply(a, b, op, f);
  Tensor out(a.shape());
  binary_forward(kernel, a.data(), b.data(), out.data(), out.numel());
  return out;
}

template <typename F>
Tensor map(const Tensor& x, F f) {
  Tensor out(x.shape());
  map_unary(x.data(), out.data(), x.numel(), f);
  return out;
}

}  // namespace

Variable add(const Variable& a, const Variable& b) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor out = binary(BinaryOp::Add, a.data(), b.data(), "add", [](float x, float y) { return x + y; });
  return make_result(out, "add", {a, b}, [sa = a.shape(), sb = b.shape(), kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{sum_to(g, sa), sum_to(g, sb)};
  });
}

Variable sub(const Variable& a, const Variable& b) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor out = binary(BinaryOp::Sub, a.data(), b.data(), "sub", [](float x, float y) { return x - y; });
  return make_result(out, "sub", {a, b}, [sa = a.shape(), sb = b.shape(), kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{sum_to(g, sa), sum_to(map(g, [](float v) { return -v; }), sb)};
  });
}

Variable mul(const Variable& a, const Variable& b) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor out = binary(BinaryOp::Mul, a.data(), b.data(), "mul", [](float x, float y) { return x * y; });
  return make_result(out, "mul", {a, b}, [a = a.data(), b = b.data(), na = a.requires_grad(),
                                          nb = b.requires_grad(), kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    auto times = [](float x, float y) { return x * y; };
    Tensor da = na ? sum_to(binary(BinaryOp::Mul, g, b, "mul backward", times), a.shape()) : Tensor();
    Tensor db = nb ? sum_to(binary(BinaryOp::Mul, g, a, "mul backward", times), b.shape()) : Tensor();
    return std::vector<Tensor>{da, db};
  });
}

Variable div(const Variable& a, const Variable& b) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor out = broadcast_apply(a.data(), b.data(), "div", [](float x, float y) { return x / y; });
  // z = a / b:  dz/da = 1 / b,  dz/db = -a / b^2 = -z / b
  return make_result(out, "div", {a, b}, [b = b.data(), z = out, na = a.requires_grad(), sa = a.shape(),
                                          nb = b.requires_grad(), kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    Tensor da = na ? sum_to(broadcast_apply(g, b, "div backward", [](float x, float y) { return x / y; }), sa)
                   : Tensor();
    Tensor db;
    if (nb) {
      Tensor gz = broadcast_apply(g, z, "div backward", [](float x, float y) { return -x * y; });
      db = sum_to(broadcast_apply(gz, b, "div backward", [](float x, float y) { return x / y; }), b.shape());
    }
    return std::vector<Tensor>{da, db};
  });
}

Variable neg(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  return make_result(map(x.data(), [](float v) { return -v; }), "neg", {x}, [kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{map(g, [](float v) { return -v; })};
  });
}

Variable add_scalar(const Variable& x, float s) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  return make_result(map(x.data(), [s](float v) { return v + s; }), "add_scalar", {x},
                     [](const Tensor& g) { return std::vector<Tensor>{g}; },
                     tracing() ? TraceAttrs{{.name = "value", .floats = {s}}} : TraceAttrs{});
}

Variable mul_scalar(const Variable& x, float s) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  return make_result(map(x.data(), [s](float v) { return v * s; }), "mul_scalar", {x}, [s, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{map(g, [s](float v) { return v * s; })};
  }, tracing() ? TraceAttrs{{.name = "value", .floats = {s}}} : TraceAttrs{});
}

Variable exp(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor y = map(x.data(), [](float v) { return std::exp(v); });
  // d exp(x) = exp(x) dx: reuse the output.
  return make_result(y, "exp", {x}, [y, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{broadcast_apply(g, y, "exp backward", [](float a, float b) { return a * b; })};
  });
}

Variable log(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Tensor y = map(x.data(), [](float v) { return std::log(v); });
  return make_result(y, "log", {x}, [x = x.data(), kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{broadcast_apply(g, x, "log backward", [](float a, float b) { return a / b; })};
  });
}

}  // namespace excite
