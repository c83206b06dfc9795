// core/kernels/conv_tiles.cpp — the AVX-512 register tiles (see conv_tiles.h, and
// conv_avx512.cpp for why and how they are used).
#include "core/kernels/conv_tiles.h"

#if defined(__AVX512F__)

#include <immintrin.h>

#include <algorithm>

namespace excite::conv_tiles {

namespace {

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// out[i] = in[2 i] for i < n, 16 at a time (two loads, one permutation), masked at the end so
// nothing past in[2 (n - 1)] is read.
void gather_even(const float* in, float* out, int64_t n) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  for (int64_t i = 0; i < n; i += kLanes) {
    const int64_t m = std::min<int64_t>(kLanes, n - i), span = 2 * m - 1;  // inputs needed
    const __mmask16 ma = static_cast<__mmask16>(span >= 16 ? 0xFFFF : (1u << span) - 1);
    const __mmask16 mb = static_cast<__mmask16>(span > 16 ? (1u << (span - 16)) - 1 : 0);
    const __m512 a = _mm512_maskz_loadu_ps(ma, in + 2 * i), b = _mm512_maskz_loadu_ps(mb, in + 2 * i + 16);
    _mm512_mask_storeu_ps(out + i, static_cast<__mmask16>((1u << m) - 1), _mm512_permutex2var_ps(a, even, b));
  }
}

// Sum of the 16 lanes. (GCC 12's intrinsic headers trip -Wuninitialized on their own
// _mm512_undefined_ps() placeholders here; the warning is about the header, not this code.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
inline float lane_sum(__m512 v) { return _mm512_reduce_add_ps(v); }
#pragma GCC diagnostic pop

// y[MR rows, tile] (+)= w x over all Cin channels and taps; wp is [Cin*KK][MR].
template <int MR, int NV>
void forward_tile(const float* x, int64_t Cin, const float* wp, const float* bias, float* y, const Plan& pl,
                  int64_t v0) {
  const int64_t P = pl.P, KK = pl.KK;
  const int64_t* off = pl.off.data();
  const uint16_t* mk = pl.mask.data() + v0 * KK;
  __m512 acc[MR][NV];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    const __m512 init = bias ? _mm512_set1_ps(bias[r]) : _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) acc[r][j] = init;
  }
  for (int64_t c = 0; c < Cin; ++c) {
    const float* xc = x + c * pl.in_stride + v0 * kLanes;
    const float* wc = wp + c * KK * MR;
    for (int64_t k = 0; k < KK; ++k) {
      const float* src = xc + off[k];  // may point before/after the plane: those lanes are masked
      __m512 b[NV];
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) b[j] = _mm512_maskz_loadu_ps(mk[j * KK + k], src + j * kLanes);
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) {
        const __m512 a = _mm512_set1_ps(wc[k * MR + r]);
#pragma GCC unroll 8
        for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_fmadd_ps(a, b[j], acc[r][j]);
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j)
      _mm512_mask_storeu_ps(y + r * P + (v0 + j) * kLanes, pl.inside[v0 + j], acc[r][j]);
}

using ForwardTileFn = void (*)(const float*, int64_t, const float*, const float*, float*, const Plan&, int64_t);

template <int MR>
ForwardTileFn forward_tile_for(int nv) {
  if constexpr (MR <= 6) {
    if (nv == 4) return forward_tile<MR, 4>;
  }
  return nv == 1 ? forward_tile<MR, 1> : nv == 2 ? forward_tile<MR, 2> : forward_tile<MR, 3>;
}

ForwardTileFn forward_tile_fn(int64_t mr, int nv) {
  switch (mr) {
    case 1: return forward_tile_for<1>(nv);
    case 2: return forward_tile_for<2>(nv);
    case 3: return forward_tile_for<3>(nv);
    case 4: return forward_tile_for<4>(nv);
    case 5: return forward_tile_for<5>(nv);
    case 6: return forward_tile_for<6>(nv);
    case 7: return forward_tile_for<7>(nv);
    default: return forward_tile_for<8>(nv);
  }
}

// dw[MR rows, KR columns] += sum over S samples and all positions of dy[row] x[column's shift].
template <int MR, int KR>
void weight_block(const float* dy, int64_t dy_stride, const float* x, int64_t x_stride, int64_t S, const Plan& pl,
                  const int64_t* xoff, const int64_t* tap, float* dw, int64_t ldw) {
  const int64_t P = pl.P, KK = pl.KK, Pv = pl.Pv;
  const uint16_t* masks = pl.mask.data();
  const uint16_t* inside = pl.inside.data();
  __m512 acc[MR][KR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
    for (int k = 0; k < KR; ++k) acc[r][k] = _mm512_setzero_ps();
  for (int64_t s = 0; s < S; ++s) {
    const float* d = dy + s * dy_stride;
    const float* xs = x + s * x_stride;
    for (int64_t v = 0; v < Pv; ++v) {
      const __mmask16 in = inside[v];
      __m512 dv[MR];
      if (in == 0xFFFF) {  // plain loads where the whole vector is inside (masked ones cost more)
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) dv[r] = _mm512_loadu_ps(d + r * P + v * kLanes);
      } else {
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) dv[r] = _mm512_maskz_loadu_ps(in, d + r * P + v * kLanes);
      }
      const uint16_t* mk = masks + v * KK;
#pragma GCC unroll 8
      for (int k = 0; k < KR; ++k) {
        const __m512 xv = _mm512_maskz_loadu_ps(mk[tap[k]], xs + xoff[k] + v * kLanes);
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) acc[r][k] = _mm512_fmadd_ps(dv[r], xv, acc[r][k]);
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
    for (int k = 0; k < KR; ++k) dw[r * ldw + k] += lane_sum(acc[r][k]);
}

template <int MR>
WeightBlockFn weight_block_for(int64_t kr) {
  switch (kr) {
    case 1: return weight_block<MR, 1>;
    case 2: return weight_block<MR, 2>;
    case 3: return weight_block<MR, 3>;
    case 4: return weight_block<MR, 4>;
    case 5: return weight_block<MR, 5>;
    default: return weight_block<MR, 6>;
  }
}

// dwT rows (c0.. c0+CH channels) x (NV oc vectors from ov) += over every output position.
template <int CH, int NV>
void weight_grad_3x3_block(const float* xpad, int64_t H, int64_t W, const float* dyT, int64_t OCp, int64_t c0,
                           int64_t ov, float* dwT) {
  const int64_t Wp = W + 2, plane = (H + 2) * Wp;
  __m512 acc[CH * 9][NV];
#pragma GCC unroll 32
  for (int r = 0; r < CH * 9; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_setzero_ps();
  for (int64_t oh = 0; oh < H; ++oh) {
    const float* d = dyT + oh * W * OCp + ov * kLanes;
    const float* xrow = xpad + (c0 * plane) + oh * Wp;
    for (int64_t ow = 0; ow < W; ++ow, d += OCp, ++xrow) {
      __m512 dv[NV];
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) dv[j] = _mm512_loadu_ps(d + j * kLanes);
#pragma GCC unroll 4
      for (int ch = 0; ch < CH; ++ch)
#pragma GCC unroll 3
        for (int kh = 0; kh < 3; ++kh)
#pragma GCC unroll 3
          for (int kw = 0; kw < 3; ++kw) {
            const __m512 a = _mm512_set1_ps(xrow[ch * plane + kh * Wp + kw]);
#pragma GCC unroll 4
            for (int j = 0; j < NV; ++j)
              acc[ch * 9 + kh * 3 + kw][j] = _mm512_fmadd_ps(a, dv[j], acc[ch * 9 + kh * 3 + kw][j]);
          }
    }
  }
#pragma GCC unroll 32
  for (int r = 0; r < CH * 9; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      float* o = dwT + (c0 * 9 + r) * OCp + (ov + j) * kLanes;
      _mm512_storeu_ps(o, _mm512_add_ps(_mm512_loadu_ps(o), acc[r][j]));
    }
}

}  // namespace

bool tap_friendly(const ConvGeometry& g) { return g.OW() == (g.W + g.stride_w - 1) / g.stride_w; }
bool strided(const ConvGeometry& g) { return g.stride_h != 1 || g.stride_w != 1; }

// Input row oh*sh + kh*dh - ph = sh * (oh + qh) + rh with 0 <= rh < sh: tap (kh, kw) reads phase
// plane (rh, rw) at row oh + qh, column ow + qw, i.e. at position p + qh*Ws + qw of that plane.
Plan make_plan(const ConvGeometry& g) {
  Plan pl;
  const int64_t OH = g.OH(), OW = g.OW();
  pl.P = OH * OW;
  pl.Pv = (pl.P + kLanes - 1) / kLanes;
  pl.KK = g.KH * g.KW;
  pl.Hs = (g.H + g.stride_h - 1) / g.stride_h;
  pl.Ws = (g.W + g.stride_w - 1) / g.stride_w;
  for (int64_t kh = 0; kh < g.KH; ++kh)
    for (int64_t kw = 0; kw < g.KW; ++kw) {
      const int64_t dh = kh * g.dilation_h - g.pad_h, dw = kw * g.dilation_w - g.pad_w;
      const int64_t qh = floor_div(dh, g.stride_h), qw = floor_div(dw, g.stride_w);
      const std::pair<int64_t, int64_t> phase{dh - qh * g.stride_h, dw - qw * g.stride_w};
      auto it = std::find(pl.phases.begin(), pl.phases.end(), phase);
      if (it == pl.phases.end()) it = pl.phases.insert(pl.phases.end(), phase);
      pl.off.push_back((it - pl.phases.begin()) * pl.Hs * pl.Ws + qh * pl.Ws + qw);
    }
  pl.in_stride = static_cast<int64_t>(pl.phases.size()) * pl.Hs * pl.Ws;
  pl.mask.assign(static_cast<size_t>(pl.Pv * pl.KK), 0);
  pl.inside.assign(static_cast<size_t>(pl.Pv), 0);
  for (int64_t p = 0; p < pl.P; ++p) {
    const int64_t oh = p / OW, ow = p % OW, v = p / kLanes;
    const uint16_t bit = static_cast<uint16_t>(1u << (p % kLanes));
    pl.inside[v] |= bit;
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const int64_t ih = oh * g.stride_h + kh * g.dilation_h - g.pad_h;
        const int64_t iw = ow * g.stride_w + kw * g.dilation_w - g.pad_w;
        if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) pl.mask[v * pl.KK + kh * g.KW + kw] |= bit;
      }
  }
  // Register tiles: 6 rows x 4 vectors when the vectors split into fours (8x8 and 16x16 planes:
  // 3-vector tiles would leave 2-vector ones, short of accumulators), else 8 rows x 3 vectors
  // (a remainder of 4 as 2 + 2 rather than 3 + 1). Both keep 24 zmm accumulators.
  const int per_tile = pl.Pv % 4 == 0 ? 4 : 3;
  pl.block_rows = per_tile == 4 ? 6 : 8;
  for (int64_t v = 0; v < pl.Pv;) {
    const int64_t left = pl.Pv - v;
    const int nv = per_tile == 3 && left == 4 ? 2 : static_cast<int>(std::min<int64_t>(per_tile, left));
    pl.tiles.emplace_back(v, nv);
    v += nv;
  }
  return pl;
}

// x [Cg, H, W] -> [Cg][phase][Hs][Ws]: plane (rh, rw) holds x[i*sh + rh, j*sw + rw], 0 past the
// input's edge. One pass over x, where im2col would write KH*KW / (sh*sw) times as much.
void phase_split(const float* x, const ConvGeometry& g, const Plan& pl, float* out) {
  for (int64_t c = 0; c < g.Cg(); ++c)
    for (size_t ph = 0; ph < pl.phases.size(); ++ph) {
      const auto [rh, rw] = pl.phases[ph];
      const int64_t n = std::clamp<int64_t>((g.W - rw + g.stride_w - 1) / g.stride_w, 0, pl.Ws);
      for (int64_t i = 0; i < pl.Hs; ++i) {
        float* o = out + ((c * static_cast<int64_t>(pl.phases.size()) + ph) * pl.Hs + i) * pl.Ws;
        const int64_t ih = i * g.stride_h + rh;
        if (ih >= g.H) {
          std::fill(o, o + pl.Ws, 0.f);
          continue;
        }
        const float* in = x + (c * g.H + ih) * g.W + rw;
        if (g.stride_w == 2) {
          gather_even(in, o, n);
        } else {
          for (int64_t j = 0; j < n; ++j) o[j] = in[j * g.stride_w];
        }
        std::fill(o + n, o + pl.Ws, 0.f);
      }
    }
}

// The plan of a plain product over P positions (one tap, no shift): an im2col'd sample.
Plan make_product_plan(int64_t P) { return make_plan(ConvGeometry{.H = 1, .W = P}); }

int64_t row_blocks(int64_t Cout, int64_t rows) { return (Cout + rows - 1) / rows; }
int64_t row_block_start(int64_t Cout, int64_t rows, int64_t b) { return Cout * b / row_blocks(Cout, rows); }

void pack_rows(const float* w, int64_t Cout, int64_t CinKK, int64_t rows, float* wp) {
  for (int64_t b = 0, nb = row_blocks(Cout, rows); b < nb; ++b) {
    const int64_t m0 = row_block_start(Cout, rows, b), mr = row_block_start(Cout, rows, b + 1) - m0;
    for (int64_t i = 0; i < CinKK; ++i)
      for (int64_t r = 0; r < mr; ++r) wp[m0 * CinKK + i * mr + r] = w[(m0 + r) * CinKK + i];
  }
}

// One sample and group: y [Cout, P] from x [Cin, P], tiles [t0, t1).
void forward_sample(const float* x, int64_t Cin, const float* wp, int64_t Cout, const float* bias, float* y,
                    const Plan& pl, int64_t t0, int64_t t1) {
  const int64_t CinKK = Cin * pl.KK;
  for (int64_t t = t0; t < t1; ++t) {
    const auto [v0, nv] = pl.tiles[t];
    for (int64_t b = 0, nb = row_blocks(Cout, pl.block_rows); b < nb; ++b) {
      const int64_t m0 = row_block_start(Cout, pl.block_rows, b);
      const int64_t mr = row_block_start(Cout, pl.block_rows, b + 1) - m0;
      forward_tile_fn(mr, nv)(x, Cin, wp + m0 * CinKK, bias ? bias + m0 : nullptr, y + m0 * pl.P, pl, v0);
    }
  }
}

WeightBlockFn weight_block_fn(int64_t mr, int64_t kr) {
  switch (mr) {
    case 1: return weight_block_for<1>(kr);
    case 2: return weight_block_for<2>(kr);
    case 3: return weight_block_for<3>(kr);
    case 4: return weight_block_for<4>(kr);
    case 5: return weight_block_for<5>(kr);
    case 6: return weight_block_for<6>(kr);
    case 7: return weight_block_for<7>(kr);
    default: return weight_block_for<8>(kr);
  }
}

void weight_grad_3x3(const float* xpad, int64_t Cg, int64_t H, int64_t W, const float* dyT, int64_t OCp,
                     float* dwT) {
  const int64_t OCv = OCp / kLanes;
  // Blocks of 18 accumulators: 2 channels x 9 taps x 1 oc vector, or 1 channel x 9 taps x 2.
  for (int64_t ov = 0; ov < OCv;) {
    if (OCv - ov >= 2) {
      for (int64_t c = 0; c < Cg; ++c) weight_grad_3x3_block<1, 2>(xpad, H, W, dyT, OCp, c, ov, dwT);
      ov += 2;
    } else {
      int64_t c = 0;
      for (; c + 2 <= Cg; c += 2) weight_grad_3x3_block<2, 1>(xpad, H, W, dyT, OCp, c, ov, dwT);
      if (c < Cg) weight_grad_3x3_block<1, 1>(xpad, H, W, dyT, OCp, c, ov, dwT);
      ov += 1;
    }
  }
}

void pad_border(const float* x, int64_t Cg, int64_t H, int64_t W, float* xpad) {
  const int64_t Wp = W + 2, plane = (H + 2) * Wp;
  for (int64_t c = 0; c < Cg; ++c) {
    float* o = xpad + c * plane;
    std::fill(o, o + Wp, 0.f);
    for (int64_t h = 0; h < H; ++h) {
      float* r = o + (h + 1) * Wp;
      r[0] = 0.f;
      std::copy(x + (c * H + h) * W, x + (c * H + h + 1) * W, r + 1);
      r[W + 1] = 0.f;
    }
    std::fill(o + (H + 1) * Wp, o + plane, 0.f);
  }
}

void transpose_rows(const float* dy, int64_t OCg, int64_t P, int64_t OCp, float* dyT) {
  for (int64_t p0 = 0; p0 < P; p0 += 64) {  // blocks of positions keep both sides in L1
    const int64_t p1 = std::min(P, p0 + 64);
    for (int64_t p = p0; p < p1; ++p) std::fill(dyT + p * OCp + OCg, dyT + (p + 1) * OCp, 0.f);
    for (int64_t oc = 0; oc < OCg; ++oc)
      for (int64_t p = p0; p < p1; ++p) dyT[p * OCp + oc] = dy[oc * P + p];
  }
}

}  // namespace excite::conv_tiles

#endif  // __AVX512F__
