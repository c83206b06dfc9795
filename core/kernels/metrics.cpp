// core/kernels/metrics.cpp — topk_correct: count, per row, the classes that beat the label.
#include "core/kernels/metrics.h"

namespace excite {

int64_t topk_correct(const Tensor& logits, const std::vector<int64_t>& labels, int k) {
  EXCITE_CHECK(logits.dim() == 2, "topk_correct: expected logits [N, K], got " << logits.shape());
  const int64_t N = logits.size(0), K = logits.size(1);
  EXCITE_CHECK(static_cast<int64_t>(labels.size()) == N, "topk_correct: logits " << logits.shape() << " need " << N
                                                                                  << " labels, got " << labels.size());
  EXCITE_CHECK(k >= 1, "topk_correct: k must be at least 1, got " << k);
  const float* z = logits.data();
  int64_t correct = 0;
  for (int64_t n = 0; n < N; ++n) {
    const int64_t y = labels[n];
    EXCITE_CHECK(y >= 0 && y < K, "topk_correct: label " << y << " of sample " << n << " is out of range [0, " << K
                                                         << ") for logits " << logits.shape());
    const float* row = z + n * K;
    int64_t beaten_by = 0;
    for (int64_t j = 0; j < K; ++j) beaten_by += row[j] > row[y] || (row[j] == row[y] && j < y);
    correct += beaten_by < k;
  }
  return correct;
}

}  // namespace excite
