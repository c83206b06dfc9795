// layers/conv_bn.h — a convolution and the batchnorm after it (and a ReLU after that) as the
// ResNet blocks call them: bn(conv(x)), or relu(bn(conv(x))) with the ReLU fused into the
// batchnorm (BatchNorm2d::call_relu).
//
// At inference — the batchnorm in eval mode, no gradient being recorded, no profile and no trace
// being taken — the three run as one convolution: the batchnorm folded into its weights and bias,
// the ReLU in its stores (autograd conv2d_batchnorm_inference). That saves the batchnorm's pass
// over the output (a read and a write of every activation) and changes the values only by float
// rounding. Training, a gradient through an eval-mode model, `excite summary`'s profile and the
// ONNX exporter's trace run the modules one by one, as before.
#pragma once

#include "layers/batchnorm.h"
#include "layers/conv.h"

namespace excite::layers {

Variable conv_bn(Conv2d& conv, BatchNorm2d& bn, const Variable& x, bool relu = false);
// Whether conv_bn folds `bn` now (for a caller whose unfolded form calls other modules: the
// stem's separate ReLU module, a shortcut's Sequential).
bool folds_batchnorm(const BatchNorm2d& bn);

}  // namespace excite::layers
