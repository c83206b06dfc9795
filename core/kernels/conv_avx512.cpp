// core/kernels/conv_avx512.cpp — convolution with AVX-512 register tiles.
//
// Why: on this machine's AVX-512 cores a register-tiled product runs at 2-3x Debian OpenBLAS's
// sgemm (which runs its AVX2 "Haswell" kernels here), and im2col + sgemm spends about a third of
// a CIFAR conv writing the [C*KH*KW, OH*OW] column matrix (9x the input). So no column matrix:
//
// Stride-1 convs with OW = W (every 3x3 pad-1 conv of a ResNet, and 1x1): output position
// p = oh*W + ow reads input position p + off(kh, kw), off = (kh*dh - ph)*W + (kw*dw - pw): a
// constant shift per tap. So im2col's row (c, kh, kw) is input plane c read at a shift, with the
// lanes whose tap falls into the padding masked to 0 (the mask depends on the 16 positions of a
// vector and the tap only, so one table serves every channel and sample; masked-off lanes are
// never read, which AVX-512 guarantees even past a buffer's ends).
// Strided convs with OW = ceil(W / stride) (3x3 stride 2 pad 1, 1x1 stride 2): the input is first
// split into its stride phases (plane (rh, rw) = x[i*sh + rh, j*sw + rw], one pass over x), and
// then each tap is again a constant shift inside one phase plane (make_plan).
// Anything else im2cols one sample at a time into a per-thread buffer and runs the same kernels
// over it as a plain product (one tap, no shift). So does the input gradient of strided convs.
//
// Forward, per sample and group:  y[oc, p] = b[oc] + sum_{c, k} w[oc, c, k] x[c, p + off(k)]
//   register tile: 8 output channels x 48 positions, or 6 x 64 (24 zmm accumulators either way),
//   summed over all c, k.
// Backward to the input: dx[c, q] = sum_{oc, k} w[oc, c, k] dy[oc, q - off(k)]. For a stride-1
//   "same" conv, q - off(kh, kw) = q + off(KH-1-kh, KW-1-kw): the forward kernel again, on dy,
//   with w transposed to [C, OC] and its taps flipped (and the same masks). Otherwise through
//   im2col: dcol = w^T dy by the same kernel, then col2im (derivation in conv.cpp).
// Backward to the weight: dw[oc, c, k] = sum_n sum_p dy[n, oc, p] x[n, c, p + off(k)]. For 3x3
//   stride-1 pad-1 convs (most of a ResNet) in the forward's broadcast form: x gets a zero border
//   and dy is transposed to [P, OC], then dw^T[(c, k), oc-vector] += x[c, shifted p] dyT[p, oc]
//   with 18 accumulators over all positions (no masks, no lane sums). Otherwise a dot product
//   over positions: a 4 x 6 block of (oc, c*k) accumulates 16 positions per FMA over a group of
//   samples, then is reduced across lanes once.
// Threading as in conv.cpp: samples split over threads (when fewer samples than threads: the
// tiles of one sample), dw summed per chunk and added in chunk order.
#include "core/kernels/conv_avx512.h"

#include <algorithm>
#include <vector>

#include "core/blas.h"
#include "core/kernels/conv_tiles.h"
#include "core/parallel.h"

namespace excite {

#if defined(__AVX512F__)

using namespace conv_tiles;

bool conv2d_avx512_available() { return true; }

namespace {

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

std::vector<float> pack_weights(const float* w, const ConvGeometry& g, Packing how, int64_t rows) {
  const int64_t Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg(), KK = g.KH * g.KW;
  std::vector<float> out(static_cast<size_t>(g.OC * Kg)), t(static_cast<size_t>(OCg * Kg));
  for (int64_t gr = 0; gr < g.groups; ++gr) {
    const float* wg = w + gr * OCg * Kg;
    float* pg = out.data() + gr * OCg * Kg;
    if (how == Packing::Forward) {
      pack_rows(wg, OCg, Kg, rows, pg);
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
      pack_rows(t.data(), Cg, OCg * KK, rows, pg);
    } else {
      pack_rows(t.data(), Kg, OCg, rows, pg);
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

// The weight gradient of a 3x3 stride-1 pad-1 conv (most of a ResNet's) in broadcast form:
// per sample, x gets a zero border and dy is transposed to [P][OC] (one pass each), then
// weight_grad_3x3 sums into a per-thread dw^T; the chunks are added in order and transposed back.
void weight_grad_3x3_all(const float* dy, const float* x, float* dw, const ConvGeometry& g) {
  const int64_t Cg = g.Cg(), OCg = g.OCg(), HW = g.H * g.W, Kg = g.col_rows();
  const int64_t OCp = (OCg + 15) / 16 * 16, per_group = Cg * 9 * OCp;
  const int64_t T = std::min<int64_t>(std::max<int64_t>(g.N, 1), num_threads());
  std::vector<float> acc(static_cast<size_t>(T * g.groups * per_group), 0.f);
  parallel_for(T, [&](int64_t t) {
    float* xpad = scratch(0, static_cast<size_t>(Cg * (g.H + 2) * (g.W + 2)));
    float* dyT = scratch(1, static_cast<size_t>(HW * OCp));
    for (int64_t n = g.N * t / T, n1 = g.N * (t + 1) / T; n < n1; ++n)
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        pad_border(x + (n * g.C + gr * Cg) * HW, Cg, g.H, g.W, xpad);
        transpose_rows(dy + (n * g.OC + gr * OCg) * HW, OCg, HW, OCp, dyT);
        weight_grad_3x3(xpad, Cg, g.H, g.W, dyT, OCp, acc.data() + (t * g.groups + gr) * per_group);
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

}  // namespace

void conv2d_avx512_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g) {
  const Plan pl = forward_plan(g);
  const Input input(g, pl);
  const int64_t Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg(), HW = g.H * g.W, P = pl.P;
  const std::vector<float> wp = pack_weights(w, g, Packing::Forward, pl.block_rows);
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
    const std::vector<float> wt = pack_weights(w, g, flip ? Packing::TransposeFlip : Packing::Transpose, pl.block_rows);
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
  // (Few input channels, e.g. an RGB stem: too little work per transposed dy; the dot product wins.)
  if (same_size(g) && g.KH == 3 && g.KW == 3 && g.dilation_h == 1 && g.dilation_w == 1 && g.Cg() >= 8) {
    weight_grad_3x3_all(dy, x, dw, g);
    return;
  }
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
