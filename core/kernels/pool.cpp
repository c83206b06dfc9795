// core/kernels/pool.cpp — pooling forward/backward, parallel over the N*C planes, and the naive
// twin that checks every tap against the padding one at a time.
//
// The fast kernels are written once over Highway (vectors of the running target, isa.h): the
// windowed pools run a vector of output columns at a time where their windows lie inside the row
// (stride 1 or 2: a plain load, or two loads and an even-lane concatenation, per tap), and the
// window code one output at a time at the borders; the global pools sum, or find the maximum
// and then its first index, a vector at a time. Max pooling's backward (a scatter by index) and
// the windowed average's backward stay scalar loops.
//
// Backward: max pooling is y = x[argmax], so dx[argmax] += dy and every other tap gets 0; average
// pooling is y = sum(window) / divisor, so each real pixel of the window gets dy / divisor
// (padding taps take their share and drop it). Windows overlap when stride < kernel, hence +=.
#include "core/kernels/pool.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/pool.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/parallel.h"

HWY_BEFORE_NAMESPACE();
namespace excite::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<D>;
using V = hn::Vec<D>;

namespace {

constexpr int64_t kL = static_cast<int64_t>(hn::MaxLanes(D()));
constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

// NaN from the bits (exponent all ones, mantissa not zero), whatever the compiler makes of isnan.
inline bool nan_bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return (b & 0x7fffffffu) > 0x7f800000u;
}

// A window clipped to the input, plus torch's divisor for average pooling.
struct Window {
  int64_t h0, h1, w0, w1;
  float divisor;
};

Window window(const PoolGeometry& g, int64_t oh, int64_t ow) {
  const int64_t h0 = oh * g.stride_h - g.pad_h, w0 = ow * g.stride_w - g.pad_w;
  const int64_t h1 = std::min(h0 + g.KH, g.H + g.pad_h), w1 = std::min(w0 + g.KW, g.W + g.pad_w);
  const int64_t padded = (h1 - h0) * (w1 - w0);
  Window win{std::max<int64_t>(h0, 0), std::min(h1, g.H), std::max<int64_t>(w0, 0), std::min(w1, g.W), 0.f};
  win.divisor = static_cast<float>(g.count_include_pad ? padded : (win.h1 - win.h0) * (win.w1 - win.w0));
  return win;
}

// Output columns [lo, hi) that run a vector at a time: their windows lie inside the row, and the
// vector's loads (2L floats at stride 2) end inside it too. Stride 3 and up: none.
std::pair<int64_t, int64_t> vector_columns(const PoolGeometry& g, int64_t OW) {
  if (g.stride_w > 2 || kL == 1) return {0, 0};
  const int64_t sw = g.stride_w, lo = std::min((g.pad_w + sw - 1) / sw, OW);
  // last read of the vector from ow: (ow + L - 1) * sw - pw + KW - 1 (+1 for stride 2's odd lane)
  int64_t hi = lo;
  while (hi < OW && (hi * sw - g.pad_w + g.KW - 1) <= g.W - 1) ++hi;
  return {lo, hi};
}

// kL floats from p at stride 1 or 2 (p[0], p[2], ...; stride 2 reads p[0 .. 2L-1]).
V load_strided(const D d, const float* p, int64_t stride) {
#if HWY_TARGET != HWY_SCALAR
  if (stride == 2) return hn::ConcatEven(d, hn::LoadU(d, p + kL), hn::LoadU(d, p));
#endif
  (void)stride;
  return hn::LoadU(d, p);
}

// Whether the vector from output column ow reads only inside the row (see vector_columns).
bool vector_fits(const PoolGeometry& g, int64_t ow) {
  const int64_t last = (ow + kL - 1) * g.stride_w - g.pad_w + g.KW - 1 + (g.stride_w == 2 ? 1 : 0);
  return last <= g.W - 1;
}

void max_window(const float* p, const PoolGeometry& g, int64_t oh, int64_t ow, float* y, int32_t* at_out) {
  const Window win = window(g, oh, ow);
  float best = kMinusInf;
  int32_t at = static_cast<int32_t>(win.h0 * g.W + win.w0);  // an all -inf window: its first tap
  for (int64_t ih = win.h0; ih < win.h1; ++ih)
    for (int64_t iw = win.w0; iw < win.w1; ++iw) {
      const float v = p[ih * g.W + iw];
      if (v > best || (std::isnan(v) && !std::isnan(best))) {
        best = v;
        at = static_cast<int32_t>(ih * g.W + iw);
      }
    }
  *y = best;
  *at_out = at;
}

float avg_window(const float* p, const PoolGeometry& g, int64_t oh, int64_t ow) {
  const Window win = window(g, oh, ow);
  float s = 0.f;
  for (int64_t ih = win.h0; ih < win.h1; ++ih)
    for (int64_t iw = win.w0; iw < win.w1; ++iw) s += p[ih * g.W + iw];
  return s / win.divisor;
}

}  // namespace

void MaxPoolForward(const float* x, float* y, int32_t* argmax, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  const auto columns = vector_columns(g, OW);  // (no structured binding: clang 14 cannot capture one)
  const int64_t lo = columns.first, hi = columns.second;
  parallel_for(g.N * g.C, [&](int64_t nc) {
    const D d;
    const DI di;
    const float* p = x + nc * g.H * g.W;
    for (int64_t oh = 0; oh < OH; ++oh) {
      float* yr = y + (nc * OH + oh) * OW;
      int32_t* ar = argmax + (nc * OH + oh) * OW;
      int64_t ow = 0;
      for (; ow < lo; ++ow) max_window(p, g, oh, ow, yr + ow, ar + ow);
      const Window win = window(g, oh, lo);
      for (; ow < hi && vector_fits(g, ow); ow += kL) {
        const int64_t w0 = ow * g.stride_w - g.pad_w;
        V best = hn::Set(d, kMinusInf);
        const auto lane = hn::Mul(hn::Iota(di, 0), hn::Set(di, static_cast<int32_t>(g.stride_w)));
        auto at = hn::Add(lane, hn::Set(di, static_cast<int32_t>(win.h0 * g.W + w0)));
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const V v = load_strided(d, p + ih * g.W + w0 + kw, g.stride_w);
            const auto take = hn::Or(hn::Gt(v, best), hn::AndNot(hn::IsNaN(best), hn::IsNaN(v)));
            best = hn::IfThenElse(take, v, best);
            const auto idx = hn::Add(lane, hn::Set(di, static_cast<int32_t>(ih * g.W + w0 + kw)));
            at = hn::IfThenElse(hn::RebindMask(di, take), idx, at);
          }
        hn::StoreU(best, d, yr + ow);
        hn::StoreU(at, di, ar + ow);
      }
      for (; ow < OW; ++ow) max_window(p, g, oh, ow, yr + ow, ar + ow);
    }
  });
}

void AvgPoolForward(const float* x, float* y, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  const auto columns = vector_columns(g, OW);  // (no structured binding: clang 14 cannot capture one)
  const int64_t lo = columns.first, hi = columns.second;
  parallel_for(g.N * g.C, [&](int64_t nc) {
    const D d;
    const float* p = x + nc * g.H * g.W;
    for (int64_t oh = 0; oh < OH; ++oh) {
      float* yr = y + (nc * OH + oh) * OW;
      int64_t ow = 0;
      for (; ow < lo; ++ow) yr[ow] = avg_window(p, g, oh, ow);
      const Window win = window(g, oh, lo);  // every vector column has this divisor (full width)
      const V divisor = hn::Set(d, win.divisor);
      for (; ow < hi && vector_fits(g, ow); ow += kL) {
        const int64_t w0 = ow * g.stride_w - g.pad_w;
        V s = hn::Zero(d);
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t kw = 0; kw < g.KW; ++kw) s = hn::Add(s, load_strided(d, p + ih * g.W + w0 + kw, g.stride_w));
        hn::StoreU(hn::Div(s, divisor), d, yr + ow);
      }
      for (; ow < OW; ++ow) yr[ow] = avg_window(p, g, oh, ow);
    }
  });
}

void GlobalAvgForward(const float* x, float* y, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const D d;
    const float* p = x + i * HW;
    V acc = hn::Zero(d);
    int64_t j = 0;
    for (; j + kL <= HW; j += kL) acc = hn::Add(acc, hn::LoadU(d, p + j));
    float s = hn::GetLane(hn::SumOfLanes(d, acc));
    for (; j < HW; ++j) s += p[j];
    y[i] = s / static_cast<float>(HW);
  }, 64);
}

// The maximum a vector at a time (NaN tracked apart: vector max instructions differ on NaN),
// then the first index holding it (or the first NaN).
void GlobalMaxForward(const float* x, float* y, int32_t* argmax, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const D d;
    const float* p = x + i * HW;
    V m = hn::Set(d, kMinusInf);
    auto nan = hn::Lt(m, m);  // all false
    int64_t j = 0;
    for (; j + kL <= HW; j += kL) {
      const V v = hn::LoadU(d, p + j);
      nan = hn::Or(nan, hn::IsNaN(v));
      m = hn::Max(m, v);
    }
    float best = hn::GetLane(hn::MaxOfLanes(d, m));
    bool has_nan = !hn::AllFalse(d, nan);
    for (; j < HW; ++j) {
      has_nan = has_nan || nan_bits(p[j]);
      best = std::max(best, p[j]);
    }
    // The first tap holding the maximum (or the first NaN), found scalar: a few steps past it.
    // Bounded, with the naive twin's rule as the last word: Highway 1.0.3's EMU128 MaxOfLanes
    // starts from the lowest finite float, so on a row of -inf it returned -FLT_MAX, which no tap
    // holds, and the search ran off the row (a SIGSEGV in the clang TSan build's scalar target,
    // where "scalar" is EMU128; gcc's is HWY_SCALAR). NaN tested on the bits.
    has_nan = has_nan || nan_bits(best);
    int32_t at = -1;
    for (int64_t k = 0; k < HW && at < 0; ++k)
      if (has_nan ? nan_bits(p[k]) : p[k] == best) at = static_cast<int32_t>(k);
    if (at < 0 && HW > 0) {
      at = 0;
      for (int64_t k = 1; k < HW && !nan_bits(p[at]); ++k)
        if (nan_bits(p[k]) || p[k] > p[at]) at = static_cast<int32_t>(k);
    }
    best = at < 0 ? kMinusInf : p[at];
    y[i] = best;
    argmax[i] = at;
  }, 64);
}

}  // namespace excite::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite {

namespace {

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

}  // namespace

HWY_EXPORT(MaxPoolForward);
HWY_EXPORT(AvgPoolForward);
HWY_EXPORT(GlobalAvgForward);
HWY_EXPORT(GlobalMaxForward);

void max_pool2d_forward(const float* x, float* y, int32_t* argmax, const PoolGeometry& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(MaxPoolForward)(x, y, argmax, g);
}

void max_pool2d_backward(const float* dy, const int32_t* argmax, float* dx, const PoolGeometry& g) {
  const int64_t P = g.OH() * g.OW(), HW = g.H * g.W;
  parallel_for(g.N * g.C, [&](int64_t nc) {
    float* q = dx + nc * HW;
    std::fill(q, q + HW, 0.f);
    for (int64_t i = 0; i < P; ++i)
      if (argmax[nc * P + i] >= 0) q[argmax[nc * P + i]] += dy[nc * P + i];
  });
}

void avg_pool2d_forward(const float* x, float* y, const PoolGeometry& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(AvgPoolForward)(x, y, g);
}

void avg_pool2d_backward(const float* dy, float* dx, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  parallel_for(g.N * g.C, [&](int64_t nc) {
    float* q = dx + nc * g.H * g.W;
    std::fill(q, q + g.H * g.W, 0.f);
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t h0 = oh * g.stride_h - g.pad_h, w0 = ow * g.stride_w - g.pad_w;
        const int64_t h1 = std::min(h0 + g.KH, g.H + g.pad_h), w1 = std::min(w0 + g.KW, g.W + g.pad_w);
        const int64_t ch0 = std::max<int64_t>(h0, 0), ch1 = std::min(h1, g.H);
        const int64_t cw0 = std::max<int64_t>(w0, 0), cw1 = std::min(w1, g.W);
        const float divisor =
            static_cast<float>(g.count_include_pad ? (h1 - h0) * (w1 - w0) : (ch1 - ch0) * (cw1 - cw0));
        const float d = dy[(nc * OH + oh) * OW + ow] / divisor;
        for (int64_t ih = ch0; ih < ch1; ++ih)
          for (int64_t iw = cw0; iw < cw1; ++iw) q[ih * g.W + iw] += d;
      }
  });
}

void global_avg_pool_forward(const float* x, float* y, int64_t NC, int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(GlobalAvgForward)(x, y, NC, HW);
}

void global_max_pool_forward(const float* x, float* y, int32_t* argmax, int64_t NC, int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(GlobalMaxForward)(x, y, argmax, NC, HW);
}

void global_max_pool_backward(const float* dy, const int32_t* argmax, float* dx, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    std::fill(dx + i * HW, dx + (i + 1) * HW, 0.f);
    if (argmax[i] >= 0) dx[i * HW + argmax[i]] = dy[i];
  }, 64);
}

// --- naive twin: every tap of the padded window, checked against the input bounds ---

void max_pool2d_forward_naive(const float* x, float* y, int32_t* argmax, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        float best = kMinusInf;
        int32_t at = -1;
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_h + kh, iw = ow * g.stride_w - g.pad_w + kw;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;  // padding: -inf, never the max
            const float v = x[(nc * g.H + ih) * g.W + iw];
            if (at < 0 || v > best || (std::isnan(v) && !std::isnan(best))) {
              best = v;
              at = static_cast<int32_t>(ih * g.W + iw);
            }
          }
        y[(nc * OH + oh) * OW + ow] = best;
        argmax[(nc * OH + oh) * OW + ow] = at;
      }
}

void max_pool2d_backward_naive(const float* dy, const int32_t* argmax, float* dx, const PoolGeometry& g) {
  const int64_t P = g.OH() * g.OW(), HW = g.H * g.W;
  std::fill(dx, dx + g.N * g.C * HW, 0.f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t i = 0; i < P; ++i) dx[nc * HW + argmax[nc * P + i]] += dy[nc * P + i];
}

void avg_pool2d_forward_naive(const float* x, float* y, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double s = 0.0;
        int64_t real = 0, padded = 0;
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_h + kh, iw = ow * g.stride_w - g.pad_w + kw;
            if (ih >= g.H + g.pad_h || iw >= g.W + g.pad_w) continue;  // beyond the padding: not counted
            ++padded;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            ++real;
            s += x[(nc * g.H + ih) * g.W + iw];
          }
        y[(nc * OH + oh) * OW + ow] = static_cast<float>(s / static_cast<double>(g.count_include_pad ? padded : real));
      }
}

void avg_pool2d_backward_naive(const float* dy, float* dx, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  std::fill(dx, dx + g.N * g.C * g.H * g.W, 0.f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t real = 0, padded = 0;
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_h + kh, iw = ow * g.stride_w - g.pad_w + kw;
            if (ih >= g.H + g.pad_h || iw >= g.W + g.pad_w) continue;
            ++padded;
            real += (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W);
          }
        const float d = dy[(nc * OH + oh) * OW + ow] / static_cast<float>(g.count_include_pad ? padded : real);
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_h + kh, iw = ow * g.stride_w - g.pad_w + kw;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            dx[(nc * g.H + ih) * g.W + iw] += d;
          }
      }
}

}  // namespace excite
#endif  // HWY_ONCE
