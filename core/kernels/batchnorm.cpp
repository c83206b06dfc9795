// core/kernels/batchnorm.cpp — batch norm forward/backward, parallel over channels, and the
// naive twin.
//
// Backward derivation (per channel; M = N*HW values x_i, xhat_i = (x_i - mu) s, s = invstd,
// y_i = gamma xhat_i + beta):
//   dbeta  = sum_i dy_i,   dgamma = sum_i dy_i xhat_i,   dxhat_i = gamma dy_i.
//   Eval mode: mu and s are constants, so dx_i = gamma s dy_i.
//   Training mode: mu = (1/M) sum x, var = (1/M) sum (x - mu)^2, s = (var + eps)^-1/2, so
//     d mu / d x_i = 1/M,   d s / d x_i = -s^3 (x_i - mu) / M,
//   and chaining through xhat_j = (x_j - mu) s for every j:
//     dx_i = s (dxhat_i - (1/M) sum_j dxhat_j - xhat_i (1/M) sum_j dxhat_j xhat_j)
//          = gamma s (dy_i - dbeta / M - xhat_i dgamma / M).
// The statistics are summed per plane in float vectors (one partial sum per lane) and across
// planes in double, so a channel of 131072 values (CIFAR, batch 128) keeps ~1e-7 relative
// accuracy. The fast kernels are written once over Highway (vectors of the running target,
// core/kernels/isa.h), parallel over channels (or planes), and the naive twin is the formula in
// double, one value at a time.
#include "core/kernels/batchnorm.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/batchnorm.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include <algorithm>
#include <vector>

#include "core/parallel.h"

HWY_BEFORE_NAMESPACE();
namespace excite::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;

namespace {

constexpr int64_t kL = static_cast<int64_t>(hn::MaxLanes(D()));

float sum_of(V v) { return hn::GetLane(hn::SumOfLanes(D(), v)); }

// sum p[i] and sum (p[i] - mu)^2 over one plane.
float plane_sum(const float* p, int64_t n) {
  const D d;
  V acc = hn::Zero(d);
  int64_t i = 0;
  for (; i + kL <= n; i += kL) acc = hn::Add(acc, hn::LoadU(d, p + i));
  float s = sum_of(acc);
  for (; i < n; ++i) s += p[i];
  return s;
}

float plane_sq_dev(const float* p, int64_t n, float mu) {
  const D d;
  const V m = hn::Set(d, mu);
  V acc = hn::Zero(d);
  int64_t i = 0;
  for (; i + kL <= n; i += kL) {
    const V v = hn::Sub(hn::LoadU(d, p + i), m);
    acc = hn::MulAdd(v, v, acc);
  }
  float s = sum_of(acc);
  for (; i < n; ++i) s += (p[i] - mu) * (p[i] - mu);
  return s;
}

// dz = dy, or with Relu dy where the output y > 0.
template <bool Relu>
V grad_in(const D d, const float* dy, const float* y, int64_t i) {
  const V g = hn::LoadU(d, dy + i);
  if constexpr (Relu) {
    return hn::IfThenElseZero(hn::Gt(hn::LoadU(d, y + i), hn::Zero(d)), g);
  } else {
    return g;
  }
}

template <bool Relu>
float grad_in(const float* dy, const float* y, int64_t i) {
  if constexpr (Relu) {
    return y[i] > 0.f ? dy[i] : 0.f;
  } else {
    return dy[i];
  }
}

}  // namespace

void Stats(const float* x, int64_t N, int64_t C, int64_t HW, float* mean, float* var) {
  const double M = static_cast<double>(N * HW);
  parallel_for(C, [&](int64_t c) {
    double sum = 0.0;
    for (int64_t n = 0; n < N; ++n) sum += plane_sum(x + (n * C + c) * HW, HW);
    const float mu = static_cast<float>(sum / M);
    double sq = 0.0;
    for (int64_t n = 0; n < N; ++n) sq += plane_sq_dev(x + (n * C + c) * HW, HW, mu);
    mean[c] = mu;
    var[c] = static_cast<float>(sq / M);
  });
}

// y = x * scale + shift per plane, optionally followed by ReLU in the same pass.
template <bool Relu>
void Forward(const float* x, const float* mean, const float* invstd, const float* gamma, const float* beta, float* y,
             int64_t N, int64_t C, int64_t HW) {
  parallel_for(N * C, [&](int64_t nc) {
    const D d;
    const int64_t c = nc % C;
    const float scale = invstd[c] * (gamma ? gamma[c] : 1.f);
    const float shift = (beta ? beta[c] : 0.f) - mean[c] * scale;
    const V vs = hn::Set(d, scale), vb = hn::Set(d, shift), zero = hn::Zero(d);
    const float* p = x + nc * HW;
    float* q = y + nc * HW;
    int64_t i = 0;
    for (; i + kL <= HW; i += kL) {
      V v = hn::MulAdd(hn::LoadU(d, p + i), vs, vb);
      if constexpr (Relu) v = hn::Max(v, zero);
      hn::StoreU(v, d, q + i);
    }
    for (; i < HW; ++i) q[i] = Relu ? std::max(p[i] * scale + shift, 0.f) : p[i] * scale + shift;
  });
}

// The backward; with Relu, dy is the gradient of relu(bn(x)) and y that output: the gradient
// reaching the normalisation is dz = dy where y > 0, else 0 (read on the fly, never stored).
template <bool Relu>
void Backward(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
              const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C, int64_t HW,
              bool training) {
  const double M = static_cast<double>(N * HW);
  parallel_for(C, [&](int64_t c) {
    const D d;
    const float mu = mean[c], s = invstd[c], gm = gamma ? gamma[c] : 1.f;
    const V vmu = hn::Set(d, mu);
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t n = 0; n < N; ++n) {
      const int64_t o = (n * C + c) * HW;
      const float* dp = dy + o;
      const float* p = x + o;
      const float* yp = Relu ? y + o : nullptr;
      V va = hn::Zero(d), vb = hn::Zero(d);
      int64_t i = 0;
      for (; i + kL <= HW; i += kL) {
        const V dz = grad_in<Relu>(d, dp, yp, i);
        va = hn::Add(va, dz);
        vb = hn::MulAdd(dz, hn::Sub(hn::LoadU(d, p + i), vmu), vb);
      }
      float a = sum_of(va), b = sum_of(vb);
      for (; i < HW; ++i) {
        const float dz = grad_in<Relu>(dp, yp, i);
        a += dz;
        b += dz * (p[i] - mu);
      }
      sum_dy += a;
      sum_dy_xhat += b;
    }
    sum_dy_xhat *= s;
    if (dbeta) dbeta[c] = static_cast<float>(sum_dy);
    if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xhat);
    if (!dx) return;
    const float k = gm * s;
    // dx = k (dz - dbeta/M - xhat dgamma/M) = k dz + (x - mu) * a2 + b2, folded per channel.
    const float mean_dy = training ? static_cast<float>(sum_dy / M) : 0.f;
    const float mean_dy_xhat = training ? static_cast<float>(sum_dy_xhat / M) : 0.f;
    const float a2 = -k * s * mean_dy_xhat;
    const float b2 = -k * mean_dy;
    const V vk = hn::Set(d, k), va2 = hn::Set(d, a2), vb2 = hn::Set(d, b2);
    for (int64_t n = 0; n < N; ++n) {
      const int64_t o = (n * C + c) * HW;
      const float* dp = dy + o;
      const float* p = x + o;
      const float* yp = Relu ? y + o : nullptr;
      float* q = dx + o;
      int64_t i = 0;
      for (; i + kL <= HW; i += kL) {
        const V dz = grad_in<Relu>(d, dp, yp, i);
        hn::StoreU(hn::MulAdd(vk, dz, hn::MulAdd(hn::Sub(hn::LoadU(d, p + i), vmu), va2, vb2)), d, q + i);
      }
      for (; i < HW; ++i) q[i] = k * grad_in<Relu>(dp, yp, i) + (p[i] - mu) * a2 + b2;
    }
  });
}

void ForwardPlain(const float* x, const float* mean, const float* invstd, const float* gamma, const float* beta,
                  float* y, int64_t N, int64_t C, int64_t HW) {
  Forward<false>(x, mean, invstd, gamma, beta, y, N, C, HW);
}
void ForwardRelu(const float* x, const float* mean, const float* invstd, const float* gamma, const float* beta,
                 float* y, int64_t N, int64_t C, int64_t HW) {
  Forward<true>(x, mean, invstd, gamma, beta, y, N, C, HW);
}
void BackwardPlain(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
                   const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C, int64_t HW,
                   bool training) {
  Backward<false>(dy, y, x, mean, invstd, gamma, dx, dgamma, dbeta, N, C, HW, training);
}
void BackwardRelu(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
                  const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C, int64_t HW,
                  bool training) {
  Backward<true>(dy, y, x, mean, invstd, gamma, dx, dgamma, dbeta, N, C, HW, training);
}

}  // namespace excite::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite {

HWY_EXPORT(Stats);
HWY_EXPORT(ForwardPlain);
HWY_EXPORT(ForwardRelu);
HWY_EXPORT(BackwardPlain);
HWY_EXPORT(BackwardRelu);

void batchnorm_stats(const float* x, int64_t N, int64_t C, int64_t HW, float* mean, float* var) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(Stats)(x, N, C, HW, mean, var);
}

void batchnorm_forward(const float* x, const float* mean, const float* invstd, const float* gamma, const float* beta,
                       float* y, int64_t N, int64_t C, int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ForwardPlain)(x, mean, invstd, gamma, beta, y, N, C, HW);
}

void batchnorm_relu_forward(const float* x, const float* mean, const float* invstd, const float* gamma,
                            const float* beta, float* y, int64_t N, int64_t C, int64_t HW) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(ForwardRelu)(x, mean, invstd, gamma, beta, y, N, C, HW);
}

void batchnorm_backward(const float* dy, const float* x, const float* mean, const float* invstd, const float* gamma,
                        float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C, int64_t HW, bool training) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(BackwardPlain)(dy, nullptr, x, mean, invstd, gamma, dx, dgamma, dbeta, N, C, HW, training);
}

void batchnorm_relu_backward(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
                             const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C,
                             int64_t HW, bool training) {
  isa_init();
  HWY_DYNAMIC_DISPATCH(BackwardRelu)(dy, y, x, mean, invstd, gamma, dx, dgamma, dbeta, N, C, HW, training);
}

// --- naive twin: the formulas as written, in double, one channel at a time ---

void batchnorm_stats_naive(const float* x, int64_t N, int64_t C, int64_t HW, float* mean, float* var) {
  for (int64_t c = 0; c < C; ++c) {
    double sum = 0.0, sq = 0.0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < HW; ++i) sum += x[(n * C + c) * HW + i];
    const double mu = sum / static_cast<double>(N * HW);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < HW; ++i) {
        const double v = x[(n * C + c) * HW + i] - mu;
        sq += v * v;
      }
    mean[c] = static_cast<float>(mu);
    var[c] = static_cast<float>(sq / static_cast<double>(N * HW));
  }
}

void batchnorm_forward_naive(const float* x, const float* mean, const float* invstd, const float* gamma,
                             const float* beta, float* y, int64_t N, int64_t C, int64_t HW) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < HW; ++i) {
        const int64_t j = (n * C + c) * HW + i;
        const double xhat = (static_cast<double>(x[j]) - mean[c]) * invstd[c];
        y[j] = static_cast<float>(xhat * (gamma ? gamma[c] : 1.0) + (beta ? beta[c] : 0.0));
      }
}

void batchnorm_backward_naive(const float* dy, const float* x, const float* mean, const float* invstd,
                              const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C,
                              int64_t HW, bool training) {
  const double M = static_cast<double>(N * HW);
  for (int64_t c = 0; c < C; ++c) {
    const double gm = gamma ? gamma[c] : 1.0, s = invstd[c];
    double sum_dxhat = 0.0, sum_dxhat_xhat = 0.0, sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < HW; ++i) {
        const int64_t j = (n * C + c) * HW + i;
        const double xhat = (x[j] - static_cast<double>(mean[c])) * s;
        sum_dy += dy[j];
        sum_dy_xhat += dy[j] * xhat;
        sum_dxhat += gm * dy[j];
        sum_dxhat_xhat += gm * dy[j] * xhat;
      }
    if (dbeta) dbeta[c] = static_cast<float>(sum_dy);
    if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xhat);
    if (!dx) continue;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < HW; ++i) {
        const int64_t j = (n * C + c) * HW + i;
        const double xhat = (x[j] - static_cast<double>(mean[c])) * s;
        const double dxhat = gm * dy[j];
        dx[j] = static_cast<float>(training ? s * (dxhat - sum_dxhat / M - xhat * sum_dxhat_xhat / M) : s * dxhat);
      }
  }
}

// --- the fused pair's naive twin: the unfused naive kernels and a separate ReLU pass ---

void batchnorm_relu_forward_naive(const float* x, const float* mean, const float* invstd, const float* gamma,
                                  const float* beta, float* y, int64_t N, int64_t C, int64_t HW) {
  batchnorm_forward_naive(x, mean, invstd, gamma, beta, y, N, C, HW);
  for (int64_t i = 0; i < N * C * HW; ++i) y[i] = y[i] > 0.f ? y[i] : 0.f;
}

void batchnorm_relu_backward_naive(const float* dy, const float* y, const float* x, const float* mean,
                                   const float* invstd, const float* gamma, float* dx, float* dgamma, float* dbeta,
                                   int64_t N, int64_t C, int64_t HW, bool training) {
  std::vector<float> dz(static_cast<size_t>(N * C * HW));
  for (size_t i = 0; i < dz.size(); ++i) dz[i] = y[i] > 0.f ? dy[i] : 0.f;
  batchnorm_backward_naive(dz.data(), x, mean, invstd, gamma, dx, dgamma, dbeta, N, C, HW, training);
}

}  // namespace excite
#endif  // HWY_ONCE
