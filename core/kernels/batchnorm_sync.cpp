// core/kernels/batchnorm_sync.cpp — dx from global sums (see the header), fast and naive.
//
// Fast: per channel, dx = a x + b dz + c0 with a, b, c0 folded once per channel
// (xhat = (x - mean) s, so  gamma s (dz - m1 - (x - mean) s m2) = k dz - k s m2 x + k (s m2 mean - m1),
// k = gamma s, m1 = sum_dz / count, m2 = sum_dz_xhat / count); the plane loop is branch-free
// and vectorises. Naive: the formula element by element in double.
#include "core/kernels/batchnorm_sync.h"

#include <algorithm>

#include "core/parallel.h"

namespace excite {

void batchnorm_dx_from_sums(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
                            const float* gamma, const double* sum_dz, const double* sum_dz_xhat, double count,
                            float* dx, int64_t N, int64_t C, int64_t HW) {
  const int64_t planes = N * C;
  parallel_for(planes, [&](int64_t p) {
    const int64_t c = p % C;
    const double s = invstd[c], k = (gamma ? gamma[c] : 1.0) * s;
    const double m1 = sum_dz[c] / count, m2 = sum_dz_xhat[c] / count;
    const float a = static_cast<float>(-k * s * m2), b = static_cast<float>(k),
                c0 = static_cast<float>(k * (s * m2 * mean[c] - m1));
    const float* xp = x + p * HW;
    const float* dyp = dy + p * HW;
    float* dxp = dx + p * HW;
    if (y) {
      const float* yp = y + p * HW;
      for (int64_t i = 0; i < HW; ++i) dxp[i] = a * xp[i] + b * (yp[i] > 0.f ? dyp[i] : 0.f) + c0;
    } else {
      for (int64_t i = 0; i < HW; ++i) dxp[i] = a * xp[i] + b * dyp[i] + c0;
    }
  }, std::max<int64_t>(1, 16384 / std::max<int64_t>(HW, 1)));
}

void batchnorm_dx_from_sums_naive(const float* dy, const float* y, const float* x, const float* mean,
                                  const float* invstd, const float* gamma, const double* sum_dz,
                                  const double* sum_dz_xhat, double count, float* dx, int64_t N, int64_t C,
                                  int64_t HW) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < HW; ++i) {
        const int64_t at = (n * C + c) * HW + i;
        const double dz = (y == nullptr || y[at] > 0.f) ? dy[at] : 0.0;
        const double xhat = (static_cast<double>(x[at]) - mean[c]) * invstd[c];
        const double g = gamma ? gamma[c] : 1.0;
        dx[at] = static_cast<float>(g * invstd[c] * (dz - sum_dz[c] / count - xhat * sum_dz_xhat[c] / count));
      }
}

}  // namespace excite
