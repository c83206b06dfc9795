#include "layers/batchnorm.h"

#include "layers/profile.h"

namespace excite::layers {

BatchNorm2d::BatchNorm2d(const BatchNorm2dOptions& o) : Module("BatchNorm2d"), options_(o) {
  EXCITE_CHECK(o.channels > 0, "BatchNorm2d: channels must be positive, got " << o.channels);
  EXCITE_CHECK(o.eps > 0.f && o.momentum >= 0.f && o.momentum <= 1.f,
               "BatchNorm2d: expected eps > 0 and momentum in [0, 1], got eps=" << o.eps << " momentum=" << o.momentum);
  if (o.affine) {
    weight_ = register_parameter("weight", Tensor::ones({o.channels}));
    bias_ = register_parameter("bias", Tensor::zeros({o.channels}));
  }
  register_buffer("running_mean", Tensor::zeros({o.channels}));
  register_buffer("running_var", Tensor::ones({o.channels}));
  register_buffer("num_batches_tracked", Tensor::zeros(Shape{}), DType::I64);
}

Variable BatchNorm2d::forward(const Variable& x) { return forward_impl(x, false); }

Variable BatchNorm2d::call_relu(const Variable& x) {
  const int64_t row = profile_enter(*this, x.shape());
  Variable y = forward_impl(x, true);
  if (row >= 0) profile_exit(row, *this, x.shape(), y.shape());
  return y;
}

Variable BatchNorm2d::forward_impl(const Variable& x, bool relu) {
  const int64_t C = options_.channels;
  EXCITE_CHECK(x.dim() == 4 && x.size(1) == C,
               label() << ": expected input [N, " << C << ", H, W], got " << x.shape() << " (running_mean ["
                       << C << "]); check the previous layer's output channels");
  const bool training = is_training();
  EXCITE_CHECK(!training || x.size(0) * x.size(2) * x.size(3) > 1,
               label() << ": training mode needs more than one value per channel, got input " << x.shape()
                       << "; use a larger batch or call eval()");
  Variable y = (relu ? batch_norm_relu : batch_norm)(x, weight_, bias_, buffer("running_mean"), buffer("running_var"), training,
                          options_.momentum, options_.eps);
  if (training) buffer("num_batches_tracked")[0] += 1.f;
  return y;
}

}  // namespace excite::layers
