// layers/linear.h — Linear, as torch.nn.Linear: y = x W^T + b for x [N, in].
//
// Parameters weight [out, in] and bias [out] (when options.bias), PyTorch's default
// initialisation U(-1/sqrt(in), 1/sqrt(in)) for both. Multiply-adds: N*in*out.
#pragma once

#include "layers/module.h"

namespace excite::layers {

struct LinearOptions {
  int64_t in = 0;
  int64_t out = 0;
  bool bias = true;
};

class Linear : public Module {
 public:
  explicit Linear(const LinearOptions& options);

  Variable forward(const Variable& x) override;
  int64_t own_macs(const Shape& input, const Shape& output) const override;

  const LinearOptions& options() const { return options_; }
  Variable weight() const { return weight_; }
  Variable bias() const { return bias_; }  // undefined when options.bias is false

 private:
  LinearOptions options_;
  Variable weight_, bias_;
};

}  // namespace excite::layers
