// layers/se_block.h — SEBlock: conv - BN - ReLU - SE, the plain (non-residual) SE unit of the
// seed's PyTorch code, e.g. for VGG-style networks. Names: conv, bn, se (ReLU applied functionally).
// The convolution has no bias and "same" padding (kernel / 2).
#pragma once

#include "layers/batchnorm.h"
#include "layers/conv.h"
#include "layers/se.h"

namespace excite::layers {

struct SEBlockOptions {
  int64_t in = 0;
  int64_t out = 0;
  int64_t kernel = 3;
  int64_t stride = 1;
  SEOptions se = {};
};

class SEBlock : public Module {
 public:
  explicit SEBlock(const SEBlockOptions& options);
  Variable forward(const Variable& x) override;

 private:
  std::shared_ptr<Conv2d> conv_;
  std::shared_ptr<BatchNorm2d> bn_;
  std::shared_ptr<SEModule> se_;
};

}  // namespace excite::layers
