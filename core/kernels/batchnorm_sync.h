// core/kernels/batchnorm_sync.h — the input gradient of training-mode batch norm when the
// statistics were taken over more values than this x holds (synchronised BN across processes).
//
// With s = invstd, xhat = (x - mean) s and dz = dy (or, fused with a ReLU, dy where y > 0, else 0):
//   dx = gamma s (dz - sum_dz / count - xhat sum_dz_xhat / count)
// where sum_dz, sum_dz_xhat and count are over the whole synchronised batch (every process),
// computed by the caller (local sums from batchnorm_backward with dx = nullptr, then summed).
// With count = N*HW and the local sums this equals batchnorm_backward's dx.
// Leaves out: the sums themselves and their exchange (autograd/batchnorm_sync.cpp).
#pragma once

#include <cstdint>

namespace excite {

// y may be null (no ReLU); gamma may be null (1).
void batchnorm_dx_from_sums(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
                            const float* gamma, const double* sum_dz, const double* sum_dz_xhat, double count,
                            float* dx, int64_t N, int64_t C, int64_t HW);
void batchnorm_dx_from_sums_naive(const float* dy, const float* y, const float* x, const float* mean,
                                  const float* invstd, const float* gamma, const double* sum_dz,
                                  const double* sum_dz_xhat, double count, float* dx, int64_t N, int64_t C,
                                  int64_t HW);

}  // namespace excite
