// core/kernels/conv_tiles.h — the register tiles under conv_direct.cpp (internal to core/kernels;
// the forward tiles in conv_tiles.cpp, the weight-gradient ones in conv_weight_grad.cpp).
//
// The tiles read an input of `channels` planes, each tap k of a channel at a constant shift
// off[k] from the output position p: x[c * in_stride + off[k] + p]. conv_direct.cpp stages an
// input into that form (conv_stage.h) so that no tap ever reads outside it: padding is stored
// zeros, and every load is a plain vector load (where a tap shifts by a column, under a lane mask
// for a row's first or last column: TapInput::col_code). Two kernels run over it,
// written once over Highway and compiled for every target (conv_tiles.cpp):
//   forward_positions: y[Cout, p] (+)= sum_{c, k} w[Cout, c, k] x(c, k, p) for p in [p0, p1)
//     (or the ReLU of it, TapInput::store),
//     in register tiles of rows x vectors (the shape is the target's: 8 x 3 or 6 x 4 with 32
//     registers, 4 x 3 or 6 x 2 with 16) — the forward, the input gradient, and dcol = w^T dy;
//   weight_grad: dw[oc, (c, k)] += sum over samples and positions of dy[oc, p] x(c, k, p), blocks
//     of dw in registers (4 x 6 with 32 registers, 3 x 4 with 16), summed across lanes once;
//   weight_grad_3x3: the same for 3x3 pad-1 convs of stride 1 or 2 in broadcast form over x with a
//     zero border and dy transposed (no lane sums; most of a ResNet's weight gradients).
// Leaves out: the staging, the threading and the choice of kernel (conv_direct.cpp).
#pragma once

#include <cstdint>

namespace excite::conv_tiles {

// Floats [p, p + n) to be brought into L2 while a kernel runs: the next sample's input, whose
// first read would otherwise stall on memory (a batch's activations are MBs). A kernel issues it
// in pieces as it goes (all at once, the prefetches queue up behind each other and stall too).
struct Prefetch {
  const float* p = nullptr;
  int64_t n = 0;
};
inline void prefetch_part(const Prefetch& f, int64_t part, int64_t parts) {
  if (!f.p || parts <= 0) return;
  const int64_t lines = (f.n + 15) / 16, lo = lines * part / parts, hi = lines * (part + 1) / parts;
  for (int64_t i = lo; i < hi; ++i) __builtin_prefetch(f.p + 16 * i, 0, 2);
}

// What forward_positions writes at each output: the sum (Set), y's value + the sum (Add: an input
// gradient added to the one already held), or max(0, sum) (SetRelu: a convolution followed by a
// ReLU, as inference runs a conv whose batchnorm is folded into it).
enum class Store : uint8_t { Set, Add, SetRelu };

// An input as the tiles read it: channel c's tap k at position p is x[c * in_stride + off[k] + p].
struct TapInput {
  const float* x = nullptr;
  int64_t channels = 0;       // Cin
  int64_t in_stride = 0;      // floats from one channel to the next
  const int64_t* off = nullptr;  // [taps] shift of each tap
  int64_t taps = 0;           // KK
  int64_t sample_stride = 0;  // floats from one sample to the next (weight_grad only)
  Prefetch next = {};         // issued over forward_positions' tiles
  // Column masks, or null: tap k with col_code[k] = 1 (2) reads 0 in lanes whose output column is
  // a row's first (last): a stride-1 plane read at a shift of -1 (+1) column, whose wrapped-around
  // lanes hold the neighbouring row's edge. col_mask [vectors][2][lanes()] holds 1 where a lane
  // keeps its value (for code 1, then code 2), 0 where it is masked.
  const uint8_t* col_code = nullptr;
  const float* col_mask = nullptr;
  Store store = Store::Set;  // what forward_positions writes
};

// Readable floats past the last channel's in_stride: the tiles read whole vectors, so a staged
// input ends in this many zeros (the widest vector, AVX-512's 16 floats).
inline constexpr int64_t kSlack = 16;

struct TileShape {
  int rows = 1;     // output rows (Cout) per register tile
  int vectors = 1;  // vectors of positions per register tile
  int lanes = 1;    // floats per vector of the running target
};
// The forward tile of the running target for an output of P positions.
TileShape forward_tile_shape(int64_t P);

// w [Cout, CinKK] -> blocks of at most `rows` rows (Cout split evenly), each [CinKK][its rows]:
// the order forward_positions reads. `rows` must be forward_tile_shape(P).rows for its P.
void pack_rows(const float* w, int64_t Cout, int64_t CinKK, int64_t rows, float* wp);

// y [Cout, P] = bias (or 0) + w x(taps) at positions [p0, p1); p0 a multiple of the lanes. wp
// packed by pack_rows with forward_tile_shape(P).rows. Reads in.x up to the last tap's position
// rounded up to whole vectors (see kSlack); writes only positions [p0, p1).
void forward_positions(const TapInput& in, const float* wp, int64_t Cout, const float* bias, float* y, int64_t P,
                       int64_t p0, int64_t p1);

// dw [OC, channels * taps] += sum over `samples` samples and P positions of dy[s, oc, p] x(s, c, k, p),
// dy [samples][OC][P] (dy_sample_stride floats per sample). dy is read only at p < P; x as in
// forward_positions.
void weight_grad(const float* dy, int64_t dy_sample_stride, int64_t OC, const TapInput& in, int64_t samples,
                 int64_t P, float* dw);

// The weight gradient of a pad-1, dilation-1 3x3 conv of stride S (1 or 2, both directions) in
// the forward's broadcast form, one sample: dwT[(c*9 + kh*3 + kw), oc] += sum_p xpad[c, S oh + kh,
// S ow + kw] dyT[p, oc] over the output positions p = (oh, ow), OH = (H - 1) / S + 1 rows of
// OW = (W - 1) / S + 1. xpad [Cg][H+2][W+2] is x (H x W) with a zero border (so no masks), dyT
// [P][OCp] is dy transposed with oc padded to OCp (a multiple of lanes()) by zeros. Faster than
// weight_grad there: no lane sums, and each x value is broadcast from L1 (old AVX-512 design).
void weight_grad_3x3(const float* xpad, int64_t Cg, int64_t H, int64_t W, int64_t stride, const float* dyT,
                     int64_t OCp, float* dwT);
// x [Cg][H][W] -> xpad [Cg][H+2][W+2] (x inside a zero border): the layout weight_grad_3x3 reads.
void pad_border(const float* x, int64_t Cg, int64_t H, int64_t W, float* xpad);
void pad_border_naive(const float* x, int64_t Cg, int64_t H, int64_t W, float* xpad);
// dy [OCg][P] -> dyT [P][OCp] (OCp >= OCg; oc past OCg zero): the layout weight_grad_3x3 reads.
void transpose_rows(const float* dy, int64_t OCg, int64_t P, int64_t OCp, float* dyT);
void transpose_rows_naive(const float* dy, int64_t OCg, int64_t P, int64_t OCp, float* dyT);
// Floats per vector of the running target.
int64_t lanes();

}  // namespace excite::conv_tiles
