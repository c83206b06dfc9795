// core/kernels/conv_avx512.cpp — convolution with AVX-512 register tiles.
//
// Why: on this machine's AVX-512 cores a register-tiled product runs at 2-3x Debian OpenBLAS's
// sgemm (which runs its AVX2 "Haswell" kernels here), and im2col + sgemm spends about a third of
// a CIFAR conv writing the [C*KH*KW, OH*OW] column matrix (9x the input). Two paths:
//
// Stride-1 "same" convs (OH, OW = H, W: every 3x3 pad-1 conv of a ResNet, and 1x1) build no
// column matrix. Output position p = oh*W + ow reads input position p + off(kh, kw), off =
// (kh*dh - ph)*W + (kw*dw - pw): a constant shift per tap. So im2col's row (c, kh, kw) is input
// plane c read at a shift, with the lanes whose tap falls into the padding masked to 0 (the mask
// depends on the 16 positions of a vector and the tap only, so one table serves every channel and
// sample; masked-off lanes are never read, which AVX-512 guarantees even past a buffer's ends).
// Other geometries (stride 2, ...) im2col one sample at a time into a per-thread buffer and run
// the same kernels over it as a plain product (one tap, no shift).
//
// Forward, per sample and group:  y[oc, p] = b[oc] + sum_{c, k} w[oc, c, k] x[c, p + off(k)]
//   register tile: 8 output channels x 48 positions (24 zmm accumulators), summed over all c, k.
// Backward to the input: dx[c, q] = sum_{oc, k} w[oc, c, k] dy[oc, q - off(k)]. Since the conv
//   is "same", q - off(kh, kw) = q + off(KH-1-kh, KW-1-kw): the forward kernel again, on dy, with
//   w transposed to [C, OC] and its taps flipped (and the same masks). Through im2col:
//   dcol = w^T dy by the same kernel, then col2im (derivation in conv.cpp).
// Backward to the weight: dw[oc, c, k] = sum_n sum_p dy[n, oc, p] x[n, c, p + off(k)], a dot
//   product over positions: a 4 x 6 block of (oc, c*k) accumulates 16 positions per FMA over a
//   group of samples, then is reduced across lanes once.
// Threading as in conv.cpp: samples split over threads (when fewer samples than threads: the
// tiles of one sample), dw summed per chunk and added in chunk order.
#include "core/kernels/conv_avx512.h"

#include <algorithm>
#include <vector>

#include "core/blas.h"
#include "core/parallel.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace excite {

#if defined(__AVX512F__)

bool conv2d_avx512_available() { return true; }

namespace {

constexpr int64_t kLanes = 16;

// Offsets and lane masks of one geometry, shared by every sample, channel and pass. Taps read
// the input as stored (stride 1) or its stride phases (see phase_split): either way each tap is
// a constant shift of the output position, which needs OW == ceil(W / stride_w) (tap_friendly).
struct Plan {
  int64_t P = 0, Pv = 0, KK = 0;      // output positions, 16-lane vectors, kernel taps
  int64_t in_stride = 0;              // floats from one input channel to the next
  int64_t Hs = 0, Ws = 0;             // size of one phase plane (the input itself at stride 1)
  std::vector<std::pair<int64_t, int64_t>> phases;  // (row, column) phase of each stored plane
  std::vector<int64_t> off;           // [KK] input shift of each tap
  std::vector<uint16_t> mask;         // [Pv][KK] lanes whose tap is inside the input
  std::vector<uint16_t> inside;       // [Pv] lanes < P
  std::vector<std::pair<int64_t, int>> tiles;  // (first vector, vectors) of each output tile
};

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

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
  // Tiles of 3 vectors; a remainder of 4 goes as 2 + 2 rather than 3 + 1.
  for (int64_t v = 0; v < pl.Pv;) {
    const int64_t left = pl.Pv - v;
    const int nv = left == 4 ? 2 : static_cast<int>(std::min<int64_t>(3, left));
    pl.tiles.emplace_back(v, nv);
    v += nv;
  }
  return pl;
}

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
    case 4: return weight_block_for<4>(kr);
    case 5: return weight_block_for<5>(kr);
    case 6: return weight_block_for<6>(kr);
    case 7: return weight_block_for<7>(kr);
    default: return weight_block_for<8>(kr);
  }
}

// Register block of the weight gradient: 4 output channels x 6 columns (c, kh, kw) of dw.
constexpr int64_t kWeightRows = 4, kWeightCols = 6;

// Two per-thread scratch buffers (slots 0 and 1), grown on demand and reused across calls.
float* scratch(int slot, size_t count) {
  thread_local std::vector<float> buffers[2];
  std::vector<float>& b = buffers[slot];
  if (b.size() < count) b.resize(count);
  return b.data();
}

bool same_size(const ConvGeometry& g) { return !strided(g) && g.OH() == g.H && g.OW() == g.W; }

// The weights of every group packed for forward_tile, as the product each pass computes:
// Forward: w [OCg, Kg]. TransposeFlip: [Cg, OCg*KK] with the taps reversed (input gradient of a
// "same" conv). Transpose: [Kg, OCg] (gradient of im2col's columns).
enum class Packing { Forward, TransposeFlip, Transpose };

std::vector<float> pack_weights(const float* w, const ConvGeometry& g, Packing how) {
  const int64_t Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg(), KK = g.KH * g.KW;
  std::vector<float> out(static_cast<size_t>(g.OC * Kg)), t(static_cast<size_t>(OCg * Kg));
  for (int64_t gr = 0; gr < g.groups; ++gr) {
    const float* wg = w + gr * OCg * Kg;
    float* pg = out.data() + gr * OCg * Kg;
    if (how == Packing::Forward) {
      pack_rows(wg, OCg, Kg, pg);
      continue;
    }
    for (int64_t oc = 0; oc < OCg; ++oc)
      for (int64_t c = 0; c < Cg; ++c)
        for (int64_t k = 0; k < KK; ++k) {
          const float v = wg[(oc * Cg + c) * KK + k];
          if (how == Packing::TransposeFlip) {
            t[(c * OCg + oc) * KK + (KK - 1 - k)] = v;
          } else {
            t[(c * KK + k) * OCg + oc] = v;
          }
        }
    if (how == Packing::TransposeFlip) {
      pack_rows(t.data(), Cg, OCg * KK, pg);
    } else {
      pack_rows(t.data(), Kg, OCg, pg);
    }
  }
  return out;
}

struct Buffers {
  float* a;  // scratch slot 0 of the thread that staged the sample
  float* b;  // slot 1
};

// For every sample n and group gr: stage(n, gr, buf), then kernel(n, gr, buf, t0, t1) over the
// output tiles, then finish(n, gr, buf). Whole samples per thread when there are enough of them;
// otherwise one sample at a time, staged and finished by the calling thread, its tiles split
// over the threads.
template <typename Stage, typename Kernel, typename Finish>
void for_each_sample(const ConvGeometry& g, const Plan& pl, size_t a_floats, size_t b_floats, Stage&& stage,
                     Kernel&& kernel, Finish&& finish) {
  const int64_t ntiles = static_cast<int64_t>(pl.tiles.size());
  if (g.N * g.groups >= num_threads()) {
    parallel_for(g.N * g.groups, [&](int64_t i) {
      const Buffers buf{scratch(0, a_floats), scratch(1, b_floats)};
      stage(i / g.groups, i % g.groups, buf);
      kernel(i / g.groups, i % g.groups, buf, int64_t{0}, ntiles);
      finish(i / g.groups, i % g.groups, buf);
    });
  } else {
    const Buffers buf{scratch(0, a_floats), scratch(1, b_floats)};
    for (int64_t i = 0; i < g.N * g.groups; ++i) {
      stage(i / g.groups, i % g.groups, buf);
      parallel_for(ntiles, [&](int64_t t) { kernel(i / g.groups, i % g.groups, buf, t, t + 1); });
      finish(i / g.groups, i % g.groups, buf);
    }
  }
}

// What the kernels read for one sample and group: x itself (stride-1 taps), x's stride phases
// (strided taps), or x's im2col (with the product plan; Kg input rows instead of Cg).
struct Input {
  bool taps = false, split = false;
  int64_t rows = 0;    // input channels the kernels see
  int64_t stride = 0;  // floats per sample of the staged input (0: x is read in place)

  Input(const ConvGeometry& g, const Plan& pl)
      : taps(tap_friendly(g)),
        split(taps && strided(g)),
        rows(taps ? g.Cg() : g.col_rows()),
        stride(taps ? (split ? g.Cg() * pl.in_stride : 0) : g.col_rows() * pl.P) {}

  // The kernels' input for x's sample/group xg: staged into buf when needed.
  const float* stage(const float* xg, const ConvGeometry& g, const Plan& pl, float* buf) const {
    if (!taps) {
      im2col(xg, g, buf);
    } else if (split) {
      phase_split(xg, g, pl, buf);
    } else {
      return xg;
    }
    return buf;
  }
};

Plan forward_plan(const ConvGeometry& g) {
  return tap_friendly(g) ? make_plan(g) : make_product_plan(g.OH() * g.OW());
}

}  // namespace

void conv2d_avx512_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g) {
  const Plan pl = forward_plan(g);
  const Input input(g, pl);
  const int64_t Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg(), HW = g.H * g.W, P = pl.P;
  const std::vector<float> wp = pack_weights(w, g, Packing::Forward);
  for_each_sample(
      g, pl, static_cast<size_t>(input.stride), 0,
      [&](int64_t n, int64_t gr, const Buffers& buf) { input.stage(x + (n * g.C + gr * Cg) * HW, g, pl, buf.a); },
      [&](int64_t n, int64_t gr, const Buffers& buf, int64_t t0, int64_t t1) {
        const float* in = input.stride == 0 ? x + (n * g.C + gr * Cg) * HW : buf.a;
        forward_sample(in, input.rows, wp.data() + gr * OCg * Kg, OCg, b ? b + gr * OCg : nullptr,
                       y + (n * g.OC + gr * OCg) * P, pl, t0, t1);
      },
      [](int64_t, int64_t, const Buffers&) {});
}

void conv2d_avx512_backward(const float* dy, const float* x, const float* w, float* dx, float* dw,
                            const ConvGeometry& g) {
  const int64_t Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg(), HW = g.H * g.W, P = g.OH() * g.OW();
  if (dx) {
    // A stride-1 "same" conv's input gradient is the forward kernel with flipped taps; any other
    // goes through dcol = w^T dy and col2im.
    const bool flip = same_size(g);
    const Plan pl = flip ? make_plan(g) : make_product_plan(P);
    const std::vector<float> wt = pack_weights(w, g, flip ? Packing::TransposeFlip : Packing::Transpose);
    for_each_sample(
        g, pl, 0, flip ? 0 : static_cast<size_t>(Kg * P), [](int64_t, int64_t, const Buffers&) {},
        [&](int64_t n, int64_t gr, const Buffers& buf, int64_t t0, int64_t t1) {
          float* out = flip ? dx + (n * g.C + gr * Cg) * HW : buf.b;
          forward_sample(dy + (n * g.OC + gr * OCg) * P, OCg, wt.data() + gr * OCg * Kg, flip ? Cg : Kg, nullptr,
                         out, pl, t0, t1);
        },
        [&](int64_t n, int64_t gr, const Buffers& buf) {
          if (flip) return;
          float* d = dx + (n * g.C + gr * Cg) * HW;
          std::fill(d, d + Cg * HW, 0.f);
          col2im(buf.b, g, d);
        });
  }
  if (!dw) return;
  const Plan pl = forward_plan(g);
  const Input input(g, pl);
  const int64_t KK = pl.KK, wsize = g.OC * Kg;
  std::fill(dw, dw + wsize, 0.f);
  if (g.N == 0) return;
  // Samples per weight block: enough positions (~4096) that the final lane reduction is rare, few
  // enough that the group's input (as the kernels read it) and dy stay in L2 (about 512 KB).
  const int64_t per_sample = (input.stride ? input.stride : Cg * HW) + OCg * P;
  const int64_t S = std::clamp<int64_t>(std::min(4096 / P, 131072 / per_sample), 1, g.N);
  const int64_t T = std::min<int64_t>(g.N, num_threads());
  std::vector<float> partial(static_cast<size_t>((T - 1) * wsize), 0.f);
  parallel_for(T, [&](int64_t t) {
    float* dwt = t == 0 ? dw : partial.data() + (t - 1) * wsize;
    float* staged = input.stride ? scratch(0, static_cast<size_t>(S * input.stride)) : nullptr;
    const int64_t n0 = g.N * t / T, n1 = g.N * (t + 1) / T;
    int64_t xoff[kWeightCols], tap[kWeightCols];
    for (int64_t ns = n0; ns < n1; ns += S) {
      const int64_t s = std::min(S, n1 - ns);
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const float* in = x + (ns * g.C + gr * Cg) * HW;
        int64_t in_sample = g.C * HW;
        if (input.stride) {
          for (int64_t j = 0; j < s; ++j)
            input.stage(x + ((ns + j) * g.C + gr * Cg) * HW, g, pl, staged + j * input.stride);
          in = staged;
          in_sample = input.stride;
        }
        const float* dyg = dy + (ns * g.OC + gr * OCg) * P;
        for (int64_t m0 = 0; m0 < OCg; m0 += kWeightRows) {
          const int64_t mr = std::min<int64_t>(kWeightRows, OCg - m0);
          for (int64_t k0 = 0; k0 < Kg; k0 += kWeightCols) {
            const int64_t kr = std::min<int64_t>(kWeightCols, Kg - k0);
            for (int64_t j = 0; j < kr; ++j) {
              tap[j] = input.taps ? (k0 + j) % KK : 0;
              xoff[j] = input.taps ? (k0 + j) / KK * pl.in_stride + pl.off[tap[j]] : (k0 + j) * P;
            }
            weight_block_fn(mr, kr)(dyg + m0 * P, g.OC * P, in, in_sample, s, pl, xoff, tap,
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

#else  // no AVX-512: conv.cpp takes the im2col + sgemm path and never calls these

bool conv2d_avx512_available() { return false; }
void conv2d_avx512_forward(const float*, const float*, const float*, float*, const ConvGeometry&) {}
void conv2d_avx512_backward(const float*, const float*, const float*, float*, float*, const ConvGeometry&) {}

#endif

}  // namespace excite
