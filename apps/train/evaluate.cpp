#include "apps/train/evaluate.h"

#include "core/kernels/metrics.h"

namespace excite::apps {

EvalResult evaluate(layers::Module& model, data::Loader& loader) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  EvalResult r;
  double loss_sum = 0;
  int64_t top1 = 0, top5 = 0;
  for (const data::Batch& b : loader) {
    Variable logits = model(Variable(b.images));
    const int64_t n = static_cast<int64_t>(b.labels.size());
    loss_sum += static_cast<double>(cross_entropy(logits, b.labels).item()) * static_cast<double>(n);
    top1 += topk_correct(logits.data(), b.labels, 1);
    top5 += topk_correct(logits.data(), b.labels, std::min<int>(5, static_cast<int>(logits.size(1))));
    const int64_t k = logits.size(1);
    if (r.confusion.empty()) {
      r.classes = k;
      r.confusion.assign(static_cast<size_t>(k * k), 0);
    }
    const Tensor& l = logits.data();
    for (int64_t i = 0; i < n; ++i) {
      int64_t best = 0;
      for (int64_t j = 1; j < k; ++j)
        if (l[i * k + j] > l[i * k + best]) best = j;
      const int64_t truth = b.labels[static_cast<size_t>(i)];
      if (truth >= 0 && truth < k) ++r.confusion[static_cast<size_t>(truth * k + best)];
    }
    r.images += n;
  }
  model.train(was_training);
  if (r.images > 0) {
    r.loss = loss_sum / static_cast<double>(r.images);
    r.accuracy = static_cast<double>(top1) / static_cast<double>(r.images);
    r.top5 = static_cast<double>(top5) / static_cast<double>(r.images);
  }
  return r;
}

}  // namespace excite::apps
