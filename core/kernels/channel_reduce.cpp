// core/kernels/channel_reduce.cpp — channel mean/max maps and the spatial scale (see the header
// for the formulas), fast and naive.
//
// The fast kernels cut each sample's HW pixels into blocks of kBlock and run the blocks in
// parallel; inside a block they walk the C planes one after the other, so every inner loop runs
// over contiguous pixels, a vector at a time: written once over Highway (vectors of the running
// target, isa.h). The naive twins loop pixel by pixel and channel by channel with double
// accumulators: an independent order of summation to test against.
#include "core/kernels/channel_reduce.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/channel_reduce.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>

#include "core/parallel.h"

HWY_BEFORE_NAMESPACE();
namespace excite::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<D>;
using V = hn::Vec<D>;

namespace {

constexpr int64_t kL = static_cast<int64_t>(hn::MaxLanes(D()));
constexpr int64_t kBlock = 256;  // pixels per parallel task: 1 KB per plane row, fits L1 across a few planes

// Calls fn(n, j0, j1) for every sample n and block [j0, j1) of its pixels, in parallel.
template <typename Fn>
void for_pixel_blocks(const ChannelPlanes& g, Fn&& fn) {
  const int64_t blocks = (g.HW + kBlock - 1) / kBlock;
  parallel_for(g.N * blocks, [&](int64_t t) {
    const int64_t n = t / blocks, j0 = (t % blocks) * kBlock, j1 = std::min(j0 + kBlock, g.HW);
    fn(n, j0, j1);
  }, 4);
}

// Runs f(d, j) over [j0, j1): whole vectors with a full tag, then the tail one lane at a time.
template <typename F>
void over(int64_t j0, int64_t j1, F&& f) {
  const D d;
  const hn::CappedTag<float, 1> d1;
  int64_t j = j0;
  for (; j + kL <= j1; j += kL) f(d, j);
  for (; j < j1; ++j) f(d1, j);
}

// v beats best: greater, or NaN over a non-NaN (the first NaN stays). v equals the maximum m.
template <class DD, class VV>
auto beats(DD, VV v, VV best) {
  return hn::Or(hn::Gt(v, best), hn::AndNot(hn::IsNaN(best), hn::IsNaN(v)));
}
template <class DD, class VV>
auto same_max(DD, VV v, VV m) {
  return hn::Or(hn::Eq(v, m), hn::And(hn::IsNaN(v), hn::IsNaN(m)));
}

}  // namespace

void MeanForward(const float* x, float* m, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    float* out = m + n * g.HW;
    const float* xn = x + n * g.C * g.HW;
    over(j0, j1, [&](auto d, int64_t j) {
      auto s = hn::LoadU(d, xn + j);
      for (int64_t c = 1; c < g.C; ++c) s = hn::Add(s, hn::LoadU(d, xn + c * g.HW + j));
      hn::StoreU(hn::Div(s, hn::Set(d, static_cast<float>(g.C))), d, out + j);
    });
  });
}

void MeanBackward(const float* dm, float* dx, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    const float* dn = dm + n * g.HW;
    for (int64_t c = 0; c < g.C; ++c) {
      float* q = dx + (n * g.C + c) * g.HW;
      over(j0, j1, [&](auto d, int64_t j) {
        hn::StoreU(hn::Div(hn::LoadU(d, dn + j), hn::Set(d, static_cast<float>(g.C))), d, q + j);
      });
    }
  });
}

void MaxForward(const float* x, float* m, int32_t* argmax, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    float* out = m + n * g.HW;
    int32_t* at = argmax + n * g.HW;
    const float* xn = x + n * g.C * g.HW;
    over(j0, j1, [&](auto d, int64_t j) {
      const hn::RebindToSigned<decltype(d)> di;
      auto best = hn::LoadU(d, xn + j);
      auto arg = hn::Zero(di);
      for (int64_t c = 1; c < g.C; ++c) {
        const auto v = hn::LoadU(d, xn + c * g.HW + j);
        const auto take = beats(d, v, best);
        best = hn::IfThenElse(take, v, best);
        arg = hn::IfThenElse(hn::RebindMask(di, take), hn::Set(di, static_cast<int32_t>(c)), arg);
      }
      hn::StoreU(best, d, out + j);
      hn::StoreU(arg, di, at + j);
    });
  });
}

void MaxBackwardFirst(const float* dm, const int32_t* argmax, float* dx, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    const float* dn = dm + n * g.HW;
    const int32_t* at = argmax + n * g.HW;
    for (int64_t c = 0; c < g.C; ++c) {
      float* q = dx + (n * g.C + c) * g.HW;
      over(j0, j1, [&](auto d, int64_t j) {
        const hn::RebindToSigned<decltype(d)> di;
        const auto mine = hn::RebindMask(d, hn::Eq(hn::LoadU(di, at + j), hn::Set(di, static_cast<int32_t>(c))));
        hn::StoreU(hn::IfThenElseZero(mine, hn::LoadU(d, dn + j)), d, q + j);
      });
    }
  });
}

void MaxBackwardSplit(const float* dm, const float* x, const float* m, float* dx, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    HWY_ALIGN float share[kBlock];  // dm / (number of channels equal to the maximum)
    const float* dn = dm + n * g.HW;
    const float* mn = m + n * g.HW;
    const float* xn = x + n * g.C * g.HW;
    over(j0, j1, [&](auto d, int64_t j) {
      const auto mj = hn::LoadU(d, mn + j);
      auto ties = hn::Zero(d);
      for (int64_t c = 0; c < g.C; ++c)
        ties = hn::Add(ties, hn::IfThenElseZero(same_max(d, hn::LoadU(d, xn + c * g.HW + j), mj), hn::Set(d, 1.f)));
      hn::StoreU(hn::Div(hn::LoadU(d, dn + j), ties), d, share + (j - j0));
    });
    for (int64_t c = 0; c < g.C; ++c) {
      float* q = dx + (n * g.C + c) * g.HW;
      const float* p = xn + c * g.HW;
      over(j0, j1, [&](auto d, int64_t j) {
        const auto keep = same_max(d, hn::LoadU(d, p + j), hn::LoadU(d, mn + j));
        hn::StoreU(hn::IfThenElseZero(keep, hn::LoadU(d, share + (j - j0))), d, q + j);
      });
    }
  });
}

void ScaleForward(const float* x, const float* s, float* y, const ChannelPlanes& g) {
  parallel_for(g.N * g.C, [&](int64_t nc) {
    const float* p = x + nc * g.HW;
    const float* sn = s + (nc / g.C) * g.HW;
    float* q = y + nc * g.HW;
    over(0, g.HW, [&](auto d, int64_t j) { hn::StoreU(hn::Mul(hn::LoadU(d, p + j), hn::LoadU(d, sn + j)), d, q + j); });
  }, 16);
}

void ScaleBackward(const float* dy, const float* x, const float* s, float* dx, float* ds, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    const float* sn = s + n * g.HW;
    float* dsn = ds ? ds + n * g.HW : nullptr;
    if (dsn) std::fill(dsn + j0, dsn + j1, 0.f);
    for (int64_t c = 0; c < g.C; ++c) {
      const int64_t at = (n * g.C + c) * g.HW;
      const float* gy = dy + at;
      const float* p = x + at;
      over(j0, j1, [&](auto d, int64_t j) {
        const auto gv = hn::LoadU(d, gy + j);
        if (dx) hn::StoreU(hn::Mul(gv, hn::LoadU(d, sn + j)), d, dx + at + j);
        if (dsn) hn::StoreU(hn::MulAdd(gv, hn::LoadU(d, p + j), hn::LoadU(d, dsn + j)), d, dsn + j);
      });
    }
  });
}

}  // namespace excite::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite {

HWY_EXPORT(MeanForward);
HWY_EXPORT(MeanBackward);
HWY_EXPORT(MaxForward);
HWY_EXPORT(MaxBackwardFirst);
HWY_EXPORT(MaxBackwardSplit);
HWY_EXPORT(ScaleForward);
HWY_EXPORT(ScaleBackward);

void channel_mean_forward(const float* x, float* m, const ChannelPlanes& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(MeanForward)(x, m, g);
}
void channel_mean_backward(const float* dm, float* dx, const ChannelPlanes& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(MeanBackward)(dm, dx, g);
}
void channel_max_forward(const float* x, float* m, int32_t* argmax, const ChannelPlanes& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(MaxForward)(x, m, argmax, g);
}
void channel_max_backward_first(const float* dm, const int32_t* argmax, float* dx, const ChannelPlanes& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(MaxBackwardFirst)(dm, argmax, dx, g);
}
void channel_max_backward_split(const float* dm, const float* x, const float* m, float* dx, const ChannelPlanes& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(MaxBackwardSplit)(dm, x, m, dx, g);
}
void spatial_scale_forward(const float* x, const float* s, float* y, const ChannelPlanes& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ScaleForward)(x, s, y, g);
}
void spatial_scale_backward(const float* dy, const float* x, const float* s, float* dx, float* ds,
                            const ChannelPlanes& g) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ScaleBackward)(dy, x, s, dx, ds, g);
}

namespace {

inline bool beats(float v, float best) { return v > best || (std::isnan(v) && !std::isnan(best)); }
inline bool same_max(float v, float m) { return v == m || (std::isnan(v) && std::isnan(m)); }

}  // namespace

// --- naive twins: one output at a time, strided across the channels ---

void channel_mean_forward_naive(const float* x, float* m, const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) {
      double s = 0.0;
      for (int64_t c = 0; c < g.C; ++c) s += x[(n * g.C + c) * g.HW + j];
      m[n * g.HW + j] = static_cast<float>(s / static_cast<double>(g.C));
    }
}

void channel_mean_backward_naive(const float* dm, float* dx, const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t j = 0; j < g.HW; ++j)
        dx[(n * g.C + c) * g.HW + j] = static_cast<float>(double(dm[n * g.HW + j]) / static_cast<double>(g.C));
}

void channel_max_forward_naive(const float* x, float* m, int32_t* argmax, const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) {
      int32_t at = 0;
      for (int64_t c = 1; c < g.C; ++c)
        if (beats(x[(n * g.C + c) * g.HW + j], x[(n * g.C + at) * g.HW + j])) at = static_cast<int32_t>(c);
      m[n * g.HW + j] = x[(n * g.C + at) * g.HW + j];
      argmax[n * g.HW + j] = at;
    }
}

void channel_max_backward_first_naive(const float* dm, const int32_t* argmax, float* dx, const ChannelPlanes& g) {
  std::fill(dx, dx + g.N * g.C * g.HW, 0.f);
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) dx[(n * g.C + argmax[n * g.HW + j]) * g.HW + j] = dm[n * g.HW + j];
}

void channel_max_backward_split_naive(const float* dm, const float* x, const float* m, float* dx,
                                      const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) {
      int64_t ties = 0;
      for (int64_t c = 0; c < g.C; ++c) ties += same_max(x[(n * g.C + c) * g.HW + j], m[n * g.HW + j]);
      for (int64_t c = 0; c < g.C; ++c) {
        const int64_t i = (n * g.C + c) * g.HW + j;
        dx[i] = same_max(x[i], m[n * g.HW + j]) ? dm[n * g.HW + j] / static_cast<float>(ties) : 0.f;
      }
    }
}

void spatial_scale_forward_naive(const float* x, const float* s, float* y, const ChannelPlanes& g) {
  for (int64_t i = 0; i < g.N * g.C * g.HW; ++i) {
    const int64_t n = i / (g.C * g.HW), j = i % g.HW;
    y[i] = x[i] * s[n * g.HW + j];
  }
}

void spatial_scale_backward_naive(const float* dy, const float* x, const float* s, float* dx, float* ds,
                                  const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) {
      double acc = 0.0;
      for (int64_t c = 0; c < g.C; ++c) {
        const int64_t i = (n * g.C + c) * g.HW + j;
        if (dx) dx[i] = dy[i] * s[n * g.HW + j];
        acc += double(dy[i]) * x[i];
      }
      if (ds) ds[n * g.HW + j] = static_cast<float>(acc);
    }
}

}  // namespace excite
#endif  // HWY_ONCE
