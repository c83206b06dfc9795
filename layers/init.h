// layers/init.h — weight initialisation, as PyTorch's torch.nn.init, drawn from the seeded
// global generator unless another is passed.
//
// Which scheme each layer gets (so that a reader can compare with PyTorch):
//   Conv2d, Linear at construction: PyTorch's default reset_parameters(), i.e.
//     kaiming_uniform_(a = sqrt(5)) for the weight = U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the
//     bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
//   BatchNorm2d: weight 1, bias 0, running mean 0, running variance 1.
//   The ResNet zoo then re-initialises as torchvision's ResNet does: every Conv2d weight with
//     kaiming_normal_(mode = fan_out, nonlinearity = relu), i.e. N(0, 2 / (OC*KH*KW)); BN weight 1,
//     bias 0; the Linear layers (classifier and SE MLP) keep PyTorch's default.
// fan_in = C/groups*KH*KW (size(1) times the receptive field), fan_out = OC*KH*KW, as torch's
// _calculate_fan_in_and_fan_out.
#pragma once

#include "core/tensor.h"

namespace excite::layers {

struct Fans {
  int64_t in = 0, out = 0;
};
Fans fans_of(const Shape& weight_shape);  // weight [OUT, IN, ...] with at least 2 dims

enum class FanMode { In, Out };

void uniform_(Tensor& t, float lo, float hi, Generator& gen = global_generator());
void normal_(Tensor& t, float mean, float std, Generator& gen = global_generator());
// N(0, gain^2 / fan), gain sqrt(2) for relu.
void kaiming_normal_(Tensor& weight, FanMode mode, float gain = 1.41421356f, Generator& gen = global_generator());
// U(-b, b) with b = gain * sqrt(3 / fan).
void kaiming_uniform_(Tensor& weight, FanMode mode, float gain = 1.41421356f, Generator& gen = global_generator());
// PyTorch's default for nn.Linear and nn.Conv2d: weight and (if defined) bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
void torch_default_init_(Tensor& weight, Tensor* bias, Generator& gen = global_generator());

// While one lives, on its thread, uniform_ and normal_ (and so every scheme above) leave the
// tensor as it is and draw nothing from the generator: for models built only to be looked at.
// A study's plan builds every variant and runs it once on zeros to check it; the random draws
// (Box-Muller: a log and a cos per weight) were most of that time.
class SkipInit {
 public:
  SkipInit();
  ~SkipInit();
  SkipInit(const SkipInit&) = delete;
  SkipInit& operator=(const SkipInit&) = delete;

 private:
  bool outer_;
};

}  // namespace excite::layers
