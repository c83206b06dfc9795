// core/kernels/conv_weight_grad.cpp — the convolution's weight-gradient register tiles, written
// once over Highway and compiled for every target (see conv_tiles.h for what they compute and
// conv_direct.cpp for how they are used).
//
// The dot-product form keeps a block of dw, rows x cols, in registers and loads per position
// vector `rows` dy vectors and one input vector per column: 4 x 6 in 32 registers, 3 x 4 in 16;
// summed across lanes once per block. The 3x3 broadcast form keeps (channels x 9 taps) x
// (oc vectors) accumulators and broadcasts each x value of a padded plane against dy transposed:
// 2 x 9 x 1 or 1 x 9 x 2 in 32 registers, 1 x 9 x 1 in 16; for stride 1 and stride 2.
#include "core/kernels/conv_tiles.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/conv_weight_grad.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include "core/kernels/simd_registers-inl.h"

#include <algorithm>
#include <vector>

HWY_BEFORE_NAMESPACE();
namespace excite::conv_tiles::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;
constexpr int64_t kL = static_cast<int64_t>(hn::MaxLanes(D()));
constexpr int kRegs = excite::HWY_NAMESPACE::kVectorRegisters;
constexpr int kGradRows = kRegs >= 32 ? 4 : 3, kGradCols = kRegs >= 32 ? 6 : 4;

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

// dw[MR rows, KR columns] (row stride ldw) += sum over S samples and P positions of
// dy[row, p] x[xoff[col] + p] (under the column mask of xcode[col]). dy's last partial vectors come
// zero-padded from dy_tail [S][tail_rows][kL] (when P % kL != 0), so the input's lanes past P
// (staged zeros or the next plane) add nothing.
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
// one sample: dwT[(c, kh, kw), oc] += xpad[c, S oh + kh, S ow + kw] dyT[(oh, ow), oc]. A stride S
// only spaces the broadcasts; it is a template argument so that the stride-1 block, most of a
// ResNet's weight gradient, compiles to the same loop it always did.
template <int CH, int NV, int S>
void weight_grad_3x3_block(const float* xpad, int64_t Wp, int64_t plane, int64_t OH, int64_t OW, const float* dyT,
                           int64_t OCp, int64_t c0, int64_t ov, float* dwT) {
  const D d;
  V acc[CH * 9][NV];
  EXCITE_UNROLL
  for (int r = 0; r < CH * 9; ++r)
    EXCITE_UNROLL
    for (int j = 0; j < NV; ++j) acc[r][j] = hn::Zero(d);
  for (int64_t oh = 0; oh < OH; ++oh) {
    const float* dp = dyT + oh * OW * OCp + ov * kL;
    const float* xrow = xpad + c0 * plane + oh * S * Wp;
    for (int64_t ow = 0; ow < OW; ++ow, dp += OCp, xrow += S) {
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

// Blocks of accumulators: 32 registers: 1 channel x 9 taps x 2 oc vectors, or (one oc vector
// left) 2 channels x 9 taps x 1; 16 registers: 1 channel x 9 taps x 1 oc vector. (No software
// prefetch of the next sample: issued over the blocks it stalled them, -3.5 % on SE-ResNet-20's
// training on a Sapphire Rapids with AVX-512, neutral with AVX2.)
template <int S>
void weight_grad_3x3_blocks(const float* xpad, int64_t Cg, int64_t H, int64_t W, const float* dyT, int64_t OCp,
                            float* dwT) {
  const int64_t Wp = W + 2, plane = (H + 2) * Wp, OH = (H - 1) / S + 1, OW = (W - 1) / S + 1;
  const int64_t OCv = OCp / kL;
  for (int64_t ov = 0; ov < OCv;) {
    if (kRegs >= 32 && OCv - ov >= 2) {
      for (int64_t c = 0; c < Cg; ++c) weight_grad_3x3_block<1, 2, S>(xpad, Wp, plane, OH, OW, dyT, OCp, c, ov, dwT);
      ov += 2;
    } else {
      int64_t c = 0;
      if constexpr (kRegs >= 32)
        for (; c + 2 <= Cg; c += 2) weight_grad_3x3_block<2, 1, S>(xpad, Wp, plane, OH, OW, dyT, OCp, c, ov, dwT);
      for (; c < Cg; ++c) weight_grad_3x3_block<1, 1, S>(xpad, Wp, plane, OH, OW, dyT, OCp, c, ov, dwT);
      ov += 1;
    }
  }
}

}  // namespace

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

// x [Cg][H][W] -> xpad [Cg][H+2][W+2], x inside a zero border. Rows copied by whole vectors,
// then fours, then single values: std::copy called memmove once per row, 2 % of SE-ResNet-20's
// training step on Sapphire Rapids (perf), for rows of 8 to 32 floats.
void PadBorder(const float* x, int64_t Cg, int64_t H, int64_t W, float* xpad) {
  const D d;
  const int64_t Wp = W + 2, plane = (H + 2) * Wp;
  for (int64_t c = 0; c < Cg; ++c) {
    float* o = xpad + c * plane;
    std::fill(o, o + Wp + 1, 0.f);  // the top row and row 1's left border
    for (int64_t h = 0; h < H; ++h) {
      const float* src = x + (c * H + h) * W;
      float* r = o + (h + 1) * Wp + 1;
      int64_t i = 0;
      for (; i + kL <= W; i += kL) hn::StoreU(hn::LoadU(d, src + i), d, r + i);
#if HWY_TARGET != HWY_SCALAR
      const hn::CappedTag<float, 4> d4;
      for (; i + 4 <= W; i += 4) hn::StoreU(hn::LoadU(d4, src + i), d4, r + i);
#endif
      for (; i < W; ++i) r[i] = src[i];
      r[W] = r[W + 1] = 0.f;  // this row's right border, the next row's left
    }
    std::fill(o + (H + 1) * Wp + 1, o + plane, 0.f);
  }
}

namespace {

#if HWY_TARGET != HWY_SCALAR
// dyT[p .. p+3][oc .. oc+3] = the 4 x 4 block of rows r (row stride P) at positions p .. p+3.
void transpose_4x4(const float* r, int64_t P, int64_t p, float* o, int64_t OCp) {
  const hn::CappedTag<float, 4> d4;
  const auto r0 = hn::LoadU(d4, r + p), r1 = hn::LoadU(d4, r + P + p);
  const auto r2 = hn::LoadU(d4, r + 2 * P + p), r3 = hn::LoadU(d4, r + 3 * P + p);
  const auto t0 = hn::InterleaveLower(d4, r0, r1), t1 = hn::InterleaveUpper(d4, r0, r1);
  const auto t2 = hn::InterleaveLower(d4, r2, r3), t3 = hn::InterleaveUpper(d4, r2, r3);
  hn::StoreU(hn::ConcatLowerLower(d4, t2, t0), d4, o);
  hn::StoreU(hn::ConcatUpperUpper(d4, t2, t0), d4, o + OCp);
  hn::StoreU(hn::ConcatLowerLower(d4, t3, t1), d4, o + 2 * OCp);
  hn::StoreU(hn::ConcatUpperUpper(d4, t3, t1), d4, o + 3 * OCp);
}
#endif

}  // namespace

// dy [OCg][P] -> dyT [P][OCp]: 4 x 4 blocks transposed in registers (two interleaves and a
// half-concatenation per pair of rows; 128-bit vectors, so the same code on every SIMD target),
// one value at a time at the edges and on the scalar target. Blocks of 64 positions keep the
// written rows in L1. (The scalar loop this replaced was about a quarter of the 16->16 @32
// weight gradient's time on Sapphire Rapids, by perf.)
void TransposeRows(const float* dy, int64_t OCg, int64_t P, int64_t OCp, float* dyT) {
  for (int64_t p0 = 0; p0 < P; p0 += 64) {
    const int64_t p1 = std::min(P, p0 + 64);
    for (int64_t p = p0; p < p1; ++p) std::fill(dyT + p * OCp + OCg, dyT + (p + 1) * OCp, 0.f);
    int64_t oc = 0;
#if HWY_TARGET != HWY_SCALAR
    for (; oc + 4 <= OCg; oc += 4) {
      const float* r = dy + oc * P;
      int64_t p = p0;
      for (; p + 4 <= p1; p += 4) transpose_4x4(r, P, p, dyT + p * OCp + oc, OCp);
      for (; p < p1; ++p)
        for (int64_t i = 0; i < 4; ++i) dyT[p * OCp + oc + i] = r[i * P + p];
    }
#endif
    for (; oc < OCg; ++oc)
      for (int64_t p = p0; p < p1; ++p) dyT[p * OCp + oc] = dy[oc * P + p];
  }
}

void WeightGrad3x3(const float* xpad, int64_t Cg, int64_t H, int64_t W, int64_t stride, const float* dyT,
                   int64_t OCp, float* dwT) {
  if (stride == 2)
    weight_grad_3x3_blocks<2>(xpad, Cg, H, W, dyT, OCp, dwT);
  else
    weight_grad_3x3_blocks<1>(xpad, Cg, H, W, dyT, OCp, dwT);
}

}  // namespace excite::conv_tiles::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite::conv_tiles {

HWY_EXPORT(WeightGrad);
HWY_EXPORT(WeightGrad3x3);
HWY_EXPORT(TransposeRows);
HWY_EXPORT(PadBorder);

void weight_grad(const float* dy, int64_t dy_sample_stride, int64_t OC, const TapInput& in, int64_t samples,
                 int64_t P, float* dw) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(WeightGrad)(dy, dy_sample_stride, OC, in, samples, P, dw);
}

void weight_grad_3x3(const float* xpad, int64_t Cg, int64_t H, int64_t W, int64_t stride, const float* dyT,
                     int64_t OCp, float* dwT) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(WeightGrad3x3)(xpad, Cg, H, W, stride, dyT, OCp, dwT);
}

void pad_border(const float* x, int64_t Cg, int64_t H, int64_t W, float* xpad) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(PadBorder)(x, Cg, H, W, xpad);
}

void pad_border_naive(const float* x, int64_t Cg, int64_t H, int64_t W, float* xpad) {
  const int64_t Wp = W + 2, Hp = H + 2;
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t h = 0; h < Hp; ++h)
      for (int64_t w = 0; w < Wp; ++w) {
        const bool inside = h >= 1 && h <= H && w >= 1 && w <= W;
        xpad[(c * Hp + h) * Wp + w] = inside ? x[(c * H + h - 1) * W + w - 1] : 0.f;
      }
}

void transpose_rows(const float* dy, int64_t OCg, int64_t P, int64_t OCp, float* dyT) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(TransposeRows)(dy, OCg, P, OCp, dyT);
}

void transpose_rows_naive(const float* dy, int64_t OCg, int64_t P, int64_t OCp, float* dyT) {
  for (int64_t p = 0; p < P; ++p)
    for (int64_t oc = 0; oc < OCp; ++oc) dyT[p * OCp + oc] = oc < OCg ? dy[oc * P + p] : 0.f;
}

}  // namespace excite::conv_tiles
#endif  // HWY_ONCE
