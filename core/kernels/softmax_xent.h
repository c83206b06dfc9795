// core/kernels/softmax_xent.h — fused softmax + cross-entropy on raw float*, fast and naive.
//
// Holds: the forward (mean over the batch of -sum_k t_k log softmax(z)_k, with the smoothed
// target t = (1 - e) onehot(label) + e / K) that also stores the softmax probabilities, and the
// backward that turns them into dlogits. Stable for large logits: log-sum-exp subtracts each
// row's maximum first.
// Leaves out: label checking (ops/loss.cpp checks labels and shapes before calling), class
// weights, ignore_index, reductions other than the mean.
// Legend: N batch, K classes.
#pragma once

#include <cstdint>

namespace excite {

// logits [N, K], labels [N] in [0, K) -> returns the mean loss; probs [N, K] = softmax(logits).
float softmax_xent_forward(const float* logits, const int64_t* labels, int64_t N, int64_t K, float smoothing,
                           float* probs);
// dlogits [N, K] = dloss * (probs - t) / N.
void softmax_xent_backward(const float* probs, const int64_t* labels, int64_t N, int64_t K, float smoothing,
                           float dloss, float* dlogits);

float softmax_xent_forward_naive(const float* logits, const int64_t* labels, int64_t N, int64_t K, float smoothing,
                                 float* probs);
void softmax_xent_backward_naive(const float* probs, const int64_t* labels, int64_t N, int64_t K, float smoothing,
                                 float dloss, float* dlogits);

}  // namespace excite
