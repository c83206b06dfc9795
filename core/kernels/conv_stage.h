// core/kernels/conv_stage.h — the staged input of conv_direct.cpp (internal to core/kernels):
// planes in which every kernel tap of a convolution is a constant shift of the output position.
//
// Tap (kh, kw) of output (oh, ow) reads input row oh*sh + kh*dh - ph and column ow*sw + kw*dw - pw.
// Write kh*dh = q*sh + rh and kw*dw - pw = qw*sw + rw (0 <= rh < sh, 0 <= rw < sw). The staged
// plane (rh, rw) of a channel, the input's stride phase
//   T[i][j] = x[i*sh + rh - ph][j*sw + rw]   (0 outside x),   i < OH + max q, j < OW,
// holds the tap at row oh + q, column ow + qw: at flat position p + q*OW + qw, p = oh*OW + ow.
// Where ow + qw leaves the row (qw = -1 at the first column, +1 at the last; a +1 shift is used
// only where that column is padding), the flat shift lands on the neighbouring row's edge, so
// those lanes are masked (TapInput::col_code). Planes: one for a stride-1 conv (x with zero rows
// above and below: a block copy), four of about H/2 x W/2 for a 3x3 stride-2, one for the 1x1
// stride-2 shortcut: about the input's size in all, where im2col writes KH * KW / (sh * sw) times it. Padding is stored zeros; the planes start after
// kSlack zeros (a -1 shift reads before the first) and end in kSlack zeros (the last vector may
// read past them). A kernel with column shifts beyond one (7x7 stride 2, dilated) stages one
// plane per (rh, kw) instead, T[i][j] = x[i*sh + rh - ph][j*sw + kw*dw - pw], no masks; a 1x1
// stride-1 conv reads x in place when its plane is a whole number of vectors.
// stage_input is written once over Highway (conv_stage.cpp): block copies for stride-1 planes,
// vector even-lane gathers for stride-2 rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/kernels/conv.h"
#include "core/kernels/conv_tiles.h"

namespace excite::conv_tiles {

// How one geometry's input [Cg, H, W] is staged.
struct Stage {
  int64_t C = 0, H = 0, W = 0, sh = 1, sw = 1;
  int64_t R = 0, OW = 0;                            // rows and columns of a staged plane
  std::vector<std::pair<int64_t, int64_t>> planes;  // (first input row, first input column) of each
  std::vector<int64_t> off;                         // [KK] shift of each tap within a channel
  bool in_place = false;                            // x already is the staged layout
  int64_t in_stride = 0;                            // floats per staged channel
  int64_t front = 0;                                // zeros before channel 0 (a -1 shift reads one)
  std::vector<uint8_t> col_code;                    // [KK] column masks (empty: none), see TapInput
  std::vector<float> col_mask;                      // [vectors][2][lanes]

  // Floats of one staged sample-group (front, planes, slack); 0 in place.
  size_t floats() const { return in_place ? 0 : static_cast<size_t>(front + C * in_stride + kSlack); }
  // What the tiles read: x itself in place, else the staged buffer (as stage_input wrote it).
  TapInput input(const float* x_or_staged) const {
    TapInput in{.x = x_or_staged + (in_place ? 0 : front), .channels = C, .in_stride = in_stride, .off = off.data(),
                .taps = static_cast<int64_t>(off.size())};
    if (!col_code.empty()) {
      in.col_code = col_code.data();
      in.col_mask = col_mask.data();
    }
    return in;
  }
};

// The column masks are built for the running target's vector width (isa.h): stage after set_isa.
Stage make_stage(const ConvGeometry& g);
// TapInput::col_mask for P positions on rows of OW: 0 in the lanes of a row's first column (code
// 1) and last column (code 2), for the running target's vector width.
std::vector<float> column_masks(int64_t P, int64_t OW);
// x [C, H, W] -> out: front zeros, the staged planes [C][plane][R][OW], then kSlack zeros (never
// in place).
void stage_input(const float* x, const Stage& st, float* out);
// The naive twin: one value at a time from the formula above.
void stage_input_naive(const float* x, const Stage& st, float* out);

}  // namespace excite::conv_tiles
