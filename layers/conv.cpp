#include "layers/conv.h"

#include "layers/init.h"

namespace excite::layers {

Conv2d::Conv2d(const Conv2dOptions& o) : Module("Conv2d"), options_(o) {
  EXCITE_CHECK(o.in > 0 && o.out > 0 && o.kernel > 0 && o.stride > 0 && o.padding >= 0 && o.dilation > 0 &&
                   o.groups > 0,
               "Conv2d: invalid options in=" << o.in << " out=" << o.out << " kernel=" << o.kernel << " stride="
                                             << o.stride << " padding=" << o.padding << " dilation=" << o.dilation
                                             << " groups=" << o.groups << " (sizes must be positive)");
  EXCITE_CHECK(o.in % o.groups == 0 && o.out % o.groups == 0,
               "Conv2d: in=" << o.in << " and out=" << o.out << " must both be divisible by groups=" << o.groups);
  Tensor w({o.out, o.in / o.groups, o.kernel, o.kernel});
  Tensor b = o.bias ? Tensor({o.out}) : Tensor();
  torch_default_init_(w, &b);
  weight_ = register_parameter("weight", w);
  if (o.bias) bias_ = register_parameter("bias", b);
}

void Conv2d::check_input(const Variable& x) const {
  const Conv2dOptions& o = options_;
  EXCITE_CHECK(x.dim() == 4 && x.size(1) == o.in,
               label() << ": expected input [N, " << o.in << ", H, W], got " << x.shape() << " (weight "
                       << weight_.shape() << "); check the previous layer's output channels");
  const int64_t reach = o.dilation * (o.kernel - 1) + 1;
  EXCITE_CHECK(x.size(2) + 2 * o.padding >= reach && x.size(3) + 2 * o.padding >= reach,
               label() << ": input " << x.shape() << " is smaller than the kernel's reach " << reach
                       << " with padding " << o.padding << " (weight " << weight_.shape() << ")");
}

Conv2dParams Conv2d::params() const {
  const Conv2dOptions& o = options_;
  Conv2dParams p;
  p.stride_h = p.stride_w = o.stride;
  p.pad_h = p.pad_w = o.padding;
  p.dilation_h = p.dilation_w = o.dilation;
  p.groups = o.groups;
  return p;
}

Variable Conv2d::forward(const Variable& x) {
  check_input(x);
  return conv2d(x, weight_, bias_, params());
}

int64_t Conv2d::own_macs(const Shape&, const Shape& out) const {
  const Conv2dOptions& o = options_;
  return out.numel() * (o.in / o.groups) * o.kernel * o.kernel;
}

}  // namespace excite::layers
