// layers/batchnorm.h — BatchNorm2d, as torch.nn.BatchNorm2d with its defaults.
//
// Parameters weight [C] (init 1) and bias [C] (init 0) when affine; buffers running_mean [C]
// (0), running_var [C] (1) and num_batches_tracked [] (0, saved as I64), in torch's order.
// Training mode normalises with the batch's statistics and updates the running ones with
// `momentum` (torch's convention: running = (1 - momentum) running + momentum batch, the variance
// unbiased) and counts the batch; eval mode uses the running statistics. Leaves out torch's
// momentum=None cumulative average and track_running_stats=False.
#pragma once

#include "layers/module.h"

namespace excite::layers {

struct BatchNorm2dOptions {
  int64_t channels = 0;
  float eps = 1e-5f;
  float momentum = 0.1f;
  bool affine = true;
};

class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(const BatchNorm2dOptions& options);

  Variable forward(const Variable& x) override;
  // relu(forward(x)) in one fused op (autograd batch_norm_relu), called like operator() (a
  // profile records it as this module's row). What the residual blocks use for BN-ReLU.
  Variable call_relu(const Variable& x);

  const BatchNorm2dOptions& options() const { return options_; }
  Variable weight() const { return weight_; }  // undefined without affine
  Variable bias() const { return bias_; }

 private:
  Variable forward_impl(const Variable& x, bool relu);

  BatchNorm2dOptions options_;
  Variable weight_, bias_;
};

}  // namespace excite::layers
