// autograd/batchnorm_sync.cpp — the reducer slot and the two synchronised steps of batch_norm.
#include "autograd/batchnorm_sync.h"

#include <vector>

#include "core/kernels/batchnorm.h"
#include "core/kernels/batchnorm_sync.h"

namespace excite {

namespace {
BatchNormReducer& slot() {
  static BatchNormReducer reducer;
  return reducer;
}
}  // namespace

void set_batchnorm_reducer(BatchNormReducer reducer) { slot() = std::move(reducer); }
bool batchnorm_reducer_installed() { return static_cast<bool>(slot()); }

void batchnorm_sync_stats(const float* x, int64_t N, int64_t C, int64_t HW, float* mean, float* var, double* count) {
  batchnorm_stats(x, N, C, HW, mean, var);
  const double m = static_cast<double>(N * HW);
  // [sum x (C), sum x^2 (C), count]
  std::vector<double> sums(static_cast<size_t>(2 * C + 1));
  for (int64_t c = 0; c < C; ++c) {
    sums[c] = m * mean[c];
    sums[C + c] = m * (static_cast<double>(var[c]) + static_cast<double>(mean[c]) * mean[c]);
  }
  sums[2 * C] = m;
  if (slot()) slot()(sums.data(), 2 * C + 1);
  *count = sums[2 * C];
  for (int64_t c = 0; c < C; ++c) {
    const double mu = sums[c] / *count;
    const double v = sums[C + c] / *count - mu * mu;
    mean[c] = static_cast<float>(mu);
    var[c] = static_cast<float>(v > 0 ? v : 0);
  }
}

void batchnorm_sync_backward(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
                             const float* gamma, double count, float* dx, float* dgamma, float* dbeta, int64_t N,
                             int64_t C, int64_t HW) {
  // Local sum dz xhat and sum dz (the parameter gradients of this process).
  if (y)
    batchnorm_relu_backward(dy, y, x, mean, invstd, gamma, nullptr, dgamma, dbeta, N, C, HW, true);
  else
    batchnorm_backward(dy, x, mean, invstd, gamma, nullptr, dgamma, dbeta, N, C, HW, true);
  if (!dx) return;
  std::vector<double> sums(static_cast<size_t>(2 * C));  // [sum dz (C), sum dz xhat (C)]
  for (int64_t c = 0; c < C; ++c) {
    sums[c] = dbeta[c];
    sums[C + c] = dgamma[c];
  }
  if (slot()) slot()(sums.data(), 2 * C);
  batchnorm_dx_from_sums(dy, y, x, mean, invstd, gamma, sums.data(), sums.data() + C, count, dx, N, C, HW);
}

}  // namespace excite
