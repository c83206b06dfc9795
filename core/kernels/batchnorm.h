// core/kernels/batchnorm.h — batch normalisation over [N, C, HW] on raw float*, fast and naive.
//
// Holds: the per-channel batch statistics (mean, biased variance), the normalisation
// y = (x - mean) * invstd * gamma + beta, and the backward pair; the same fused with a ReLU.
// gamma/beta may be null (affine off: gamma = 1, beta = 0). `training` in the backward says whether mean/invstd were the
// batch's own (then they depend on x and dx has two extra terms) or fixed running statistics.
// Leaves out: the running-statistics update and the choice of statistics (ops/batchnorm.cpp).
// Legend: N batch, C channels, HW = H*W pixels per plane; M = N*HW values per channel.
#pragma once

#include <cstdint>

namespace excite {

// mean[C] and biased var[C] of x [N, C, HW] over N and HW.
void batchnorm_stats(const float* x, int64_t N, int64_t C, int64_t HW, float* mean, float* var);
// y = (x - mean[c]) * invstd[c] * gamma[c] + beta[c].
void batchnorm_forward(const float* x, const float* mean, const float* invstd, const float* gamma, const float* beta,
                       float* y, int64_t N, int64_t C, int64_t HW);
// dx (if non-null), dgamma, dbeta (if non-null) from dy; x, mean, invstd, gamma as in forward.
void batchnorm_backward(const float* dy, const float* x, const float* mean, const float* invstd, const float* gamma,
                        float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C, int64_t HW, bool training);

// The same followed by ReLU, fused: y = max(0, bn(x)) in one pass; the backward takes dy of that
// output and the output y itself (dz = dy where y > 0) and needs no stored pre-ReLU tensor.
void batchnorm_relu_forward(const float* x, const float* mean, const float* invstd, const float* gamma,
                            const float* beta, float* y, int64_t N, int64_t C, int64_t HW);
void batchnorm_relu_backward(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
                             const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C,
                             int64_t HW, bool training);

void batchnorm_stats_naive(const float* x, int64_t N, int64_t C, int64_t HW, float* mean, float* var);
void batchnorm_forward_naive(const float* x, const float* mean, const float* invstd, const float* gamma,
                             const float* beta, float* y, int64_t N, int64_t C, int64_t HW);
void batchnorm_backward_naive(const float* dy, const float* x, const float* mean, const float* invstd,
                              const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t N, int64_t C,
                              int64_t HW, bool training);
void batchnorm_relu_forward_naive(const float* x, const float* mean, const float* invstd, const float* gamma,
                                  const float* beta, float* y, int64_t N, int64_t C, int64_t HW);
void batchnorm_relu_backward_naive(const float* dy, const float* y, const float* x, const float* mean,
                                   const float* invstd, const float* gamma, float* dx, float* dgamma, float* dbeta,
                                   int64_t N, int64_t C, int64_t HW, bool training);

}  // namespace excite
