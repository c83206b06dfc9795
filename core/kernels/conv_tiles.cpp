// core/kernels/conv_tiles.cpp — the convolution register tiles, written once over Highway and
// compiled for every target of the build (see conv_tiles.h for what they compute and
// conv_direct.cpp for how they are used).
//
// A target differs only in its constants: kL floats per vector (16 AVX-512, 8 AVX2, 4 SSE4 and
// NEON, 1 scalar) and kRegs vector registers (32 on AVX-512 and aarch64, 16 on the others), from
// which the tile shapes follow. A forward tile keeps rows x vectors accumulators and, per tap,
// loads `vectors` input vectors and broadcasts `rows` weights: accumulators + vectors + 1 must fit
// the registers (8 x 3 or 6 x 4 in 32, 6 x 2 or 4 x 3 in 16). A weight-gradient block keeps
// rows x cols accumulators and loads rows dy vectors + 1 input vector per column: 4 x 6 in 32,
// 3 x 4 in 16.
#include "core/kernels/conv_tiles.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/conv_tiles.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include <algorithm>
#include <cstring>
#include <vector>

HWY_BEFORE_NAMESPACE();
namespace excite::conv_tiles::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;
constexpr int64_t kL = static_cast<int64_t>(hn::MaxLanes(D()));
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_ARCH_ARM_A64
constexpr int kRegs = 32;
#else
constexpr int kRegs = 16;
#endif
constexpr int kMaxRows = kRegs >= 32 ? 8 : 6, kMaxVectors = kRegs >= 32 ? 4 : 3;
constexpr int kGradRows = kRegs >= 32 ? 4 : 3, kGradCols = kRegs >= 32 ? 6 : 4;

// The register tiles' small fixed loops must unroll completely, or the accumulators live in memory.
#define EXCITE_UNROLL _Pragma("GCC unroll 32")

int64_t row_blocks(int64_t Cout, int64_t rows) { return (Cout + rows - 1) / rows; }
int64_t row_block_start(int64_t Cout, int64_t rows, int64_t b) { return Cout * b / row_blocks(Cout, rows); }

// y[MR rows, NV vectors from p0] = bias + sum over channels and taps; wp is [Cin*KK][MR].
// Positions at or past `limit` are not stored (the last vector may be partial).
template <int MR, int NV>
void forward_tile(const TapInput& in, const float* wp, const float* bias, float* y, int64_t P, int64_t p0,
                  int64_t limit) {
  const D d;
  V acc[MR][NV];
  EXCITE_UNROLL
  for (int r = 0; r < MR; ++r) {
    const V init = bias ? hn::Set(d, bias[r]) : hn::Zero(d);
    EXCITE_UNROLL
    for (int j = 0; j < NV; ++j) acc[r][j] = init;
  }
  // Column masks (TapInput::col_code): lanes not in a row's first / last column.
  hn::Mask<D> lo[NV], hi[NV];
  EXCITE_UNROLL
  for (int j = 0; j < NV; ++j) {
    if (in.col_code) {
      const float* t = in.col_mask + (p0 / kL + j) * 2 * kL;
      lo[j] = hn::Ne(hn::LoadU(d, t), hn::Zero(d));
      hi[j] = hn::Ne(hn::LoadU(d, t + kL), hn::Zero(d));
    } else {
      lo[j] = hi[j] = hn::FirstN(d, kL);
    }
  }
  const int64_t KK = in.taps;
  const float* x = in.x + p0;
  for (int64_t c = 0; c < in.channels; ++c) {
    const float* xc = x + c * in.in_stride;
    const float* wc = wp + c * KK * MR;
    for (int64_t k = 0; k < KK; ++k, wc += MR) {
      const float* src = xc + in.off[k];
      const int code = in.col_code ? in.col_code[k] : 0;
      V b[NV];
      if (code == 0) {
        EXCITE_UNROLL
        for (int j = 0; j < NV; ++j) b[j] = hn::LoadU(d, src + j * kL);
      } else if (code == 1) {
        EXCITE_UNROLL
        for (int j = 0; j < NV; ++j) b[j] = hn::IfThenElseZero(lo[j], hn::LoadU(d, src + j * kL));
      } else {
        EXCITE_UNROLL
        for (int j = 0; j < NV; ++j) b[j] = hn::IfThenElseZero(hi[j], hn::LoadU(d, src + j * kL));
      }
      EXCITE_UNROLL
      for (int r = 0; r < MR; ++r) {
        const V a = hn::Set(d, wc[r]);
        EXCITE_UNROLL
        for (int j = 0; j < NV; ++j) acc[r][j] = hn::MulAdd(a, b[j], acc[r][j]);
      }
    }
  }
  EXCITE_UNROLL
  for (int j = 0; j < NV; ++j) {
    const int64_t p = p0 + j * kL;
    if (p + kL <= limit) {
      EXCITE_UNROLL
      for (int r = 0; r < MR; ++r) hn::StoreU(acc[r][j], d, y + r * P + p);
    } else if (p < limit) {  // lane by lane: a partial store must not touch the next row (and a
                             // call here would spill every accumulator)
      EXCITE_UNROLL
      for (int r = 0; r < MR; ++r)
        for (int64_t i = 0; i < limit - p; ++i) y[r * P + p + i] = hn::ExtractLane(acc[r][j], static_cast<size_t>(i));
    }
  }
}

using ForwardTileFn = void (*)(const TapInput&, const float*, const float*, float*, int64_t, int64_t, int64_t);

template <int MR>
ForwardTileFn forward_tile_for(int nv) {
  switch (nv) {
    case 1: return forward_tile<MR, 1>;
    case 2: return forward_tile<MR, 2>;
    case 3: return forward_tile<MR, 3>;
    default: return forward_tile<MR, kMaxVectors>;
  }
}

ForwardTileFn forward_tile_fn(int64_t mr, int nv) {
  switch (mr) {
    case 1: return forward_tile_for<1>(nv);
    case 2: return forward_tile_for<2>(nv);
    case 3: return forward_tile_for<3>(nv);
    case 4: return forward_tile_for<4>(nv);
    case 5: return forward_tile_for<5>(nv);
    case 6: return forward_tile_for<6>(nv);
    case 7: return forward_tile_for<std::min(7, kMaxRows)>(nv);
    default: return forward_tile_for<kMaxRows>(nv);
  }
}

// dw[MR rows, KR columns] (row stride ldw) += sum over S samples and P positions of
// dy[row, p] x[xoff[col] + p]. dy lanes past P are read as 0 (through a buffer), so the input's
// lanes there (staged zeros or the next plane) add nothing.
// The column masks of the vector at position p (TapInput::col_code): lanes that keep their value
// under code 1 (lo) and code 2 (hi); all lanes without masks.
void col_masks(const D d, const TapInput& in, int64_t p, hn::Mask<D>& lo, hn::Mask<D>& hi) {
  if (!in.col_code) {
    lo = hi = hn::FirstN(d, kL);
    return;
  }
  const float* t = in.col_mask + (p / kL) * 2 * kL;
  lo = hn::Ne(hn::LoadU(d, t), hn::Zero(d));
  hi = hn::Ne(hn::LoadU(d, t + kL), hn::Zero(d));
}

V masked_load(const D d, int code, const hn::Mask<D>& lo, const hn::Mask<D>& hi, const float* src) {
  const V v = hn::LoadU(d, src);
  return code == 0 ? v : hn::IfThenElseZero(code == 1 ? lo : hi, v);
}

// dy_tail [S][tail_rows][kL]: this block's rows' last partial vectors (when P % kL != 0).
template <int MR, int KR>
void weight_block(const float* dy, int64_t dy_stride, int64_t P, const TapInput& in, const int64_t* xoff,
                  const int* xcode, int64_t S, const float* dy_tail, int64_t tail_rows, float* dw, int64_t ldw) {
  const D d;
  V acc[MR][KR];
  EXCITE_UNROLL
  for (int r = 0; r < MR; ++r)
    EXCITE_UNROLL
    for (int k = 0; k < KR; ++k) acc[r][k] = hn::Zero(d);
  const int64_t full = P / kL * kL;
  for (int64_t s = 0; s < S; ++s) {
    const float* dys = dy + s * dy_stride;
    const float* xs = in.x + s * in.sample_stride;
    for (int64_t p = 0; p < full; p += kL) {
      hn::Mask<D> lo, hi;
      col_masks(d, in, p, lo, hi);
      V dv[MR];
      EXCITE_UNROLL
      for (int r = 0; r < MR; ++r) dv[r] = hn::LoadU(d, dys + r * P + p);
      EXCITE_UNROLL
      for (int k = 0; k < KR; ++k) {
        const V xv = masked_load(d, xcode[k], lo, hi, xs + xoff[k] + p);
        EXCITE_UNROLL
        for (int r = 0; r < MR; ++r) acc[r][k] = hn::MulAdd(dv[r], xv, acc[r][k]);
      }
    }
    if (full < P) {  // dy's last partial vector, zero-padded beforehand (see WeightGrad)
      hn::Mask<D> lo, hi;
      col_masks(d, in, full, lo, hi);
      V dv[MR];
      EXCITE_UNROLL
      for (int r = 0; r < MR; ++r) dv[r] = hn::LoadU(d, dy_tail + (s * tail_rows + r) * kL);
      EXCITE_UNROLL
      for (int k = 0; k < KR; ++k) {
        const V xv = masked_load(d, xcode[k], lo, hi, xs + xoff[k] + full);
        EXCITE_UNROLL
        for (int r = 0; r < MR; ++r) acc[r][k] = hn::MulAdd(dv[r], xv, acc[r][k]);
      }
    }
  }
  EXCITE_UNROLL
  for (int r = 0; r < MR; ++r)
    EXCITE_UNROLL
    for (int k = 0; k < KR; ++k) dw[r * ldw + k] += hn::GetLane(hn::SumOfLanes(d, acc[r][k]));
}

using WeightBlockFn = void (*)(const float*, int64_t, int64_t, const TapInput&, const int64_t*, const int*, int64_t,
                               const float*, int64_t, float*, int64_t);

template <int MR>
WeightBlockFn weight_block_for(int64_t kr) {
  switch (kr) {
    case 1: return weight_block<MR, 1>;
    case 2: return weight_block<MR, 2>;
    case 3: return weight_block<MR, 3>;
    case 4: return weight_block<MR, std::min(4, kGradCols)>;
    case 5: return weight_block<MR, std::min(5, kGradCols)>;
    default: return weight_block<MR, kGradCols>;
  }
}

WeightBlockFn weight_block_fn(int64_t mr, int64_t kr) {
  switch (mr) {
    case 1: return weight_block_for<1>(kr);
    case 2: return weight_block_for<2>(kr);
    case 3: return weight_block_for<3>(kr);
    default: return weight_block_for<kGradRows>(kr);
  }
}

// dwT rows (c0 .. c0+CH channels) x (NV oc vectors from ov) += over every output position of
// one sample: dwT[(c, kh, kw), oc] += xpad[c, oh + kh, ow + kw] dyT[(oh, ow), oc].
template <int CH, int NV>
void weight_grad_3x3_block(const float* xpad, int64_t H, int64_t W, const float* dyT, int64_t OCp, int64_t c0,
                           int64_t ov, float* dwT) {
  const D d;
  const int64_t Wp = W + 2, plane = (H + 2) * Wp;
  V acc[CH * 9][NV];
  EXCITE_UNROLL
  for (int r = 0; r < CH * 9; ++r)
    EXCITE_UNROLL
    for (int j = 0; j < NV; ++j) acc[r][j] = hn::Zero(d);
  for (int64_t oh = 0; oh < H; ++oh) {
    const float* dp = dyT + oh * W * OCp + ov * kL;
    const float* xrow = xpad + c0 * plane + oh * Wp;
    for (int64_t ow = 0; ow < W; ++ow, dp += OCp, ++xrow) {
      V dv[NV];
      EXCITE_UNROLL
      for (int j = 0; j < NV; ++j) dv[j] = hn::LoadU(d, dp + j * kL);
      EXCITE_UNROLL
      for (int ch = 0; ch < CH; ++ch)
        EXCITE_UNROLL
        for (int kh = 0; kh < 3; ++kh)
          EXCITE_UNROLL
          for (int kw = 0; kw < 3; ++kw) {
            const V a = hn::Set(d, xrow[ch * plane + kh * Wp + kw]);
            EXCITE_UNROLL
            for (int j = 0; j < NV; ++j) acc[ch * 9 + kh * 3 + kw][j] = hn::MulAdd(a, dv[j], acc[ch * 9 + kh * 3 + kw][j]);
          }
    }
  }
  EXCITE_UNROLL
  for (int r = 0; r < CH * 9; ++r)
    EXCITE_UNROLL
    for (int j = 0; j < NV; ++j) {
      float* o = dwT + (c0 * 9 + r) * OCp + (ov + j) * kL;
      hn::StoreU(hn::Add(hn::LoadU(d, o), acc[r][j]), d, o);
    }
}

}  // namespace

// 32 registers: 6 x 4 when the vectors split into fours (8x8 and 16x16 planes at 16 lanes),
// else 8 x 3. 16 registers: 4 x 3 when they split into threes, else 6 x 2.
TileShape ForwardTileShape(int64_t P) {
  const int64_t Pv = (P + kL - 1) / kL;
  TileShape s;
  if constexpr (kRegs >= 32) {
    s = Pv % 4 == 0 ? TileShape{6, 4, 1} : TileShape{8, 3, 1};
  } else {
    s = Pv % 3 == 0 ? TileShape{4, 3, 1} : TileShape{6, 2, 1};
  }
  s.lanes = static_cast<int>(kL);
  return s;
}

void ForwardPositions(const TapInput& in, const float* wp, int64_t Cout, const float* bias, float* y, int64_t P,
                      int64_t p0, int64_t p1) {
  const TileShape shape = ForwardTileShape(P);
  const int64_t CinKK = in.channels * in.taps, rows = shape.rows;
  const int64_t tiles = (p1 - p0 + shape.vectors * kL - 1) / (shape.vectors * kL);
  for (int64_t v = p0, t = 0; v < p1; ++t) {
    prefetch_part(in.next, t, tiles);
    const int64_t left = (p1 - v + kL - 1) / kL;  // vectors left
    // (A remainder of 4 vectors under 3-vector tiles runs as 2 + 2 rather than 3 + 1.)
    const int nv = shape.vectors == 3 && left == 4 ? 2 : static_cast<int>(std::min<int64_t>(shape.vectors, left));
    for (int64_t b = 0, nb = row_blocks(Cout, rows); b < nb; ++b) {
      const int64_t m0 = row_block_start(Cout, rows, b), mr = row_block_start(Cout, rows, b + 1) - m0;
      forward_tile_fn(mr, nv)(in, wp + m0 * CinKK, bias ? bias + m0 : nullptr, y + m0 * P, P, v, p1);
    }
    v += nv * kL;
  }
}

void WeightGrad(const float* dy, int64_t dy_sample_stride, int64_t OC, const TapInput& in, int64_t samples,
                int64_t P, float* dw) {
  const int64_t Kg = in.channels * in.taps, full = P / kL * kL;
  // Every row's last partial vector, zero-padded, for every sample: [samples][OC][kL].
  thread_local std::vector<float> tails;
  if (full < P) {
    tails.assign(static_cast<size_t>(samples * OC * kL), 0.f);
    for (int64_t s = 0; s < samples; ++s)
      for (int64_t r = 0; r < OC; ++r)
        std::copy(dy + s * dy_sample_stride + r * P + full, dy + s * dy_sample_stride + (r + 1) * P,
                  tails.data() + (s * OC + r) * kL);
  }
  int64_t xoff[kGradCols];
  int xcode[kGradCols];
  for (int64_t m0 = 0; m0 < OC; m0 += kGradRows) {
    const int64_t mr = std::min<int64_t>(kGradRows, OC - m0);
    for (int64_t k0 = 0; k0 < Kg; k0 += kGradCols) {
      const int64_t kr = std::min<int64_t>(kGradCols, Kg - k0);
      for (int64_t j = 0; j < kr; ++j) {
        xoff[j] = (k0 + j) / in.taps * in.in_stride + in.off[(k0 + j) % in.taps];
        xcode[j] = in.col_code ? in.col_code[(k0 + j) % in.taps] : 0;
      }
      weight_block_fn(mr, kr)(dy + m0 * P, dy_sample_stride, P, in, xoff, xcode, samples,
                              full < P ? tails.data() + m0 * kL : nullptr, OC, dw + m0 * Kg + k0, Kg);
    }
  }
}

// Blocks of accumulators: 32 registers: 1 channel x 9 taps x 2 oc vectors, or (one oc vector
// left) 2 channels x 9 taps x 1; 16 registers: 1 channel x 9 taps x 1 oc vector.
void WeightGrad3x3(const float* xpad, int64_t Cg, int64_t H, int64_t W, const float* dyT, int64_t OCp, float* dwT,
                   const Prefetch& next_x, const Prefetch& next_dy) {
  const int64_t OCv = OCp / kL;
  int64_t part = 0;
  const int64_t parts = Cg * OCv;  // an upper bound of the blocks below
  for (int64_t ov = 0; ov < OCv;) {
    if (kRegs >= 32 && OCv - ov >= 2) {
      for (int64_t c = 0; c < Cg; ++c, ++part) {
        prefetch_part(next_x, part, parts);
        prefetch_part(next_dy, part, parts);
        weight_grad_3x3_block<1, 2>(xpad, H, W, dyT, OCp, c, ov, dwT);
      }
      ov += 2;
    } else {
      int64_t c = 0;
      if constexpr (kRegs >= 32) {
        for (; c + 2 <= Cg; c += 2, part += 2) {
          prefetch_part(next_x, part, parts);
          prefetch_part(next_x, part + 1, parts);
          prefetch_part(next_dy, part, parts);
          prefetch_part(next_dy, part + 1, parts);
          weight_grad_3x3_block<2, 1>(xpad, H, W, dyT, OCp, c, ov, dwT);
        }
      }
      for (; c < Cg; ++c, ++part) {
        prefetch_part(next_x, part, parts);
        prefetch_part(next_dy, part, parts);
        weight_grad_3x3_block<1, 1>(xpad, H, W, dyT, OCp, c, ov, dwT);
      }
      ov += 1;
    }
  }
}

int64_t LaneCount() { return kL; }

}  // namespace excite::conv_tiles::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite::conv_tiles {

HWY_EXPORT(ForwardTileShape);
HWY_EXPORT(ForwardPositions);
HWY_EXPORT(WeightGrad);
HWY_EXPORT(WeightGrad3x3);
HWY_EXPORT(LaneCount);

TileShape forward_tile_shape(int64_t P) {
  isa_init();
  return HWY_DYNAMIC_DISPATCH(ForwardTileShape)(P);
}

void forward_positions(const TapInput& in, const float* wp, int64_t Cout, const float* bias, float* y, int64_t P,
                       int64_t p0, int64_t p1) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ForwardPositions)(in, wp, Cout, bias, y, P, p0, p1);
}

void weight_grad(const float* dy, int64_t dy_sample_stride, int64_t OC, const TapInput& in, int64_t samples,
                 int64_t P, float* dw) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(WeightGrad)(dy, dy_sample_stride, OC, in, samples, P, dw);
}

void weight_grad_3x3(const float* xpad, int64_t Cg, int64_t H, int64_t W, const float* dyT, int64_t OCp,
                     float* dwT, const Prefetch& next_x, const Prefetch& next_dy) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(WeightGrad3x3)(xpad, Cg, H, W, dyT, OCp, dwT, next_x, next_dy);
}

int64_t lanes() {
  isa_init();
  return HWY_DYNAMIC_DISPATCH(LaneCount)();
}

void pack_rows(const float* w, int64_t Cout, int64_t CinKK, int64_t rows, float* wp) {
  const int64_t nb = (Cout + rows - 1) / rows;
  for (int64_t b = 0; b < nb; ++b) {
    const int64_t m0 = Cout * b / nb, mr = Cout * (b + 1) / nb - m0;
    for (int64_t i = 0; i < CinKK; ++i)
      for (int64_t r = 0; r < mr; ++r) wp[m0 * CinKK + i * mr + r] = w[(m0 + r) * CinKK + i];
  }
}

}  // namespace excite::conv_tiles
#endif  // HWY_ONCE
