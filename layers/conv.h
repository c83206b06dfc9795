// layers/conv.h — Conv2d, as torch.nn.Conv2d (square kernel, stride, padding and dilation).
//
// Parameters: weight [OC, C/groups, KH, KW], bias [OC] when options.bias (torch's default is
// true; torchvision's ResNet and the seed pass bias=false). PyTorch's default initialisation
// (layers/init.h). Forward: autograd conv2d. Multiply-adds: N*OC*OH*OW*(C/groups)*KH*KW.
#pragma once

#include "layers/module.h"

namespace excite::layers {

struct Conv2dOptions {
  int64_t in = 0;
  int64_t out = 0;
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

class Conv2d : public Module {
 public:
  explicit Conv2d(const Conv2dOptions& options);

  Variable forward(const Variable& x) override;
  int64_t own_macs(const Shape& input, const Shape& output) const override;

  const Conv2dOptions& options() const { return options_; }
  Conv2dParams params() const;                 // the options as autograd conv2d takes them
  void check_input(const Variable& x) const;  // fails with a message naming the layer unless x fits
  Variable weight() const { return weight_; }
  Variable bias() const { return bias_; }  // undefined when options.bias is false

 private:
  Conv2dOptions options_;
  Variable weight_, bias_;
};

}  // namespace excite::layers
