// core/kernels/pointwise.cpp — element-wise kernels (see pointwise.h): one source over Highway
// for every target, each op a per-vector functor run by one chunked loop, and the naive twins.
#include "core/kernels/pointwise.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/pointwise.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include <algorithm>

#include "core/elementwise.h"
#include "core/parallel.h"

HWY_BEFORE_NAMESPACE();
namespace excite::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;

namespace {

constexpr int64_t kL = static_cast<int64_t>(hn::MaxLanes(D()));

// out[i] = f(a[i], b[i]) for i < n, in chunks over the threads; f takes vectors (the bulk) and
// one-lane vectors (the tail), so one expression serves both.
template <typename F>
void map2(const float* a, const float* b, float* out, int64_t n, F f) {
  const int64_t chunks = (n + kElementwiseChunk - 1) / kElementwiseChunk;
  parallel_for(chunks, [&](int64_t c) {
    const D d;
    const hn::CappedTag<float, 1> d1;
    const int64_t lo = c * kElementwiseChunk, hi = std::min(n, lo + kElementwiseChunk);
    int64_t i = lo;
    for (; i + kL <= hi; i += kL) hn::StoreU(f(d, hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, out + i);
    for (; i < hi; ++i) hn::StoreU(f(d1, hn::LoadU(d1, a + i), hn::LoadU(d1, b + i)), d1, out + i);
  }, 2);
}

}  // namespace

void Binary(BinaryOp op, const float* a, const float* b, float* out, int64_t n) {
  switch (op) {
    case BinaryOp::Add: return map2(a, b, out, n, [](auto, auto u, auto v) { return hn::Add(u, v); });
    case BinaryOp::Sub: return map2(a, b, out, n, [](auto, auto u, auto v) { return hn::Sub(u, v); });
    case BinaryOp::Mul: return map2(a, b, out, n, [](auto, auto u, auto v) { return hn::Mul(u, v); });
  }
}

void Scale(const float* x, float s, float* y, int64_t n) {
  map2(x, x, y, n, [s](auto d, auto u, auto) { return hn::Mul(u, hn::Set(d, s)); });
}

void Relu(const float* x, float* y, int64_t n) {
  map2(x, x, y, n, [](auto d, auto u, auto) { return hn::Max(u, hn::Zero(d)); });
}

void ReluBackward(const float* g, const float* y, float* dx, int64_t n) {
  map2(g, y, dx, n, [](auto d, auto u, auto v) { return hn::IfThenElseZero(hn::Gt(v, hn::Zero(d)), u); });
}

void AddRelu(const float* a, const float* b, float* y, int64_t n) {
  map2(a, b, y, n, [](auto d, auto u, auto v) { return hn::Max(hn::Add(u, v), hn::Zero(d)); });
}

void ChannelScale(const float* x, const float* s, float* y, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const D d;
    const V vs = hn::Set(d, s[i]);
    const float* p = x + i * HW;
    float* q = y + i * HW;
    int64_t j = 0;
    for (; j + kL <= HW; j += kL) hn::StoreU(hn::Mul(hn::LoadU(d, p + j), vs), d, q + j);
    for (; j < HW; ++j) q[j] = p[j] * s[i];
  }, 64);
}

void ChannelScaleBackward(const float* g, const float* x, const float* s, float* dx, float* ds, int64_t NC,
                          int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const D d;
    const float* gi = g + i * HW;
    const float* xi = x + i * HW;
    if (dx) {
      const V vs = hn::Set(d, s[i]);
      float* q = dx + i * HW;
      int64_t j = 0;
      for (; j + kL <= HW; j += kL) hn::StoreU(hn::Mul(hn::LoadU(d, gi + j), vs), d, q + j);
      for (; j < HW; ++j) q[j] = gi[j] * s[i];
    }
    if (ds) {
      V acc = hn::Zero(d);
      int64_t j = 0;
      for (; j + kL <= HW; j += kL) acc = hn::MulAdd(hn::LoadU(d, gi + j), hn::LoadU(d, xi + j), acc);
      float sum = hn::GetLane(hn::SumOfLanes(d, acc));
      for (; j < HW; ++j) sum += gi[j] * xi[j];
      ds[i] = sum;
    }
  }, 64);
}

void ChannelScaleAddRelu(const float* x, const float* s, const float* r, float* y, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const int64_t at = i * HW;
    auto one = [&](auto d, int64_t j) {
      const auto v = hn::MulAdd(hn::LoadU(d, x + at + j), hn::Set(d, s[i]), hn::LoadU(d, r + at + j));
      hn::StoreU(hn::Max(v, hn::Zero(d)), d, y + at + j);
    };
    int64_t j = 0;
    for (; j + kL <= HW; j += kL) one(D(), j);
    for (; j < HW; ++j) one(hn::CappedTag<float, 1>(), j);  // the same FMA in the tail
  }, 64);
}

void ChannelScaleAddReluBackward(const float* g, const float* y, const float* x, const float* s, float* dr,
                                 float* dx, float* ds, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const D d;
    const int64_t at = i * HW;
    const V vs = hn::Set(d, s[i]);
    V acc = hn::Zero(d);
    int64_t j = 0;
    for (; j + kL <= HW; j += kL) {
      const V m = hn::IfThenElseZero(hn::Gt(hn::LoadU(d, y + at + j), hn::Zero(d)), hn::LoadU(d, g + at + j));
      hn::StoreU(m, d, dr + at + j);
      if (dx) hn::StoreU(hn::Mul(m, vs), d, dx + at + j);
      acc = hn::MulAdd(m, hn::LoadU(d, x + at + j), acc);
    }
    float sum = hn::GetLane(hn::SumOfLanes(d, acc));
    for (; j < HW; ++j) {
      const float m = y[at + j] > 0.f ? g[at + j] : 0.f;
      dr[at + j] = m;
      if (dx) dx[at + j] = m * s[i];
      sum += m * x[at + j];
    }
    if (ds) ds[i] = sum;
  }, 64);
}

void PlaneAdd(const float* a, const float* s, float* out, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const D d;
    const V vs = hn::Set(d, s[i]);
    float* q = out + i * HW;
    int64_t j = 0;
    if (a) {
      const float* p = a + i * HW;
      for (; j + kL <= HW; j += kL) hn::StoreU(hn::Add(hn::LoadU(d, p + j), vs), d, q + j);
      for (; j < HW; ++j) q[j] = p[j] + s[i];
    } else {
      for (; j + kL <= HW; j += kL) hn::StoreU(vs, d, q + j);
      for (; j < HW; ++j) q[j] = s[i];
    }
  }, 64);
}

}  // namespace excite::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite {

HWY_EXPORT(Binary);
HWY_EXPORT(Scale);
HWY_EXPORT(Relu);
HWY_EXPORT(ReluBackward);
HWY_EXPORT(AddRelu);
HWY_EXPORT(ChannelScale);
HWY_EXPORT(ChannelScaleBackward);
HWY_EXPORT(ChannelScaleAddRelu);
HWY_EXPORT(ChannelScaleAddReluBackward);
HWY_EXPORT(PlaneAdd);

void binary_forward(BinaryOp op, const float* a, const float* b, float* out, int64_t n) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(Binary)(op, a, b, out, n);
}
void scale_forward(const float* x, float s, float* y, int64_t n) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(Scale)(x, s, y, n);
}
void relu_forward(const float* x, float* y, int64_t n) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(Relu)(x, y, n);
}
void relu_backward(const float* g, const float* y, float* dx, int64_t n) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ReluBackward)(g, y, dx, n);
}
void add_relu_forward(const float* a, const float* b, float* y, int64_t n) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(AddRelu)(a, b, y, n);
}
void channel_scale_forward(const float* x, const float* s, float* y, int64_t NC, int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ChannelScale)(x, s, y, NC, HW);
}
void channel_scale_backward(const float* g, const float* x, const float* s, float* dx, float* ds, int64_t NC,
                            int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ChannelScaleBackward)(g, x, s, dx, ds, NC, HW);
}
void channel_scale_add_relu_forward(const float* x, const float* s, const float* r, float* y, int64_t NC,
                                    int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ChannelScaleAddRelu)(x, s, r, y, NC, HW);
}
void channel_scale_add_relu_backward(const float* g, const float* y, const float* x, const float* s, float* dr,
                                     float* dx, float* ds, int64_t NC, int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ChannelScaleAddReluBackward)(g, y, x, s, dr, dx, ds, NC, HW);
}
void plane_add(const float* a, const float* s, float* out, int64_t NC, int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(PlaneAdd)(a, s, out, NC, HW);
}

// --- naive twins: one plain loop each ---

void binary_forward_naive(BinaryOp op, const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = op == BinaryOp::Add ? a[i] + b[i] : op == BinaryOp::Sub ? a[i] - b[i] : a[i] * b[i];
}
void scale_forward_naive(const float* x, float s, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * s;
}
void relu_forward_naive(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : 0.f;
}
void relu_backward_naive(const float* g, const float* y, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0.f ? g[i] : 0.f;
}
void add_relu_forward_naive(const float* a, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i] > 0.f ? a[i] + b[i] : 0.f;
}
void channel_scale_forward_naive(const float* x, const float* s, float* y, int64_t NC, int64_t HW) {
  for (int64_t i = 0; i < NC; ++i)
    for (int64_t j = 0; j < HW; ++j) y[i * HW + j] = x[i * HW + j] * s[i];
}
void channel_scale_backward_naive(const float* g, const float* x, const float* s, float* dx, float* ds, int64_t NC,
                                  int64_t HW) {
  for (int64_t i = 0; i < NC; ++i) {
    double acc = 0.0;
    for (int64_t j = 0; j < HW; ++j) {
      if (dx) dx[i * HW + j] = g[i * HW + j] * s[i];
      acc += static_cast<double>(g[i * HW + j]) * x[i * HW + j];
    }
    if (ds) ds[i] = static_cast<float>(acc);
  }
}
void channel_scale_add_relu_forward_naive(const float* x, const float* s, const float* r, float* y, int64_t NC,
                                          int64_t HW) {
  for (int64_t i = 0; i < NC * HW; ++i) {
    const double v = static_cast<double>(x[i]) * s[i / HW] + r[i];
    y[i] = v > 0.0 ? static_cast<float>(v) : 0.f;
  }
}
void channel_scale_add_relu_backward_naive(const float* g, const float* y, const float* x, const float* s, float* dr,
                                           float* dx, float* ds, int64_t NC, int64_t HW) {
  for (int64_t i = 0; i < NC; ++i) {
    double acc = 0.0;
    for (int64_t j = 0; j < HW; ++j) {
      const float m = y[i * HW + j] > 0.f ? g[i * HW + j] : 0.f;
      dr[i * HW + j] = m;
      if (dx) dx[i * HW + j] = m * s[i];
      acc += static_cast<double>(m) * x[i * HW + j];
    }
    if (ds) ds[i] = static_cast<float>(acc);
  }
}
void plane_add_naive(const float* a, const float* s, float* out, int64_t NC, int64_t HW) {
  for (int64_t i = 0; i < NC; ++i)
    for (int64_t j = 0; j < HW; ++j) out[i * HW + j] = a ? a[i * HW + j] + s[i] : s[i];
}

}  // namespace excite
#endif  // HWY_ONCE
