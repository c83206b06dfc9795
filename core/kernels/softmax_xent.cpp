// core/kernels/softmax_xent.cpp — softmax cross-entropy forward/backward and the naive twin.
//
// Derivation, one row z [K] with target t (sum_k t_k = 1):
//   log p_k = z_k - lse(z),  lse(z) = m + log sum_j exp(z_j - m), m = max_j z_j (any m works;
//   the maximum keeps every exp() in (0, 1], so large logits cannot overflow)
//   loss = -sum_k t_k log p_k = lse(z) - sum_k t_k z_k
//   d loss / d z_j = p_j sum_k t_k - t_j = p_j - t_j          (d lse / d z_j = p_j)
// The batch loss is the mean over rows, so each row's gradient is scaled by dloss / N.
// With smoothing e: t_k = e / K + (1 - e) [k == label], so sum_k t_k z_k =
// (1 - e) z_label + (e / K) sum_k z_k.
#include "core/kernels/softmax_xent.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/parallel.h"

namespace excite {

float softmax_xent_forward(const float* logits, const int64_t* labels, int64_t N, int64_t K, float smoothing,
                           float* probs) {
  std::vector<double> row_loss(static_cast<size_t>(N));
  parallel_for(N, [&](int64_t n) {
    const float* z = logits + n * K;
    float* p = probs + n * K;
    const float m = *std::max_element(z, z + K);
    float sum = 0.f, zsum = 0.f;
    for (int64_t k = 0; k < K; ++k) {
      p[k] = std::exp(z[k] - m);
      sum += p[k];
      zsum += z[k];
    }
    const float inv = 1.f / sum;
    for (int64_t k = 0; k < K; ++k) p[k] *= inv;
    const double lse = static_cast<double>(m) + std::log(static_cast<double>(sum));
    row_loss[n] = lse - (1.0 - smoothing) * z[labels[n]] - smoothing / static_cast<double>(K) * zsum;
  }, 32);
  double total = 0.0;
  for (double l : row_loss) total += l;
  return N > 0 ? static_cast<float>(total / static_cast<double>(N)) : 0.f;
}

void softmax_xent_backward(const float* probs, const int64_t* labels, int64_t N, int64_t K, float smoothing,
                           float dloss, float* dlogits) {
  const float scale = N > 0 ? dloss / static_cast<float>(N) : 0.f;
  const float uniform = smoothing / static_cast<float>(K);
  parallel_for(N, [&](int64_t n) {
    const float* p = probs + n * K;
    float* d = dlogits + n * K;
    for (int64_t k = 0; k < K; ++k) d[k] = scale * (p[k] - uniform);
    d[labels[n]] -= scale * (1.f - smoothing);
  }, 32);
}

// --- naive twin: softmax and -sum_k t_k log p_k written out in double ---

float softmax_xent_forward_naive(const float* logits, const int64_t* labels, int64_t N, int64_t K, float smoothing,
                                 float* probs) {
  double total = 0.0;
  for (int64_t n = 0; n < N; ++n) {
    const float* z = logits + n * K;
    double m = z[0];
    for (int64_t k = 1; k < K; ++k) m = std::max(m, static_cast<double>(z[k]));
    double sum = 0.0;
    for (int64_t k = 0; k < K; ++k) sum += std::exp(z[k] - m);
    for (int64_t k = 0; k < K; ++k) {
      const double log_p = z[k] - m - std::log(sum);
      const double t = smoothing / static_cast<double>(K) + (k == labels[n] ? 1.0 - smoothing : 0.0);
      total -= t * log_p;
      probs[n * K + k] = static_cast<float>(std::exp(log_p));
    }
  }
  return N > 0 ? static_cast<float>(total / static_cast<double>(N)) : 0.f;
}

void softmax_xent_backward_naive(const float* probs, const int64_t* labels, int64_t N, int64_t K, float smoothing,
                                 float dloss, float* dlogits) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const double t = smoothing / static_cast<double>(K) + (k == labels[n] ? 1.0 - smoothing : 0.0);
      dlogits[n * K + k] = static_cast<float>(dloss * (probs[n * K + k] - t) / static_cast<double>(N));
    }
}

}  // namespace excite
