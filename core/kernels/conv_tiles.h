// core/kernels/conv_tiles.h — the AVX-512 register tiles under conv_avx512.cpp (internal to
// core/kernels; defined only when the build targets AVX-512).
//
// A Plan says, for one convolution geometry, where each kernel tap reads relative to an output
// position (a constant shift of the input, or of one of its stride phases) and which lanes of
// each 16-position vector read inside the input. Two kernels run over it:
//   forward_sample: y[Cout, P] = w[Cout, Cin*KK] x(taps), tiles of 8 rows x 48 positions (or 6 x
//     64) kept in registers over every input channel and tap (forward, and input gradient);
//   weight_block_fn: dw[rows, cols] += sum over samples and positions of dy[row] x(tap of col),
//     a dot product over positions (the weight gradient).
// A "product plan" (one tap, no shift) makes both a plain matrix product, over an im2col buffer.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/kernels/conv.h"

namespace excite::conv_tiles {

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
  int64_t block_rows = 8;             // output rows per register tile (8 x 3 or 6 x 4 vectors)
};


// Taps as constant shifts need OW == ceil(W / stride_w) (stride-1 "same" width, or stride phases).
bool tap_friendly(const ConvGeometry& g);
bool strided(const ConvGeometry& g);
Plan make_plan(const ConvGeometry& g);  // requires tap_friendly(g)
Plan make_product_plan(int64_t P);      // one tap, no shift, over P positions

// x [Cg, H, W] -> [Cg][phase][Hs][Ws]: plane (rh, rw) holds x[i*sh + rh, j*sw + rw], 0 past the
// input's edge (the layout make_plan's offsets address for a strided conv).
void phase_split(const float* x, const ConvGeometry& g, const Plan& pl, float* out);

// w [Cout, CinKK] -> blocks of at most `rows` rows (Cout split evenly; rows = the plan's
// block_rows), each laid out [CinKK][its rows] (the order the tiles read).
void pack_rows(const float* w, int64_t Cout, int64_t CinKK, int64_t rows, float* wp);

// One sample: y [Cout, P] (+ bias) from x [Cin channels at pl.in_stride], over tiles [t0, t1).
void forward_sample(const float* x, int64_t Cin, const float* wp, int64_t Cout, const float* bias, float* y,
                    const Plan& pl, int64_t t0, int64_t t1);

// dw[MR rows, KR columns] (row stride ldw) += sum over S samples and all positions of
// dy[row] * x[xoff[col] + position], lanes masked by tap[col]'s mask; dy rows are P apart,
// samples dy_stride / x_stride apart. mr <= 8, kr <= 6.
using WeightBlockFn = void (*)(const float* dy, int64_t dy_stride, const float* x, int64_t x_stride, int64_t S,
                               const Plan& pl, const int64_t* xoff, const int64_t* tap, float* dw, int64_t ldw);
WeightBlockFn weight_block_fn(int64_t mr, int64_t kr);

// The weight gradient of a stride-1, pad-1, dilation-1 3x3 conv in the forward's broadcast form,
// one sample: dwT[(c*9 + kh*3 + kw), oc] += sum_p xpad[c, oh + kh, ow + kw] dyT[p, oc] over the
// output positions p = (oh, ow). xpad [Cg][H+2][W+2] is x with a zero border (so no masks),
// dyT [P][OCp] is dy transposed with oc padded to OCp (a multiple of 16) by zeros.
void weight_grad_3x3(const float* xpad, int64_t Cg, int64_t H, int64_t W, const float* dyT, int64_t OCp,
                     float* dwT);
// The two layouts it reads: x [Cg, H, W] -> xpad [Cg][H+2][W+2]; dy [OCg, P] -> dyT [P][OCp].
void pad_border(const float* x, int64_t Cg, int64_t H, int64_t W, float* xpad);
void transpose_rows(const float* dy, int64_t OCg, int64_t P, int64_t OCp, float* dyT);

}  // namespace excite::conv_tiles
