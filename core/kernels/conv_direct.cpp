// core/kernels/conv_direct.cpp — convolution with register tiles over a staged input.
//
// Why: a register-tiled product runs well above OpenBLAS's sgemm on these small-K products, and
// im2col + sgemm spends about a third of a CIFAR conv writing the [C*KH*KW, OH*OW] column matrix
// (9x the input). The tiles need every tap to be a constant shift of the output position, and no
// tap to read outside its input. Staging gives both: conv_stage.h stages the input once per
// sample into planes in which each tap is a constant shift off(k) of the output position, with
// the padding stored as zeros (the input's stride phases, about its size; a row's first and last
// lanes masked where a tap shifts by a column), and conv_tiles.h's register tiles sum over every
// input channel and tap of them.
//
// Forward, per sample and group:  y[oc, p] = b[oc] + sum_{c, k} w[oc, c, k] T_c(k)[p + off(k)].
// Backward to the input: dx[c, q] = sum_{oc, k} w[oc, c, k] dy[oc, positions that read q].
//   Stride 1: that is a stride-1 conv of dy with the weight transposed to [C, OC] and flipped,
//   padding (K-1)*d - p, output H x W: the forward kernel on dy. Strided: by dx's stride phases,
//   each a stride-1 correlation of dy with the taps that reach it (input_grad_phases); where that
//   does not apply (1x1, a column shift over one, fewer samples than threads): dcol = w^T dy by the
//   forward kernel as a product (one tap, no shift), then col2im (conv.cpp).
// Backward to the weight: dw[oc, c, k] = sum_n sum_p dy[n, oc, p] T_c(k)[p + off(k)]: a dot product
//   over positions of dy and the staged input, a block of dw in registers over a group of samples;
//   for 3x3 pad-1 convs of stride 1 or 2 (most of a ResNet's) in the forward's broadcast form instead, over
//   x with a zero border and dy transposed to [P, OC] (no lane sums; see weight_grad_3x3_all).
// Threading as in conv.cpp: samples split over threads (when fewer samples than threads: the
// positions of one sample), dw summed per chunk and added in chunk order.
#include "core/kernels/conv_direct.h"

#include <algorithm>
#include <vector>

#include "core/blas.h"
#include "core/kernels/conv_stage.h"
#include "core/kernels/conv_tiles.h"
#include "core/kernels/isa.h"
#include "core/kernels/strided_copy.h"
#include "core/parallel.h"

namespace excite {

using conv_tiles::kSlack;
using conv_tiles::make_stage;
using conv_tiles::Stage;
using conv_tiles::Store;
using conv_tiles::stage_input;
using conv_tiles::TapInput;
using conv_tiles::TileShape;

namespace {

// Two per-thread scratch buffers (slots 0 and 1), grown on demand and reused across calls.
float* scratch(int slot, size_t count) {
  thread_local std::vector<float> buffers[2];
  std::vector<float>& b = buffers[slot];
  if (b.size() < count) b.resize(count);
  return b.data();
}

// The weights of every group packed for forward_positions: w as [OCg, Kg] per group (Forward),
// transposed to [Cg, OCg] with the taps reversed (input gradient of a stride-1 conv), or
// transposed to [Kg, OCg] (dcol = w^T dy).
enum class Packing { Forward, TransposeFlip, Transpose };

std::vector<float> pack_weights(const float* w, const ConvGeometry& g, Packing how, int64_t rows) {
  const int64_t Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg(), KK = g.KH * g.KW;
  std::vector<float> out(static_cast<size_t>(g.OC * Kg)), t(static_cast<size_t>(OCg * Kg));
  for (int64_t gr = 0; gr < g.groups; ++gr) {
    const float* wg = w + gr * OCg * Kg;
    float* pg = out.data() + gr * OCg * Kg;
    if (how == Packing::Forward) {
      conv_tiles::pack_rows(wg, OCg, Kg, rows, pg);
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
      conv_tiles::pack_rows(t.data(), Cg, OCg * KK, rows, pg);
    } else {
      conv_tiles::pack_rows(t.data(), Kg, OCg, rows, pg);
    }
  }
  return out;
}

// For every sample n and group gr: stage(n, gr, buf) (returns the tiles' input), then
// run(input, buf, n, gr, p0, p1) over the output positions, then finish(buf, n, gr); buf is a
// scratch buffer of stage_floats. Whole samples per thread when there are enough of them;
// otherwise one at a time, staged by the calling thread, its positions split over the threads in
// whole tiles (all of them then share the calling thread's buf).
template <typename Stage_, typename Run, typename Finish>
void for_each_sample(const ConvGeometry& g, int64_t P, const TileShape& ts, size_t stage_floats, Stage_&& stage,
                     Run&& run, Finish&& finish) {
  const int64_t count = g.N * g.groups;
  if (count >= num_threads()) {
    parallel_for(count, [&](int64_t i) {
      float* buf = scratch(0, stage_floats);
      const float* in = stage(i / g.groups, i % g.groups, buf);
      run(in, buf, i / g.groups, i % g.groups, int64_t{0}, P);
      finish(buf, i / g.groups, i % g.groups);
    });
    return;
  }
  const int64_t tile = static_cast<int64_t>(ts.vectors) * ts.lanes;
  const int64_t tiles = (P + tile - 1) / tile;
  float* buf = scratch(0, stage_floats);
  for (int64_t i = 0; i < count; ++i) {
    const float* in = stage(i / g.groups, i % g.groups, buf);
    parallel_for(tiles, [&](int64_t t) {
      run(in, buf, i / g.groups, i % g.groups, t * tile, std::min(P, (t + 1) * tile));
    });
    finish(buf, i / g.groups, i % g.groups);
  }
}

// y [N, OCg per group, P] = conv over input planes [N, Cin per group, H, W] as staged by st.
void forward_staged(const float* x, int64_t x_sample, int64_t x_group, const Stage& st, const float* wp,
                    int64_t Cout, const float* bias, float* y, int64_t y_sample, int64_t y_group, int64_t P,
                    const ConvGeometry& loop, const TileShape& ts, Store store = Store::Set) {
  const int64_t CinKK = st.C * static_cast<int64_t>(st.off.size());
  for_each_sample(
      loop, P, ts, st.floats(),
      [&](int64_t n, int64_t gr, float* buf) -> const float* {
        const float* src = x + n * x_sample + gr * x_group;
        if (st.in_place) return src;
        stage_input(src, st, buf);
        return buf;
      },
      [&](const float* in, float*, int64_t n, int64_t gr, int64_t p0, int64_t p1) {
        TapInput tin = st.input(in);
        tin.store = store;
        // The next sample's input while this one computes (whole samples per thread only).
        if (p0 == 0 && p1 == P && n + 1 < loop.N) tin.next = {x + (n + 1) * x_sample + gr * x_group, st.C * st.H * st.W};
        conv_tiles::forward_positions(tin, wp + gr * Cout * CinKK, Cout, bias ? bias + gr * Cout : nullptr,
                                      y + n * y_sample + gr * y_group, P, p0, p1);
      },
      [](float*, int64_t, int64_t) {});
}

// The geometry whose forward is the input gradient of stride-1 conv g: dy [N, OC, OH, OW] in,
// dx [N, C, H, W] out, weight [C, OCg, KH, KW] flipped, padding (K-1)*d - p on each side.
ConvGeometry transposed_stride1(const ConvGeometry& g) {
  ConvGeometry t = g;
  t.C = g.OC;
  t.H = g.OH();
  t.W = g.OW();
  t.OC = g.C;
  t.pad_h = (g.KH - 1) * g.dilation_h - g.pad_h;
  t.pad_w = (g.KW - 1) * g.dilation_w - g.pad_w;
  return t;
}

// The input gradient of a strided conv by the input's stride phases. Input row ih = i*sh + a
// takes output row oh through tap kh where oh*sh + kh*dh - ph = ih: where a + ph - kh*dh is a
// multiple of sh, at oh = i + e with e = (a + ph - kh*dh) / sh (columns alike). So phase (a, b)
// of dx, dx[c, i*sh + a, j*sw + b], is a stride-1 correlation of dy with the taps that reach it,
// each at the constant shift (e_h, e_w): the forward tiles over dy staged once per sample (zero
// rows around it, column shifts of one masked as in the forward), the phase computed on rows of
// OW columns and its first Wb = ceil((W - b) / sw) columns interleaved into dx. A phase no tap
// reaches (a 1x1 stride-2 shortcut's odd rows and columns) is zero. No column matrix, and a
// quarter of the stride-2 3x3's taps per phase instead of all nine per dcol row.
struct Phase {
  int64_t rows = 0;               // Ha, the rows of dx's phase
  int64_t at = 0;                 // where its output [Cg][Ha * OW] starts
  std::vector<int64_t> off;       // [taps] shift into the staged dy (empty: no tap reaches it)
  std::vector<uint8_t> col_code;  // [taps] as TapInput::col_code
  std::vector<float> col_mask;    // for Ha * OW positions
  std::vector<float> wp;          // the weights of its taps packed for forward_positions
};

struct PhasePlan {
  int64_t row0 = 0, R = 0;  // the staged dy rows: dy rows [row0, row0 + R), zero outside dy
  std::vector<Phase> phases;
  int64_t total = 0;  // floats of the phase outputs, [Cg][Ha * OW] each (those with taps)
};

// The plan for one group's weights, or an empty one where a column shift exceeds one (a 7x7
// stride-2 stem's odd columns; such convs take dcol + col2im).
PhasePlan plan_phases(const float* wg, const ConvGeometry& g) {
  const int64_t Cg = g.Cg(), OCg = g.OCg(), OH = g.OH(), OW = g.OW(), KK = g.KH * g.KW;
  PhasePlan plan;
  int64_t lo = 0, hi = 0;  // dy rows read, relative to the phase's own row i
  for (int64_t a = 0; a < g.stride_h; ++a)
    for (int64_t b = 0; b < g.stride_w; ++b) {
      Phase ph;
      ph.rows = (g.H - a + g.stride_h - 1) / g.stride_h;
      struct Tap {
        int64_t k, eh, ew;
      };
      std::vector<Tap> taps;
      for (int64_t kh = 0; kh < g.KH; ++kh) {
        const int64_t vh = a + g.pad_h - kh * g.dilation_h;
        if (vh % g.stride_h != 0) continue;
        for (int64_t kw = 0; kw < g.KW; ++kw) {
          const int64_t vw = b + g.pad_w - kw * g.dilation_w;
          if (vw % g.stride_w == 0) taps.push_back({kh * g.KW + kw, vh / g.stride_h, vw / g.stride_w});
        }
      }
      const int64_t T = static_cast<int64_t>(taps.size()), P = ph.rows * OW;
      if (T > 0) {
        // Its Wb = ceil((W - b) / sw) columns must fit dy's rows.
        if ((g.W - b + g.stride_w - 1) / g.stride_w > OW) return {};
        for (const Tap& t : taps) {
          if (t.ew < -1 || t.ew > 1) return {};
          lo = std::min(lo, t.eh);
          hi = std::max(hi, ph.rows - 1 + t.eh);
          ph.off.push_back(t.eh * OW + t.ew);  // the row base is added below
          ph.col_code.push_back(static_cast<uint8_t>(t.ew < 0 ? 1 : t.ew > 0 ? 2 : 0));
        }
        // Weights of these taps as [Cg][OCg * taps] (channel-major, then tap), packed by rows.
        std::vector<float> wt(static_cast<size_t>(Cg * OCg * T));
        for (int64_t c = 0; c < Cg; ++c)
          for (int64_t oc = 0; oc < OCg; ++oc)
            for (int64_t k = 0; k < T; ++k) wt[(c * OCg + oc) * T + k] = wg[(oc * Cg + c) * KK + taps[k].k];
        ph.wp.resize(wt.size());
        conv_tiles::pack_rows(wt.data(), Cg, OCg * T, conv_tiles::forward_tile_shape(P).rows, ph.wp.data());
        ph.col_mask = conv_tiles::column_masks(P, OW);
        ph.at = plan.total;
        plan.total += Cg * P;
      }
      plan.phases.push_back(std::move(ph));
    }
  plan.row0 = lo;
  plan.R = std::max<int64_t>(hi, OH - 1) - lo + 1;
  for (Phase& ph : plan.phases)
    for (int64_t& o : ph.off) o -= lo * OW;
  return plan;
}

// dx by phases; false (nothing written) where plan_phases does not apply or there are fewer
// sample-groups than threads (dcol + col2im then splits one sample's positions).
bool input_grad_phases(const float* dy, const float* w, float* dx, const ConvGeometry& g, bool add) {
  const int64_t Cg = g.Cg(), OCg = g.OCg(), HW = g.H * g.W, OW = g.OW(), OHW = g.OH() * OW;
  const int64_t count = g.N * g.groups;
  // (A 1x1 shortcut has one tap in one phase: dcol = w^T dy read in place and col2im's vector
  // scatter measured faster there, 30 against 18 GFLOP/s on the bench's 1x1 16->32 stride 2.)
  if (count < num_threads() || g.KH * g.KW == 1) return false;
  std::vector<PhasePlan> plans;
  for (int64_t gr = 0; gr < g.groups; ++gr) {
    plans.push_back(plan_phases(w + gr * OCg * Cg * g.KH * g.KW, g));
    if (plans.back().phases.empty()) return false;
  }
  // dy staged as one plane per channel: rows [row0, row0 + R) of dy, zero outside, OW wide.
  Stage st;
  st.C = OCg;
  st.H = g.OH();
  st.W = OW;
  st.R = plans[0].R;
  st.OW = OW;
  st.planes = {{plans[0].row0, 0}};
  st.in_stride = st.R * OW;
  st.front = kSlack;
  parallel_for(count, [&](int64_t i) {
    const int64_t n = i / g.groups, gr = i % g.groups;
    const PhasePlan& plan = plans[static_cast<size_t>(gr)];
    float* staged = scratch(0, st.floats());
    float* out = scratch(1, static_cast<size_t>(plan.total));
    stage_input(dy + (n * g.OC + gr * OCg) * OHW, st, staged);
    for (const Phase& ph : plan.phases) {
      if (ph.off.empty()) continue;
      const int64_t P = ph.rows * OW;
      TapInput in{.x = staged + st.front, .channels = OCg, .in_stride = st.in_stride, .off = ph.off.data(),
                  .taps = static_cast<int64_t>(ph.off.size()), .col_code = ph.col_code.data(),
                  .col_mask = ph.col_mask.data()};
      conv_tiles::forward_positions(in, ph.wp.data(), Cg, nullptr, out + ph.at, P, 0, P);
    }
    // Row ih = i*sh + a of dx from the row i of its phases (a, 0 .. sw-1); a phase no tap reaches
    // gives zeros.
    float* d = dx + (n * g.C + gr * Cg) * HW;
    thread_local std::vector<float> row_sum;  // with add: a row woven here, then added to dx's
    if (add) row_sum.resize(static_cast<size_t>(g.W));
    for (int64_t c = 0; c < Cg; ++c)
      for (int64_t ih = 0; ih < g.H; ++ih) {
        const int64_t a = ih % g.stride_h, row = ih / g.stride_h;
        float* const dx_row = d + c * HW + ih * g.W;
        float* o = add ? row_sum.data() : dx_row;
        auto add_row = [&] {
          if (add) add_own_gradient(row_sum.data(), dx_row, g.W);
        };
        auto source = [&](int64_t b) -> const float* {
          const Phase& ph = plan.phases[static_cast<size_t>(a * g.stride_w + b)];
          return ph.off.empty() ? nullptr : out + ph.at + (c * ph.rows + row) * OW;
        };
        if (g.stride_w == 2) {
          interleave_pair(source(0), source(1), o, (g.W + 1) / 2, g.W / 2);
          add_row();
          continue;
        }
        for (int64_t b = 0; b < g.stride_w; ++b) {
          const float* src = source(b);
          for (int64_t j = 0, iw = b; iw < g.W; ++j, iw += g.stride_w) o[iw] = src ? src[j] : 0.f;
        }
        add_row();
      }
  });
  return true;
}

// dx = the input gradient, or with add dx += it.
void input_grad(const float* dy, const float* w, float* dx, const ConvGeometry& g, bool add) {
  const int64_t Cg = g.Cg(), OCg = g.OCg(), HW = g.H * g.W, P = g.OH() * g.OW(), Kg = g.col_rows();
  if (g.stride_h == 1 && g.stride_w == 1) {
    const ConvGeometry t = transposed_stride1(g);
    const Stage st = make_stage(t);
    const TileShape ts = conv_tiles::forward_tile_shape(HW);
    const std::vector<float> wt = pack_weights(w, g, Packing::TransposeFlip, ts.rows);
    forward_staged(dy, g.OC * P, OCg * P, st, wt.data(), Cg, nullptr, dx, g.C * HW, Cg * HW, HW, t, ts,
                   add ? Store::Add : Store::Set);
    return;
  }
  if (input_grad_phases(dy, w, dx, g, add)) return;
  // dcol [Kg, P] = w^T dy per sample and group: a product over dy's OCg rows (staged into a
  // buffer with slack unless P is a whole number of vectors), then col2im into dx.
  const TileShape ts = conv_tiles::forward_tile_shape(P);
  const std::vector<float> wt = pack_weights(w, g, Packing::Transpose, ts.rows);
  const bool copy = P % kSlack != 0;
  const int64_t zero = 0;
  const TapInput product{.channels = OCg, .in_stride = P, .off = &zero, .taps = 1};
  const size_t floats = static_cast<size_t>((copy ? OCg * P + kSlack : 0) + Kg * P);
  for_each_sample(
      g, P, ts, floats,
      [&](int64_t n, int64_t gr, float* buf) -> const float* {
        const float* src = dy + (n * g.OC + gr * OCg) * P;
        if (!copy) return src;
        std::copy(src, src + OCg * P, buf + Kg * P);
        std::fill(buf + Kg * P + OCg * P, buf + Kg * P + OCg * P + kSlack, 0.f);
        return buf + Kg * P;
      },
      [&](const float* in, float* buf, int64_t n, int64_t gr, int64_t p0, int64_t p1) {
        TapInput pin = product;
        pin.x = in;
        if (p0 == 0 && p1 == P && n + 1 < g.N) pin.next = {dy + ((n + 1) * g.OC + gr * OCg) * P, OCg * P};
        // dcol [Kg, P] at the start of buf.
        conv_tiles::forward_positions(pin, wt.data() + gr * OCg * Kg, Kg, nullptr, buf, P, p0, p1);
      },
      [&](float* buf, int64_t n, int64_t gr) {
        float* const out = dx + (n * g.C + gr * Cg) * HW;
        // With add: the sample's gradient first on its own, then added (the sum dx would be
        // with add_dx off followed by an add, to the bit).
        float* d = add ? scratch(1, static_cast<size_t>(Cg * HW)) : out;
        std::fill(d, d + Cg * HW, 0.f);
        col2im(buf, g, d);
        if (add) add_own_gradient(d, out, Cg * HW);
      });
}

// The weight gradient of a 3x3 pad-1 conv of stride 1 or 2 (most of a ResNet's) in broadcast form:
// per sample, x gets a zero border and dy is transposed to [P][OCp] (one pass each), then
// weight_grad_3x3 sums into a per-thread dw^T; the chunks are added in order and transposed back.
void weight_grad_3x3_all(const float* dy, const float* x, float* dw, const ConvGeometry& g) {
  const int64_t Cg = g.Cg(), OCg = g.OCg(), HW = g.H * g.W, P = g.OH() * g.OW(), Kg = g.col_rows();
  const int64_t L = conv_tiles::lanes(), OCp = (OCg + L - 1) / L * L, per_group = Cg * 9 * OCp;
  const int64_t T = std::min<int64_t>(std::max<int64_t>(g.N, 1), num_threads());
  std::vector<float> acc(static_cast<size_t>(T * g.groups * per_group), 0.f);
  parallel_for(T, [&](int64_t t) {
    float* xpad = scratch(0, static_cast<size_t>(Cg * (g.H + 2) * (g.W + 2)));
    float* dyT = scratch(1, static_cast<size_t>(P * OCp));
    for (int64_t n = g.N * t / T, n1 = g.N * (t + 1) / T; n < n1; ++n)
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        conv_tiles::pad_border(x + (n * g.C + gr * Cg) * HW, Cg, g.H, g.W, xpad);
        conv_tiles::transpose_rows(dy + (n * g.OC + gr * OCg) * P, OCg, P, OCp, dyT);
        conv_tiles::weight_grad_3x3(xpad, Cg, g.H, g.W, g.stride_h, dyT, OCp,
                                    acc.data() + (t * g.groups + gr) * per_group);
      }
  });
  for (int64_t gr = 0; gr < g.groups; ++gr)
    for (int64_t oc = 0; oc < OCg; ++oc)
      for (int64_t k = 0; k < Kg; ++k) {
        float sum = 0.f;
        for (int64_t t = 0; t < T; ++t) sum += acc[(t * g.groups + gr) * per_group + k * OCp + oc];
        dw[(gr * OCg + oc) * Kg + k] = sum;
      }
}

// A 3x3 pad-1 conv weight_grad_3x3 covers: stride 1 or 2, the same both ways, dilation 1.
bool broadcast_3x3(const ConvGeometry& g) {
  return g.KH == 3 && g.KW == 3 && g.stride_h == g.stride_w && (g.stride_h == 1 || g.stride_h == 2) &&
         g.pad_h == 1 && g.pad_w == 1 && g.dilation_h == 1 && g.dilation_w == 1;
}

void weight_grad(const float* dy, const float* x, float* dw, const ConvGeometry& g) {
  const int64_t Cg = g.Cg(), OCg = g.OCg(), HW = g.H * g.W, P = g.OH() * g.OW(), Kg = g.col_rows();
  const int64_t wsize = g.OC * Kg;
  // (Few input channels, e.g. an RGB stem, or few output channels: too little work per
  // transposed dy or padded x; the dot product wins.)
  if (broadcast_3x3(g) && Cg >= 8 && 2 * OCg >= conv_tiles::lanes()) {
    weight_grad_3x3_all(dy, x, dw, g);
    return;
  }
  std::fill(dw, dw + wsize, 0.f);
  if (g.N == 0) return;
  const Stage st = make_stage(g);
  // Samples per block of dw: enough positions (~4096) that the final lane sums are rare, few
  // enough that the staged inputs and dy of the block stay in L2 (about 512 KB).
  const int64_t per_sample = (st.in_place ? Cg * HW : st.C * st.in_stride) + OCg * P;
  const int64_t S = std::clamp<int64_t>(std::min(4096 / std::max<int64_t>(P, 1), 131072 / per_sample), 1, g.N);
  const int64_t T = std::min<int64_t>(g.N, num_threads());
  std::vector<float> partial(static_cast<size_t>((T - 1) * wsize), 0.f);
  parallel_for(T, [&](int64_t t) {
    float* dwt = t == 0 ? dw : partial.data() + (t - 1) * wsize;
    const int64_t staged_sample = st.front + st.C * st.in_stride;
    float* staged = st.in_place ? nullptr : scratch(0, static_cast<size_t>(S * staged_sample + kSlack));
    const int64_t n0 = g.N * t / T, n1 = g.N * (t + 1) / T;
    for (int64_t ns = n0; ns < n1; ns += S) {
      const int64_t s = std::min(S, n1 - ns);
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        TapInput in = st.input(st.in_place ? x + (ns * g.C + gr * Cg) * HW : staged);
        in.sample_stride = g.C * HW;
        if (!st.in_place) {
          // Each sample's front, planes and slack; the slack of one is overwritten by the next
          // one's front (zeros too), the last one's is zeroed.
          for (int64_t j = 0; j < s; ++j) stage_input(x + ((ns + j) * g.C + gr * Cg) * HW, st, staged + j * staged_sample);
          in.sample_stride = staged_sample;
        }
        conv_tiles::weight_grad(dy + (ns * g.OC + gr * OCg) * P, g.OC * P, OCg, in, s, P, dwt + gr * OCg * Kg);
      }
    }
  });
  for (int64_t t = 1; t < T; ++t) {
    const float* p = partial.data() + (t - 1) * wsize;
    for (int64_t i = 0; i < wsize; ++i) dw[i] += p[i];
  }
}

}  // namespace

bool conv2d_direct_preferred() { return isa_lanes() > 1; }

void conv2d_direct_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g,
                           bool relu) {
  const int64_t P = g.OH() * g.OW(), HW = g.H * g.W;
  const Stage st = make_stage(g);
  const TileShape ts = conv_tiles::forward_tile_shape(P);
  const std::vector<float> wp = pack_weights(w, g, Packing::Forward, ts.rows);
  forward_staged(x, g.C * HW, g.Cg() * HW, st, wp.data(), g.OCg(), b, y, g.OC * P, g.OCg() * P, P, g, ts,
                 relu ? Store::SetRelu : Store::Set);
}

void conv2d_direct_backward(const float* dy, const float* x, const float* w, float* dx, float* dw,
                            const ConvGeometry& g, bool add_dx) {
  if (dx) input_grad(dy, w, dx, g, add_dx);
  if (dw) weight_grad(dy, x, dw, g);
}

}  // namespace excite
