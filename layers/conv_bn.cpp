#include "layers/conv_bn.h"

#include "autograd/trace.h"
#include "layers/profile.h"

namespace excite::layers {

bool folds_batchnorm(const BatchNorm2d& bn) {
  return !bn.is_training() && !grad_enabled() && !tracing() && !profile_recording();
}

Variable conv_bn(Conv2d& conv, BatchNorm2d& bn, const Variable& x, bool relu) {
  if (!folds_batchnorm(bn)) {
    Variable y = conv(x);
    return relu ? bn.call_relu(y) : bn(y);
  }
  conv.check_input(x);
  EXCITE_CHECK(conv.options().out == bn.options().channels,
               bn.label() << ": expected " << bn.options().channels << " channels, but " << conv.label() << " gives "
                          << conv.options().out);
  return conv2d_batchnorm_inference(x, conv.weight(), conv.bias(), conv.params(), bn.weight(), bn.bias(),
                                    bn.buffer("running_mean"), bn.buffer("running_var"), bn.options().eps, relu);
}

}  // namespace excite::layers
