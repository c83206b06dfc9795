#include "layers/linear.h"

#include "layers/init.h"

namespace excite::layers {

Linear::Linear(const LinearOptions& o) : Module("Linear"), options_(o) {
  EXCITE_CHECK(o.in > 0 && o.out > 0, "Linear: in and out must be positive, got in=" << o.in << " out=" << o.out);
  Tensor w({o.out, o.in});
  Tensor b = o.bias ? Tensor({o.out}) : Tensor();
  torch_default_init_(w, &b);
  weight_ = register_parameter("weight", w);
  if (o.bias) bias_ = register_parameter("bias", b);
}

Variable Linear::forward(const Variable& x) {
  EXCITE_CHECK(x.dim() == 2 && x.size(1) == options_.in,
               label() << ": expected input [N, " << options_.in << "], got " << x.shape() << " (weight "
                       << weight_.shape() << "); flatten [N, C, H, W] inputs first");
  return linear(x, weight_, bias_);
}

int64_t Linear::own_macs(const Shape& input, const Shape&) const { return input[0] * options_.in * options_.out; }

}  // namespace excite::layers
