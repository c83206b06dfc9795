// apps/optim/optim_adamw.h — AdamW (decoupled weight decay), exactly as torch.optim.AdamW (single-tensor
// path, amsgrad off), per parameter p with gradient g and its own step count t:
//
//   t = t + 1
//   p = p * (1 - lr * weight_decay)               (decoupled: not part of the gradient)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g^2
//   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//
// State: "<parameter>.exp_avg", "<parameter>.exp_avg_sq" and "<parameter>.step" (a scalar), once
// the parameter has taken a step.
#pragma once

#include "apps/optim/optim.h"

namespace excite::optim {

struct AdamWOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 1e-2f;
};

class AdamW : public Optimizer {
 public:
  AdamW(Params params, const AdamWOptions& options);

  void step() override;
  std::vector<NamedTensor> state() const override;
  void load_state(const std::vector<NamedTensor>& state) override;
  const AdamWOptions& options() const { return options_; }

 private:
  struct Moments {
    Tensor exp_avg, exp_avg_sq;  // undefined before the first step
    int64_t step = 0;
  };
  AdamWOptions options_;
  std::vector<Moments> moments_;  // per slot
};

}  // namespace excite::optim
