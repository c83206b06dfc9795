// autograd/ops/loss.cpp — cross_entropy: fused log-softmax + mean NLL (core/kernels/softmax_xent).
//
// loss = (1/N) sum_n [lse(z_n) - sum_k t_nk z_nk],  t = (1 - e) onehot(label) + e / K;
// d loss / d z_nk = (softmax(z_n)_k - t_nk) / N   (derivation in core/kernels/softmax_xent.cpp).
#include <memory>

#include "autograd/ops.h"
#include "core/kernels/op_timer.h"
#include "core/kernels/softmax_xent.h"

namespace excite {

Variable cross_entropy(const Variable& logits, const std::vector<int64_t>& labels, float label_smoothing) {
  EXCITE_CHECK(logits.dim() == 2, "cross_entropy: expected logits [N, K], got " << logits.shape());
  const int64_t N = logits.size(0), K = logits.size(1);
  EXCITE_CHECK(static_cast<int64_t>(labels.size()) == N,
               "cross_entropy: logits " << logits.shape() << " need " << N << " labels, got " << labels.size());
  EXCITE_CHECK(N > 0 && K > 0, "cross_entropy: empty logits " << logits.shape());
  EXCITE_CHECK(label_smoothing >= 0.f && label_smoothing <= 1.f,
               "cross_entropy: label_smoothing must be in [0, 1], got " << label_smoothing);
  for (int64_t n = 0; n < N; ++n)
    EXCITE_CHECK(labels[n] >= 0 && labels[n] < K, "cross_entropy: label " << labels[n] << " of sample " << n
                                                                          << " is out of range [0, " << K
                                                                          << ") for logits " << logits.shape()
                                                                          << " (is num_classes right?)");
  ScopedOpTimer timer(OpKind::Loss);
  Tensor probs(logits.shape());
  const float loss = softmax_xent_forward(logits.data().data(), labels.data(), N, K, label_smoothing, probs.data());
  auto saved_labels = std::make_shared<std::vector<int64_t>>(labels);
  return make_result(Tensor::full({}, loss), "cross_entropy", {logits},
                     [probs, saved_labels, N, K, label_smoothing](const Tensor& g) {
                       ScopedOpTimer timer(OpKind::Loss);
                       Tensor dz({N, K});
                       softmax_xent_backward(probs.data(), saved_labels->data(), N, K, label_smoothing, g.item(),
                                             dz.data());
                       return std::vector<Tensor>{dz};
                     });
}

}  // namespace excite
