// core/kernels/conv_tiles.cpp — the convolution register tiles, written once over Highway and
// compiled for every target of the build (see conv_tiles.h for what they compute and
// conv_direct.cpp for how they are used).
//
// A target differs only in its constants: kL floats per vector (16 AVX-512, 8 AVX2, 4 SSE4 and
// NEON, 1 scalar) and kRegs vector registers (32 on AVX-512 and aarch64, 16 on the others), from
// which the tile shapes follow. A forward tile keeps rows x vectors accumulators and, per tap,
// loads `vectors` input vectors and broadcasts `rows` weights: accumulators + vectors + 1 must fit
// the registers (8 x 3 or 6 x 4 in 32, 6 x 2 or 4 x 3 in 16). The weight-gradient tiles are in
// conv_weight_grad.cpp.
#include "core/kernels/conv_tiles.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/conv_tiles.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include "core/kernels/simd_registers-inl.h"

#include <algorithm>

HWY_BEFORE_NAMESPACE();
namespace excite::conv_tiles::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;
constexpr int64_t kL = static_cast<int64_t>(hn::MaxLanes(D()));
constexpr int kRegs = excite::HWY_NAMESPACE::kVectorRegisters;
constexpr int kMaxRows = kRegs >= 32 ? 8 : 6, kMaxVectors = kRegs >= 32 ? 4 : 3;

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
  if (in.store == Store::SetRelu) {
    EXCITE_UNROLL
    for (int r = 0; r < MR; ++r) {
      EXCITE_UNROLL
      for (int j = 0; j < NV; ++j) acc[r][j] = hn::Max(acc[r][j], hn::Zero(d));
    }
  }
  const bool add = in.store == Store::Add;
  EXCITE_UNROLL
  for (int j = 0; j < NV; ++j) {
    const int64_t p = p0 + j * kL;
    if (p + kL <= limit) {
      if (add) {
        EXCITE_UNROLL
        for (int r = 0; r < MR; ++r) hn::StoreU(hn::Add(acc[r][j], hn::LoadU(d, y + r * P + p)), d, y + r * P + p);
      } else {
        EXCITE_UNROLL
        for (int r = 0; r < MR; ++r) hn::StoreU(acc[r][j], d, y + r * P + p);
      }
    } else if (p < limit) {  // lane by lane: a partial store must not touch the next row (and a
                             // call here would spill every accumulator)
      EXCITE_UNROLL
      for (int r = 0; r < MR; ++r)
        for (int64_t i = 0; i < limit - p; ++i) {
          const float v = hn::ExtractLane(acc[r][j], static_cast<size_t>(i));
          float& o = y[r * P + p + i];
          o = add ? v + o : v;
        }
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

}  // namespace

// 32 registers: AVX-512 takes 8 x 3 (24 accumulators in full 8-row blocks for any Cout that is a
// multiple of 8, and fewer masked input loads per FMA) except for planes of 4 vectors (7x7, 8x8),
// which 3-vector tiles would split 2 + 2: there 6 x 4. Measured on a Sapphire Rapids, 1 thread,
// against 6 x 4 wherever the vectors split into fours: 3x3 16->16 @32 forward +12 %, 32->32 @16
// +8 %, 64->64 @8 -4 % with 8 x 3 (hence the exception); SE-ResNet-20 training +4 %. NEON (4
// lanes) keeps 6 x 4 wherever the vectors split into fours (not measured on an Arm CPU).
// 16 registers: 4 x 3 when they split into threes, else 6 x 2.
TileShape ForwardTileShape(int64_t P) {
  const int64_t Pv = (P + kL - 1) / kL;
  TileShape s;
  if constexpr (kRegs >= 32) {
    const bool fours = kL >= 16 ? Pv == 4 : Pv % 4 == 0;
    s = fours ? TileShape{6, 4, 1} : TileShape{8, 3, 1};
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
    if (in.store == Store::Add) {  // the next tile's y, read at its stores: in cache by then
      const int64_t q0 = v + nv * kL, q1 = std::min(p1, q0 + shape.vectors * kL);
      for (int64_t r = 0; r < Cout && q0 < q1; ++r)
        for (int64_t q = q0; q < q1; q += 16) __builtin_prefetch(y + r * P + q, 1, 3);
    }
    for (int64_t b = 0, nb = row_blocks(Cout, rows); b < nb; ++b) {
      const int64_t m0 = row_block_start(Cout, rows, b), mr = row_block_start(Cout, rows, b + 1) - m0;
      forward_tile_fn(mr, nv)(in, wp + m0 * CinKK, bias ? bias + m0 : nullptr, y + m0 * P, P, v, p1);
    }
    v += nv * kL;
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
