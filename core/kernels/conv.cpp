// core/kernels/conv.cpp — convolution as im2col + sgemm, per sample, and its naive twin.
//
// Forward, per sample n and group gr (Kg = Cg*KH*KW, P = OH*OW):
//   col = im2col(x[n, gr])              [Kg, P]
//   y[n, gr] = W[gr] col (+ b)          [OCg, Kg] x [Kg, P] -> [OCg, P]
// Backward: y = W col is a matrix product, so
//   dW[gr] = sum_n dy[n, gr] col^T      [OCg, P] x [P, Kg]
//   dcol   = W[gr]^T dy[n, gr]          [Kg, OCg] x [OCg, P], then dx[n, gr] = col2im(dcol)
//   db[oc] = sum over n, oh, ow of dy   (col2im is im2col's adjoint: each tap's gradient goes
//                                        back to the pixel it was copied from, padding drops it)
// Threading: samples are split into one contiguous chunk per thread under parallel_for, and each
// chunk calls single-threaded sgemm (OpenBLAS runs single-threaded inside a parallel region) on
// a thread-local im2col buffer that stays in L2. Measured on the CIFAR shapes this beats one big
// batched im2col [Kg, N*P] with a 2-thread sgemm (see bench/conv_bench.cpp): no [N, OC, P]
// transpose, no 75 MB column matrix, and the sample's data stays in cache between im2col and
// gemm. dW is summed per chunk and the chunks are added in a fixed order, so results are
// reproducible for a given thread count. With fewer samples than threads the loop runs serially
// and sgemm itself uses the threads.
#include "core/kernels/conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/blas.h"
#include "core/kernels/conv_direct.h"
#include "core/kernels/pointwise.h"
#include "core/kernels/strided_copy.h"
#include "core/parallel.h"

namespace excite {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Output columns [lo, hi) whose input column ow*stride - pad + kw*dilation lies inside [0, W).
struct ValidRange {
  int64_t lo, hi;
};
ValidRange valid_range(int64_t k, int64_t stride, int64_t pad, int64_t dilation, int64_t in, int64_t out) {
  const int64_t offset = k * dilation - pad;  // input index = o * stride + offset
  const int64_t lo = std::clamp<int64_t>(ceil_div(-offset, stride), 0, out);
  const int64_t hi = std::clamp<int64_t>(floor_div(in - 1 - offset, stride) + 1, lo, out);
  return {lo, hi};
}

// A per-thread scratch buffer, grown on demand and reused across calls.
float* scratch(size_t count) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < count) buffer.resize(count);
  return buffer.data();
}

}  // namespace

void im2col(const float* x, const ConvGeometry& g, float* col) {
  const int64_t OH = g.OH(), OW = g.OW();
  for (int64_t c = 0; c < g.Cg(); ++c) {
    const float* xc = x + c * g.H * g.W;
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const ValidRange rows = valid_range(kh, g.stride_h, g.pad_h, g.dilation_h, g.H, OH);
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const ValidRange cols = valid_range(kw, g.stride_w, g.pad_w, g.dilation_w, g.W, OW);
        const int64_t iw0 = cols.lo * g.stride_w - g.pad_w + kw * g.dilation_w;
        float* out = col + ((c * g.KH + kh) * g.KW + kw) * OH * OW;
        std::fill(out, out + rows.lo * OW, 0.f);
        for (int64_t oh = rows.lo; oh < rows.hi; ++oh) {
          const float* in = xc + (oh * g.stride_h - g.pad_h + kh * g.dilation_h) * g.W + iw0;
          float* o = out + oh * OW;
          std::fill(o, o + cols.lo, 0.f);
          if (g.stride_w == 1) {
            std::memcpy(o + cols.lo, in, sizeof(float) * (cols.hi - cols.lo));
          } else if (g.stride_w == 2) {
            gather_even(in, o + cols.lo, cols.hi - cols.lo, xc + g.H * g.W - in);
          } else {
            for (int64_t ow = cols.lo; ow < cols.hi; ++ow) o[ow] = in[(ow - cols.lo) * g.stride_w];
          }
          std::fill(o + cols.hi, o + OW, 0.f);
        }
        std::fill(out + rows.hi * OW, out + OH * OW, 0.f);
      }
    }
  }
}

void col2im(const float* col, const ConvGeometry& g, float* dx) {
  const int64_t OH = g.OH(), OW = g.OW();
  for (int64_t c = 0; c < g.Cg(); ++c) {
    float* dxc = dx + c * g.H * g.W;
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const ValidRange rows = valid_range(kh, g.stride_h, g.pad_h, g.dilation_h, g.H, OH);
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const ValidRange cols = valid_range(kw, g.stride_w, g.pad_w, g.dilation_w, g.W, OW);
        const int64_t iw0 = cols.lo * g.stride_w - g.pad_w + kw * g.dilation_w;
        const float* in = col + ((c * g.KH + kh) * g.KW + kw) * OH * OW;
        for (int64_t oh = rows.lo; oh < rows.hi; ++oh) {
          float* o = dxc + (oh * g.stride_h - g.pad_h + kh * g.dilation_h) * g.W + iw0;
          const float* r = in + oh * OW;
          if (g.stride_w == 2) {
            scatter_add_even(r + cols.lo, o, cols.hi - cols.lo, dxc + g.H * g.W - o);
          } else {
            for (int64_t ow = cols.lo; ow < cols.hi; ++ow) o[(ow - cols.lo) * g.stride_w] += r[ow];
          }
        }
      }
    }
  }
}

void conv2d_forward_im2col(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g,
                           bool relu) {
  const int64_t P = g.OH() * g.OW(), Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg();
  auto one_sample = [&](int64_t n) {
    float* col = g.pointwise() ? nullptr : scratch(static_cast<size_t>(Kg * P));
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      const float* xg = x + (n * g.C + gr * Cg) * g.H * g.W;
      const float* src = xg;
      if (!g.pointwise()) {
        im2col(xg, g, col);
        src = col;
      }
      float* yg = y + (n * g.OC + gr * OCg) * P;
      if (b) {
        for (int64_t oc = 0; oc < OCg; ++oc) std::fill(yg + oc * P, yg + (oc + 1) * P, b[gr * OCg + oc]);
      }
      gemm(false, false, OCg, P, Kg, 1.f, w + gr * OCg * Kg, Kg, src, P, b ? 1.f : 0.f, yg, P);
      if (relu) relu_forward(yg, yg, OCg * P);
    }
  };
  if (g.N >= num_threads()) {
    parallel_for(g.N, one_sample);
  } else {
    for (int64_t n = 0; n < g.N; ++n) one_sample(n);
  }
}

void conv2d_bias_backward(const float* dy, float* db, const ConvGeometry& g) {
  const int64_t P = g.OH() * g.OW();
  parallel_for(g.OC, [&](int64_t oc) {
    double acc = 0.0;
    for (int64_t n = 0; n < g.N; ++n) {
      const float* d = dy + (n * g.OC + oc) * P;
      float s = 0.f;
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < P; ++i) s += d[i];
      acc += s;
    }
    db[oc] = static_cast<float>(acc);
  });
}

void conv2d_backward_im2col(const float* dy, const float* x, const float* w, float* dx, float* dw,
                            const ConvGeometry& g, bool add_dx) {
  const int64_t P = g.OH() * g.OW(), Kg = g.col_rows(), Cg = g.Cg(), OCg = g.OCg();
  const int64_t wsize = g.OC * Kg;
  if (!dx && !dw) return;
  if (dw) std::fill(dw, dw + wsize, 0.f);
  if (g.N == 0) return;

  // One chunk of samples per thread; chunk 0 sums its dW straight into dw, the others into
  // `partial`, added afterwards in chunk order.
  const int64_t T = std::min<int64_t>(g.N, num_threads());
  std::vector<float> partial(dw ? static_cast<size_t>((T - 1) * wsize) : 0);
  parallel_for(T, [&](int64_t t) {
    float* dwt = t == 0 ? dw : partial.data() + (t - 1) * wsize;
    float* col = g.pointwise() ? nullptr : scratch(static_cast<size_t>(Kg * P));
    const int64_t n0 = g.N * t / T, n1 = g.N * (t + 1) / T;
    for (int64_t n = n0; n < n1; ++n) {
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const float* xg = x + (n * g.C + gr * Cg) * g.H * g.W;
        const float* dyg = dy + (n * g.OC + gr * OCg) * P;
        const float* wg = w + gr * OCg * Kg;
        if (dw) {
          const float* src = xg;
          if (!g.pointwise()) {
            im2col(xg, g, col);
            src = col;
          }
          gemm(false, true, OCg, Kg, P, 1.f, dyg, P, src, P, 1.f, dwt + gr * OCg * Kg, Kg);
        }
        if (dx) {
          float* const out = dx + (n * g.C + gr * Cg) * g.H * g.W;
          const int64_t count = Cg * g.H * g.W;
          // With add_dx: this sample's gradient on its own, then added (to the bit the sum an
          // add after the overwriting form gives).
          std::vector<float> own(add_dx ? static_cast<size_t>(count) : 0);
          float* dxg = add_dx ? own.data() : out;
          if (g.pointwise()) {
            gemm(true, false, Cg, P, OCg, 1.f, wg, Kg, dyg, P, 0.f, dxg, P);
          } else {
            gemm(true, false, Kg, P, OCg, 1.f, wg, Kg, dyg, P, 0.f, col, P);
            std::fill(dxg, dxg + count, 0.f);
            col2im(col, g, dxg);
          }
          if (add_dx) add_own_gradient(dxg, out, count);
        }
      }
    }
  });
  if (dw) {
    for (int64_t t = 1; t < T; ++t) {
      const float* p = partial.data() + (t - 1) * wsize;
      for (int64_t i = 0; i < wsize; ++i) dw[i] += p[i];
    }
  }
}

void conv2d_forward(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g, bool relu) {
  if (conv2d_direct_preferred()) {
    conv2d_direct_forward(x, w, b, y, g, relu);
  } else {
    conv2d_forward_im2col(x, w, b, y, g, relu);
  }
}

void conv2d_backward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db,
                     const ConvGeometry& g, bool add_dx) {
  if (db) conv2d_bias_backward(dy, db, g);
  if (conv2d_direct_preferred()) {
    conv2d_direct_backward(dy, x, w, dx, dw, g, add_dx);
  } else {
    conv2d_backward_im2col(dy, x, w, dx, dw, g, add_dx);
  }
}

// --- naive twin: the definition, one multiply-add at a time, in double ---

void conv2d_forward_naive(const float* x, const float* w, const float* b, float* y, const ConvGeometry& g,
                          bool relu) {
  const int64_t OH = g.OH(), OW = g.OW(), Cg = g.Cg(), OCg = g.OCg();
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t oc = 0; oc < g.OC; ++oc)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b ? b[oc] : 0.0;
          const int64_t gr = oc / OCg;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < g.KH; ++kh)
              for (int64_t kw = 0; kw < g.KW; ++kw) {
                const int64_t ih = oh * g.stride_h - g.pad_h + kh * g.dilation_h;
                const int64_t iw = ow * g.stride_w - g.pad_w + kw * g.dilation_w;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                acc += static_cast<double>(x[((n * g.C + gr * Cg + c) * g.H + ih) * g.W + iw]) *
                       w[((oc * Cg + c) * g.KH + kh) * g.KW + kw];
              }
          y[((n * g.OC + oc) * OH + oh) * OW + ow] = static_cast<float>(relu && acc < 0.0 ? 0.0 : acc);
        }
}

void conv2d_backward_naive(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db,
                           const ConvGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW(), Cg = g.Cg(), OCg = g.OCg();
  std::vector<double> ddx(static_cast<size_t>(g.N * g.C * g.H * g.W), 0.0);
  std::vector<double> ddw(static_cast<size_t>(g.OC * Cg * g.KH * g.KW), 0.0);
  std::vector<double> ddb(static_cast<size_t>(g.OC), 0.0);
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t oc = 0; oc < g.OC; ++oc)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          const double d = dy[((n * g.OC + oc) * OH + oh) * OW + ow];
          ddb[oc] += d;
          const int64_t gr = oc / OCg;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < g.KH; ++kh)
              for (int64_t kw = 0; kw < g.KW; ++kw) {
                const int64_t ih = oh * g.stride_h - g.pad_h + kh * g.dilation_h;
                const int64_t iw = ow * g.stride_w - g.pad_w + kw * g.dilation_w;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                const int64_t xi = ((n * g.C + gr * Cg + c) * g.H + ih) * g.W + iw;
                const int64_t wi = ((oc * Cg + c) * g.KH + kh) * g.KW + kw;
                ddx[xi] += d * w[wi];
                ddw[wi] += d * x[xi];
              }
        }
  if (dx) std::copy(ddx.begin(), ddx.end(), dx);
  if (dw) std::copy(ddw.begin(), ddw.end(), dw);
  if (db) std::copy(ddb.begin(), ddb.end(), db);
}

}  // namespace excite
