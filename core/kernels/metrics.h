// core/kernels/metrics.h — non-differentiable evaluation helpers on logits.
//
// topk_correct(logits [N, K], labels [N], k): how many samples have their label among the k
// largest logits (top-1 accuracy = topk_correct(.., 1) / N). A label counts as in the top k when
// fewer than k classes beat it; a class beats it with a larger logit, or an equal logit and a
// smaller index (ties go to the lower class index, so the count is deterministic). NaN logits
// never beat anything. Errors name the function and the shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace excite {

int64_t topk_correct(const Tensor& logits, const std::vector<int64_t>& labels, int k);

}  // namespace excite
