#include "layers/se_block.h"

#include "layers/conv_bn.h"

namespace excite::layers {

SEBlock::SEBlock(const SEBlockOptions& o) : Module("SEBlock") {
  conv_ = register_module("conv", std::make_shared<Conv2d>(Conv2dOptions{
                                      .in = o.in, .out = o.out, .kernel = o.kernel, .stride = o.stride, .padding = o.kernel / 2, .bias = false}));
  bn_ = register_module("bn", std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = o.out}));
  se_ = register_module("se", std::make_shared<SEModule>(o.out, o.se));
}

Variable SEBlock::forward(const Variable& x) {
  return (*se_)(folds_batchnorm(*bn_) ? conv_bn(*conv_, *bn_, x, true) : relu((*bn_)((*conv_)(x))));
}

}  // namespace excite::layers
