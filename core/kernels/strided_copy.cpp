// core/kernels/strided_copy.cpp — stride-2 gather and scatter-add (see strided_copy.h), one
// source over Highway for every target.
#include "core/kernels/strided_copy.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/strided_copy.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace excite::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;

// Whole vectors while their 2L floats fit the room and their L outputs the n, then one at a time.
void GatherEven(const float* in, float* out, int64_t n, int64_t room) {
  int64_t i = 0;
#if HWY_TARGET != HWY_SCALAR  // (one lane: no halves to concatenate)
  const hn::ScalableTag<float> d;
  constexpr int64_t L = static_cast<int64_t>(hn::MaxLanes(d));
  for (; i + L <= n && 2 * i + 2 * L <= room; i += L) {
    const auto a = hn::LoadU(d, in + 2 * i), b = hn::LoadU(d, in + 2 * i + L);
    hn::StoreU(hn::ConcatEven(d, b, a), d, out + i);
  }
#else
  (void)room;
#endif
  for (; i < n; ++i) out[i] = in[2 * i];
}

// r's lanes 0 .. L/2-1 go to the even lanes of io's first vector, L/2 .. L-1 to the second's.
void ScatterAddEven(const float* r, float* io, int64_t n, int64_t room) {
  int64_t i = 0;
#if HWY_TARGET != HWY_SCALAR
  const hn::ScalableTag<float> d;
  constexpr int64_t L = static_cast<int64_t>(hn::MaxLanes(d));
  HWY_ALIGN int32_t lo_idx[L], hi_idx[L];
  HWY_ALIGN float even[L];
  for (int64_t j = 0; j < L; ++j) {
    lo_idx[j] = static_cast<int32_t>(j / 2);
    hi_idx[j] = static_cast<int32_t>(L / 2 + j / 2);
    even[j] = j % 2 == 0 ? 1.f : 0.f;
  }
  const auto lo = hn::SetTableIndices(d, lo_idx), hi = hn::SetTableIndices(d, hi_idx);
  const auto keep = hn::Ne(hn::Load(d, even), hn::Zero(d));
  for (; i + L <= n && 2 * i + 2 * L <= room; i += L) {
    const auto v = hn::LoadU(d, r + i);
    float* a = io + 2 * i;
    float* b = io + 2 * i + L;
    hn::StoreU(hn::Add(hn::LoadU(d, a), hn::IfThenElseZero(keep, hn::TableLookupLanes(v, lo))), d, a);
    hn::StoreU(hn::Add(hn::LoadU(d, b), hn::IfThenElseZero(keep, hn::TableLookupLanes(v, hi))), d, b);
  }
#else
  (void)room;
#endif
  for (; i < n; ++i) io[2 * i] += r[i];
}

// Whole vectors of pairs (StoreInterleaved2: even and odd lanes woven), then the tail one by one.
void InterleavePair(const float* even, const float* odd, float* out, int64_t n_even, int64_t n_odd) {
  int64_t i = 0;
#if HWY_TARGET != HWY_SCALAR
  const hn::ScalableTag<float> d;
  constexpr int64_t L = static_cast<int64_t>(hn::MaxLanes(d));
  const auto zero = hn::Zero(d);
  for (; i + L <= n_odd; i += L)
    hn::StoreInterleaved2(even ? hn::LoadU(d, even + i) : zero, odd ? hn::LoadU(d, odd + i) : zero, d,
                          out + 2 * i);
#endif
  for (; i < n_even; ++i) {
    out[2 * i] = even ? even[i] : 0.f;
    if (i < n_odd) out[2 * i + 1] = odd ? odd[i] : 0.f;
  }
}

}  // namespace excite::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite {

HWY_EXPORT(GatherEven);
HWY_EXPORT(ScatterAddEven);
HWY_EXPORT(InterleavePair);

void gather_even(const float* in, float* out, int64_t n, int64_t room) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(GatherEven)(in, out, n, room);
}

void scatter_add_even(const float* r, float* io, int64_t n, int64_t room) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ScatterAddEven)(r, io, n, room);
}

void interleave_pair(const float* even, const float* odd, float* out, int64_t n_even, int64_t n_odd) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(InterleavePair)(even, odd, out, n_even, n_odd);
}

void interleave_pair_naive(const float* even, const float* odd, float* out, int64_t n_even, int64_t n_odd) {
  for (int64_t i = 0; i < n_even; ++i) out[2 * i] = even ? even[i] : 0.f;
  for (int64_t i = 0; i < n_odd; ++i) out[2 * i + 1] = odd ? odd[i] : 0.f;
}

void gather_even_naive(const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = in[2 * i];
}

void scatter_add_even_naive(const float* r, float* io, int64_t n) {
  for (int64_t i = 0; i < n; ++i) io[2 * i] += r[i];
}

}  // namespace excite
#endif  // HWY_ONCE
