// core/kernels/conv_direct.cpp — direct convolution for stride-1 "same" convs, AVX-512.
//
// Why: im2col + sgemm spends about a third of a CIFAR conv writing the [C*KH*KW, OH*OW] column
// matrix (9x the input). Here the column matrix is never built. With stride 1 and OH, OW = H, W,
// output position p = oh*W + ow reads input position p + off(kh, kw), off = (kh*dh - ph)*W +
// (kw*dw - pw): a constant shift per tap. So column row (c, kh, kw) of im2col is just the input
// plane c read at a shift, with the lanes whose tap falls into the padding masked to 0 (the mask
// depends on the 16 positions of a vector and the tap only, so one table serves every channel and
// sample; masked-off lanes are never read, which AVX-512 guarantees even past the buffer's ends).
//
// Forward, per sample and group:  y[oc, p] = b[oc] + sum_{c, k} w[oc, c, k] x[c, p + off(k)]
//   register tile: 8 output channels x 48 positions (24 zmm accumulators), summed over all c, k.
// Backward to the input: dx[c, q] = sum_{oc, k} w[oc, c, k] dy[oc, q - off(k)]. Since the conv
//   is "same", q - off(kh, kw) = q + off(KH-1-kh, KW-1-kw): the forward kernel again, on dy, with
//   w transposed to [C, OC] and its taps flipped (and the same masks).
// Backward to the weight: dw[oc, c, k] = sum_n sum_p dy[n, oc, p] x[n, c, p + off(k)], a dot
//   product over positions: a 4 x 6 block of (oc, c*k) accumulates 16 positions per FMA over a
//   group of samples, then is reduced across lanes once.
// Threading as in conv.cpp: samples split over threads (when fewer samples than threads: tiles
// of one sample), dw summed per chunk and added in chunk order.
#include "core/kernels/conv_direct.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/blas.h"
#include "core/parallel.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace excite {

bool conv2d_direct_applies(const ConvGeometry& g) {
#if defined(__AVX512F__)
  return g.stride_h == 1 && g.stride_w == 1 && g.OH() == g.H && g.OW() == g.W && !(g.KH == 1 && g.KW == 1);
#else
  (void)g;
  return false;
#endif
}

#if defined(__AVX512F__)

namespace {

constexpr int64_t kLanes = 16;

// Offsets and lane masks of one geometry, shared by every sample, channel and pass.
struct Plan {
  int64_t P = 0, Pv = 0, KK = 0;      // positions, 16-lane vectors, kernel taps
  std::vector<int64_t> off;           // [KK] input shift of each tap
  std::vector<uint16_t> mask;         // [Pv][KK] lanes whose tap is inside the input
  std::vector<uint16_t> inside;       // [Pv] lanes < P
  std::vector<std::pair<int64_t, int>> tiles;  // (first vector, vectors) of each output tile
};

Plan make_plan(const ConvGeometry& g) {
  Plan pl;
  pl.P = g.H * g.W;
  pl.Pv = (pl.P + kLanes - 1) / kLanes;
  pl.KK = g.KH * g.KW;
  for (int64_t kh = 0; kh < g.KH; ++kh)
    for (int64_t kw = 0; kw < g.KW; ++kw)
      pl.off.push_back((kh * g.dilation_h - g.pad_h) * g.W + (kw * g.dilation_w - g.pad_w));
  pl.mask.assign(static_cast<size_t>(pl.Pv * pl.KK), 0);
  pl.inside.assign(static_cast<size_t>(pl.Pv), 0);
  for (int64_t p = 0; p < pl.P; ++p) {
    const int64_t oh = p / g.W, ow = p % g.W, v = p / kLanes;
    const uint16_t bit = static_cast<uint16_t>(1u << (p % kLanes));
    pl.inside[v] |= bit;
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const int64_t ih = oh + kh * g.dilation_h - g.pad_h, iw = ow + kw * g.dilation_w - g.pad_w;
        if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) pl.mask[v * pl.KK + kh * g.KW + kw] |= bit;
      }
  }
  // Tiles of 3 vectors; a remainder of 4 goes as 2 + 2 rather than 3 + 1.
  for (int64_t v = 0; v < pl.Pv;) {
    const int64_t left = pl.Pv - v;
    const int nv = left == 4 ? 2 : static_cast<int>(std::min<int64_t>(3, left));
    pl.tiles.emplace_back(v, nv);
    v += nv;
  }
  return pl;
}

// Sum of the 16 lanes (through memory: GCC 12's shuffle intrinsics warn under -Wall here).
float lane_sum(__m512 v) {
  alignas(64) float t[kLanes];
  _mm512_store_ps(t, v);
  float s = 0.f;
  for (float e : t) s += e;
  return s;
}

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
    const float* xc = x + c * P + v0 * kLanes;
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

// w [Cout, CinKK] -> blocks of 8 rows, each laid out [CinKK][rows] (the order the tile reads).
void pack_rows(const float* w, int64_t Cout, int64_t CinKK, float* wp) {
  for (int64_t m0 = 0; m0 < Cout; m0 += 8) {
    const int64_t mr = std::min<int64_t>(8, Cout - m0);
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
    for (int64_t m0 = 0; m0 < Cout; m0 += 8) {
      forward_tile_fn(std::min<int64_t>(8, Cout - m0), nv)(x, Cin, wp + m0 * CinKK, bias ? bias + m0 : nullptr,
                                                           y + m0 * pl.P, pl, v0);
    }
  }
}

// Calls f(n, group, first tile, end tile): whole samples per thread when there are enough of
// them, otherwise the tiles of each sample split over the threads.
template <typename F>
void over_samples_or_tiles(const ConvGeometry& g, const Plan& pl, F&& f) {
  const int64_t ntiles = static_cast<int64_t>(pl.tiles.size());
  if (g.N * g.groups >= num_threads()) {
    parallel_for(g.N * g.groups, [&](int64_t i) { f(i / g.groups, i % g.groups, 0, ntiles); });
  } else {
    for (int64_t i = 0; i < g.N * g.groups; ++i)
      parallel_for(ntiles, [&](int64_t t) { f(i / g.groups, i % g.groups, t, t + 1); });
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
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) dv[r] = _mm512_maskz_loadu_ps(in, d + r * P + v * kLanes);
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

using WeightBlockFn = void (*)(const float*, int64_t, const float*, int64_t, int64_t, const Plan&, const int64_t*,
                               const int64_t*, float*, int64_t);

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

WeightBlockFn weight_block_fn(int64_t mr, int64_t kr) {
  switch (mr) {
    case 1: return weight_block_for<1>(kr);
    case 2: return weight_block_for<2>(kr);
    case 3: return weight_block_for<3>(kr);
    default: return weight_block_for<4>(kr);
  }
}

}  // namespace

void conv2d_direct_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g) {
  const Plan pl = make_plan(g);
  const int64_t Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg();
  std::vector<float> wp(static_cast<size_t>(g.OC * Kg));
  for (int64_t gr = 0; gr < g.groups; ++gr) pack_rows(w + gr * OCg * Kg, OCg, Kg, wp.data() + gr * OCg * Kg);
  over_samples_or_tiles(g, pl, [&](int64_t n, int64_t gr, int64_t t0, int64_t t1) {
    forward_sample(x + (n * g.C + gr * Cg) * pl.P, Cg, wp.data() + gr * OCg * Kg, OCg, b ? b + gr * OCg : nullptr,
                   y + (n * g.OC + gr * OCg) * pl.P, pl, t0, t1);
  });
}

void conv2d_direct_backward(const float* dy, const float* x, const float* w, float* dx, float* dw,
                            const ConvGeometry& g) {
  const Plan pl = make_plan(g);
  const int64_t Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg(), KK = pl.KK, P = pl.P;
  if (dx) {
    // w [OCg, Cg, KK] -> wt [Cg, OCg, KK] with the taps reversed, then packed like a forward weight.
    std::vector<float> wt(static_cast<size_t>(g.OC * Kg)), wp(wt.size());
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      const float* wg = w + gr * OCg * Kg;
      float* tg = wt.data() + gr * OCg * Kg;
      for (int64_t oc = 0; oc < OCg; ++oc)
        for (int64_t c = 0; c < Cg; ++c)
          for (int64_t k = 0; k < KK; ++k) tg[(c * OCg + oc) * KK + (KK - 1 - k)] = wg[(oc * Cg + c) * KK + k];
      pack_rows(tg, Cg, OCg * KK, wp.data() + gr * OCg * Kg);
    }
    over_samples_or_tiles(g, pl, [&](int64_t n, int64_t gr, int64_t t0, int64_t t1) {
      forward_sample(dy + (n * g.OC + gr * OCg) * P, OCg, wp.data() + gr * OCg * Kg, Cg, nullptr,
                     dx + (n * g.C + gr * Cg) * P, pl, t0, t1);
    });
  }
  if (!dw) return;
  const int64_t wsize = g.OC * Kg;
  std::fill(dw, dw + wsize, 0.f);
  if (g.N == 0) return;
  // Samples per weight block: enough positions (~1024) that the final lane reduction is rare,
  // few enough that the group's x and dy stay in L2.
  const int64_t S = std::max<int64_t>(1, 1024 / P);
  const int64_t T = std::min<int64_t>(g.N, num_threads());
  std::vector<float> partial(static_cast<size_t>((T - 1) * wsize), 0.f);
  parallel_for(T, [&](int64_t t) {
    float* dwt = t == 0 ? dw : partial.data() + (t - 1) * wsize;
    const int64_t n0 = g.N * t / T, n1 = g.N * (t + 1) / T;
    int64_t xoff[6], tap[6];
    for (int64_t ns = n0; ns < n1; ns += S) {
      const int64_t s = std::min(S, n1 - ns);
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const float* dyg = dy + (ns * g.OC + gr * OCg) * P;
        const float* xg = x + (ns * g.C + gr * Cg) * P;
        for (int64_t m0 = 0; m0 < OCg; m0 += 4) {
          const int64_t mr = std::min<int64_t>(4, OCg - m0);
          for (int64_t k0 = 0; k0 < Kg; k0 += 6) {
            const int64_t kr = std::min<int64_t>(6, Kg - k0);
            for (int64_t j = 0; j < kr; ++j) {
              tap[j] = (k0 + j) % KK;
              xoff[j] = (k0 + j) / KK * P + pl.off[tap[j]];
            }
            weight_block_fn(mr, kr)(dyg + m0 * P, g.OC * P, xg, g.C * P, s, pl, xoff, tap,
                                    dwt + (gr * OCg + m0) * Kg + k0, Kg);
          }
        }
      }
    }
  });
  for (int64_t t = 1; t < T; ++t) {
    const float* p = partial.data() + (t - 1) * wsize;
    for (int64_t i = 0; i < wsize; ++i) dw[i] += p[i];
  }
}

#else  // no AVX-512: conv2d_direct_applies() is false and these are never called

void conv2d_direct_forward(const float*, const float*, const float*, float*, const ConvGeometry&) {}
void conv2d_direct_backward(const float*, const float*, const float*, float*, float*, const ConvGeometry&) {}

#endif

}  // namespace excite
