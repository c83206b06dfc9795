// core/kernels/pool.cpp — pooling forward/backward, parallel over the N*C planes, and the naive
// twin that checks every tap against the padding one at a time.
//
// Backward: max pooling is y = x[argmax], so dx[argmax] += dy and every other tap gets 0; average
// pooling is y = sum(window) / divisor, so each real pixel of the window gets dy / divisor
// (padding taps take their share and drop it). Windows overlap when stride < kernel, hence +=.
#include "core/kernels/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/parallel.h"

namespace excite {

namespace {

// A window clipped to the input, plus torch's divisor for average pooling.
struct Window {
  int64_t h0, h1, w0, w1;
  float divisor;
};

Window window(const PoolGeometry& g, int64_t oh, int64_t ow) {
  const int64_t h0 = oh * g.stride_h - g.pad_h, w0 = ow * g.stride_w - g.pad_w;
  const int64_t h1 = std::min(h0 + g.KH, g.H + g.pad_h), w1 = std::min(w0 + g.KW, g.W + g.pad_w);
  const int64_t padded = (h1 - h0) * (w1 - w0);
  Window win{std::max<int64_t>(h0, 0), std::min(h1, g.H), std::max<int64_t>(w0, 0), std::min(w1, g.W), 0.f};
  win.divisor = static_cast<float>(g.count_include_pad ? padded : (win.h1 - win.h0) * (win.w1 - win.w0));
  return win;
}

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

}  // namespace

void max_pool2d_forward(const float* x, float* y, int32_t* argmax, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  parallel_for(g.N * g.C, [&](int64_t nc) {
    const float* p = x + nc * g.H * g.W;
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const Window win = window(g, oh, ow);
        float best = kMinusInf;
        int32_t at = static_cast<int32_t>(win.h0 * g.W + win.w0);  // an all -inf window: its first tap
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t iw = win.w0; iw < win.w1; ++iw) {
            const float v = p[ih * g.W + iw];
            if (v > best || (std::isnan(v) && !std::isnan(best))) {
              best = v;
              at = static_cast<int32_t>(ih * g.W + iw);
            }
          }
        y[(nc * OH + oh) * OW + ow] = best;
        argmax[(nc * OH + oh) * OW + ow] = at;
      }
  });
}

void max_pool2d_backward(const float* dy, const int32_t* argmax, float* dx, const PoolGeometry& g) {
  const int64_t P = g.OH() * g.OW(), HW = g.H * g.W;
  parallel_for(g.N * g.C, [&](int64_t nc) {
    float* q = dx + nc * HW;
    std::fill(q, q + HW, 0.f);
    for (int64_t i = 0; i < P; ++i)
      if (argmax[nc * P + i] >= 0) q[argmax[nc * P + i]] += dy[nc * P + i];
  });
}

void avg_pool2d_forward(const float* x, float* y, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  parallel_for(g.N * g.C, [&](int64_t nc) {
    const float* p = x + nc * g.H * g.W;
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const Window win = window(g, oh, ow);
        float s = 0.f;
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t iw = win.w0; iw < win.w1; ++iw) s += p[ih * g.W + iw];
        y[(nc * OH + oh) * OW + ow] = s / win.divisor;
      }
  });
}

void avg_pool2d_backward(const float* dy, float* dx, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  parallel_for(g.N * g.C, [&](int64_t nc) {
    float* q = dx + nc * g.H * g.W;
    std::fill(q, q + g.H * g.W, 0.f);
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const Window win = window(g, oh, ow);
        const float d = dy[(nc * OH + oh) * OW + ow] / win.divisor;
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t iw = win.w0; iw < win.w1; ++iw) q[ih * g.W + iw] += d;
      }
  });
}

// --- naive twin: every tap of the padded window, checked against the input bounds ---

void max_pool2d_forward_naive(const float* x, float* y, int32_t* argmax, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        float best = kMinusInf;
        int32_t at = -1;
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_h + kh, iw = ow * g.stride_w - g.pad_w + kw;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;  // padding: -inf, never the max
            const float v = x[(nc * g.H + ih) * g.W + iw];
            if (at < 0 || v > best || (std::isnan(v) && !std::isnan(best))) {
              best = v;
              at = static_cast<int32_t>(ih * g.W + iw);
            }
          }
        y[(nc * OH + oh) * OW + ow] = best;
        argmax[(nc * OH + oh) * OW + ow] = at;
      }
}

void max_pool2d_backward_naive(const float* dy, const int32_t* argmax, float* dx, const PoolGeometry& g) {
  const int64_t P = g.OH() * g.OW(), HW = g.H * g.W;
  std::fill(dx, dx + g.N * g.C * HW, 0.f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t i = 0; i < P; ++i) dx[nc * HW + argmax[nc * P + i]] += dy[nc * P + i];
}

void avg_pool2d_forward_naive(const float* x, float* y, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double s = 0.0;
        int64_t real = 0, padded = 0;
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_h + kh, iw = ow * g.stride_w - g.pad_w + kw;
            if (ih >= g.H + g.pad_h || iw >= g.W + g.pad_w) continue;  // beyond the padding: not counted
            ++padded;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            ++real;
            s += x[(nc * g.H + ih) * g.W + iw];
          }
        y[(nc * OH + oh) * OW + ow] = static_cast<float>(s / static_cast<double>(g.count_include_pad ? padded : real));
      }
}

void avg_pool2d_backward_naive(const float* dy, float* dx, const PoolGeometry& g) {
  const int64_t OH = g.OH(), OW = g.OW();
  std::fill(dx, dx + g.N * g.C * g.H * g.W, 0.f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t real = 0, padded = 0;
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_h + kh, iw = ow * g.stride_w - g.pad_w + kw;
            if (ih >= g.H + g.pad_h || iw >= g.W + g.pad_w) continue;
            ++padded;
            real += (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W);
          }
        const float d = dy[(nc * OH + oh) * OW + ow] / static_cast<float>(g.count_include_pad ? padded : real);
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_h + kh, iw = ow * g.stride_w - g.pad_w + kw;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            dx[(nc * g.H + ih) * g.W + iw] += d;
          }
      }
}

// --- global pools: one output per plane ---

void global_avg_pool_forward(const float* x, float* y, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const float* p = x + i * HW;
    float s = 0.f;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < HW; ++j) s += p[j];
    y[i] = s / static_cast<float>(HW);
  }, 64);
}

void global_avg_pool_backward(const float* dy, float* dx, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const float d = dy[i] / static_cast<float>(HW);
    std::fill(dx + i * HW, dx + (i + 1) * HW, d);
  }, 64);
}

void global_max_pool_forward(const float* x, float* y, int32_t* argmax, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    const float* p = x + i * HW;
    float best = kMinusInf;
    int32_t at = HW > 0 ? 0 : -1;
    for (int64_t j = 0; j < HW; ++j)
      if (p[j] > best || (std::isnan(p[j]) && !std::isnan(best))) {
        best = p[j];
        at = static_cast<int32_t>(j);
      }
    y[i] = best;
    argmax[i] = at;
  }, 64);
}

void global_max_pool_backward(const float* dy, const int32_t* argmax, float* dx, int64_t NC, int64_t HW) {
  parallel_for(NC, [&](int64_t i) {
    std::fill(dx + i * HW, dx + (i + 1) * HW, 0.f);
    if (argmax[i] >= 0) dx[i * HW + argmax[i]] = dy[i];
  }, 64);
}

}  // namespace excite
