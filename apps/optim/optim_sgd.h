// apps/optim/optim_sgd.h — SGD with momentum, dampening, Nesterov and weight decay, exactly as
// torch.optim.SGD (single-tensor path), per parameter p with gradient g:
//
//   g = g + weight_decay * p                      (coupled L2, added to the gradient)
//   if momentum != 0:
//     buf = g                    on the first step (torch's clone, no dampening)
//     buf = momentum * buf + (1 - dampening) * g  afterwards
//     g = nesterov ? g + momentum * buf : buf
//   p = p - lr * g
//
// State: "<parameter>.momentum_buffer", present once the parameter has taken a step with momentum.
#pragma once

#include "apps/optim/optim.h"

namespace excite::optim {

struct SGDOptions {
  float lr = 0.01f;
  float momentum = 0.f;
  float dampening = 0.f;
  bool nesterov = false;  // needs momentum > 0 and dampening 0, as torch
  float weight_decay = 0.f;
};

class SGD : public Optimizer {
 public:
  SGD(Params params, const SGDOptions& options);

  void step() override;
  std::vector<NamedTensor> state() const override;
  void load_state(const std::vector<NamedTensor>& state) override;
  const SGDOptions& options() const { return options_; }

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_;  // per slot; undefined before the first step
};

}  // namespace excite::optim
