// core/kernels/conv_stage.cpp — staging a convolution's input (see conv_stage.h): the plan, and
// the copy written once over Highway for every target.
#include "core/kernels/conv_stage.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/conv_stage.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include <algorithm>

HWY_BEFORE_NAMESPACE();
namespace excite::conv_tiles::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;

namespace {

constexpr int64_t kL = static_cast<int64_t>(hn::MaxLanes(D()));

void fill_zero(float* o, int64_t n) {
  const D d;
  int64_t i = 0;
  for (; i + kL <= n; i += kL) hn::StoreU(hn::Zero(d), d, o + i);
  for (; i < n; ++i) o[i] = 0.f;
}

void copy(const float* in, float* o, int64_t n) {
  const D d;
  int64_t i = 0;
  for (; i + kL <= n; i += kL) hn::StoreU(hn::LoadU(d, in + i), d, o + i);
  for (; i < n; ++i) o[i] = in[i];
}

// o[j] = in[2 j] for j < n, whole vectors while their loads stay within `readable` floats of in
// (a vector may write up to kL - 1 floats past o[n - 1]: the caller's zeros come after).
void gather_even_row(const float* in, float* o, int64_t n, int64_t readable) {
  int64_t j = 0;
#if HWY_TARGET != HWY_SCALAR
  const D d;
  for (; j < n && 2 * j + 2 * kL <= readable; j += kL)
    hn::StoreU(hn::ConcatEven(d, hn::LoadU(d, in + 2 * j + kL), hn::LoadU(d, in + 2 * j)), d, o + j);
#else
  (void)readable;
#endif
  for (; j < n; ++j) o[j] = in[2 * j];
}

// A stride-1 plane as wide as the input is the input shifted by row0*W + col0 floats, zero where
// the shift leaves the input and in the |col0| columns that wrapped around a row edge: one block
// copy, then a few zeros per row.
void stage_plane_shifted(const float* xc, const Stage& st, int64_t row0, int64_t col0, float* o) {
  const int64_t W = st.W, n = st.R * W, shift = row0 * W + col0;
  const int64_t f0 = std::clamp<int64_t>(-shift, 0, n), f1 = std::clamp<int64_t>(st.H * W - shift, f0, n);
  fill_zero(o, f0);
  copy(xc + f0 + shift, o + f0, f1 - f0);
  fill_zero(o + f1, n - f1);
  if (col0 == 0) return;
  const int64_t j0 = col0 < 0 ? 0 : std::max<int64_t>(W - col0, 0), j1 = col0 < 0 ? std::min(-col0, W) : W;
  for (int64_t i = f0 / W; i * W < f1; ++i) std::fill(o + i * W + j0, o + i * W + j1, 0.f);
}

// Any stride: row by row, the columns j with 0 <= j*sw + col0 < W copied and the rest zero.
void stage_plane_rows(const float* xc, const Stage& st, int64_t row0, int64_t col0, float* o) {
  const int64_t jlo = std::clamp<int64_t>(col0 < 0 ? (-col0 + st.sw - 1) / st.sw : 0, 0, st.OW);
  const int64_t jhi = std::clamp<int64_t>(col0 >= st.W ? 0 : (st.W - 1 - col0) / st.sw + 1, jlo, st.OW);
  for (int64_t i = 0; i < st.R; ++i, o += st.OW) {
    const int64_t ih = i * st.sh + row0;
    if (ih < 0 || ih >= st.H || jlo >= jhi) {
      fill_zero(o, st.OW);
      continue;
    }
    const float* in = xc + ih * st.W + jlo * st.sw + col0;
    fill_zero(o, jlo);
    if (st.sw == 1) {
      copy(in, o + jlo, jhi - jlo);
    } else if (st.sw == 2) {
      gather_even_row(in, o + jlo, jhi - jlo, st.H * st.W - (ih * st.W + jlo * st.sw + col0));
    } else {
      for (int64_t j = jlo; j < jhi; ++j) o[j] = in[(j - jlo) * st.sw];
    }
    fill_zero(o + jhi, st.OW - jhi);
  }
}

}  // namespace

void StageInput(const float* x, const Stage& st, float* staged) {
  fill_zero(staged, st.front);
  float* out = staged + st.front;
  const bool shifted = st.sh == 1 && st.sw == 1 && st.OW == st.W;
  const int64_t S = static_cast<int64_t>(st.planes.size()), plane = st.R * st.OW;
  for (int64_t c = 0; c < st.C; ++c)
    for (int64_t s = 0; s < S; ++s) {
      const auto [row0, col0] = st.planes[static_cast<size_t>(s)];
      float* o = out + (c * S + s) * plane;
      if (shifted) {
        stage_plane_shifted(x + c * st.H * st.W, st, row0, col0, o);
      } else {
        stage_plane_rows(x + c * st.H * st.W, st, row0, col0, o);
      }
    }
  fill_zero(out + st.C * st.in_stride, kSlack);
}

}  // namespace excite::conv_tiles::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite::conv_tiles {

HWY_EXPORT(StageInput);

namespace {

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

// Tap (kh, kw): kh*dh = q*sh + rh and kw*dw - pw = qw*sw + rw (0 <= rh < sh, 0 <= rw < sw). With
// every |qw| <= 1 (and a +1 shift only onto padding) the planes are the (rh, rw) phases of x, T[i][j] = x[i*sh + rh - ph][j*sw + rw],
// and a tap reads its phase at row shift q and column shift qw (masked where ow + qw leaves the
// row): 1 plane for stride 1, 4 for 3x3 stride 2. Otherwise one plane per (rh, kw), shift q only.
Stage make_stage(const ConvGeometry& g) {
  Stage st;
  st.C = g.Cg();
  st.H = g.H;
  st.W = g.W;
  st.sh = g.stride_h;
  st.sw = g.stride_w;
  st.OW = g.OW();
  const int64_t OH = g.OH(), P = OH * st.OW;
  struct Tap {
    int64_t q, rh, qw, rw, vw;
  };
  std::vector<Tap> taps;
  int64_t max_q = 0;
  bool phases = true, shifted = false;
  for (int64_t kh = 0; kh < g.KH; ++kh)
    for (int64_t kw = 0; kw < g.KW; ++kw) {
      const int64_t vh = kh * g.dilation_h, vw = kw * g.dilation_w - g.pad_w, qw = floor_div(vw, g.stride_w);
      taps.push_back({vh / g.stride_h, vh % g.stride_h, qw, vw - qw * g.stride_w, vw});
      max_q = std::max(max_q, vh / g.stride_h);
      // (-1 lands on column -sw + rw < 0 of x: padding. +1 past the plane's last column must be
      // padding too, column OW*sw + rw >= W, or the mask would drop a real input value.)
      phases = phases && qw >= -1 && qw <= 1 && (qw < 1 || st.OW * g.stride_w + (vw - qw * g.stride_w) >= g.W);
      shifted = shifted || qw != 0;
    }
  st.R = OH + max_q;
  const int64_t plane = st.R * st.OW;
  st.in_place = g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0 && g.KW == 1 && st.OW == g.W &&
                st.R == g.H && P % kSlack == 0;
  if (st.in_place) {
    st.planes = {{0, 0}};
    st.in_stride = g.H * g.W;
    for (const Tap& t : taps) st.off.push_back(t.q * st.OW);
    return st;
  }
  auto plane_of = [&](std::pair<int64_t, int64_t> origin) {
    auto it = std::find(st.planes.begin(), st.planes.end(), origin);
    if (it == st.planes.end()) it = st.planes.insert(st.planes.end(), origin);
    return static_cast<int64_t>(it - st.planes.begin());
  };
  for (const Tap& t : taps) {
    if (phases) {
      st.off.push_back(plane_of({t.rh - g.pad_h, t.rw}) * plane + t.q * st.OW + t.qw);
      st.col_code.push_back(static_cast<uint8_t>(t.qw < 0 ? 1 : t.qw > 0 ? 2 : 0));
    } else {
      st.off.push_back(plane_of({t.rh - g.pad_h, t.vw}) * plane + t.q * st.OW);
    }
  }
  st.in_stride = static_cast<int64_t>(st.planes.size()) * plane;
  if (!shifted) {
    st.col_code.clear();
    return st;
  }
  // A -1 shift reads one float before channel 0's plane: zeros in front. The masks: lanes whose
  // output column is a row's first (code 1) / last (code 2).
  st.front = kSlack;
  st.col_mask = column_masks(P, st.OW);
  return st;
}

std::vector<float> column_masks(int64_t P, int64_t OW) {
  const int64_t L = lanes(), vectors = (P + L - 1) / L;
  std::vector<float> mask(static_cast<size_t>(vectors * 2 * L), 1.f);
  for (int64_t p = 0; p < P; ++p) {
    const int64_t v = p / L, l = p % L, col = p % OW;
    mask[static_cast<size_t>((v * 2 + 0) * L + l)] = col == 0 ? 0.f : 1.f;
    mask[static_cast<size_t>((v * 2 + 1) * L + l)] = col == OW - 1 ? 0.f : 1.f;
  }
  return mask;
}

void stage_input(const float* x, const Stage& st, float* out) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(StageInput)(x, st, out);
}

void stage_input_naive(const float* x, const Stage& st, float* staged) {
  std::fill(staged, staged + st.front, 0.f);
  float* out = staged + st.front;
  const int64_t S = static_cast<int64_t>(st.planes.size());
  const int64_t in_stride = S * st.R * st.OW;
  for (int64_t c = 0; c < st.C; ++c)
    for (int64_t s = 0; s < S; ++s)
      for (int64_t i = 0; i < st.R; ++i)
        for (int64_t j = 0; j < st.OW; ++j) {
          const int64_t ih = i * st.sh + st.planes[static_cast<size_t>(s)].first;
          const int64_t iw = j * st.sw + st.planes[static_cast<size_t>(s)].second;
          const bool inside = ih >= 0 && ih < st.H && iw >= 0 && iw < st.W;
          out[((c * S + s) * st.R + i) * st.OW + j] = inside ? x[(c * st.H + ih) * st.W + iw] : 0.f;
        }
  std::fill(out + st.C * in_stride, out + st.C * in_stride + kSlack, 0.f);
}

}  // namespace excite::conv_tiles
#endif  // HWY_ONCE
