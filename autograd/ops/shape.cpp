// autograd/ops/shape.cpp — reshape and flatten: views forward, the gradient reshaped back.
#include "autograd/ops.h"

namespace excite {

Variable reshape(const Variable& x, const Shape& shape) {
  return make_result(x.data().reshape(shape), "reshape", {x},
                     [in = x.shape()](const Tensor& g) { return std::vector<Tensor>{g.reshape(in)}; });
}

Variable flatten(const Variable& x, int64_t start_dim) {
  const int64_t d = start_dim < 0 ? start_dim + x.dim() : start_dim;
  EXCITE_CHECK(d >= 0 && d < std::max<int64_t>(x.dim(), 1), "flatten: start_dim " << start_dim << " out of range for " << x.shape());
  std::vector<int64_t> dims(x.shape().begin(), x.shape().begin() + d);
  dims.push_back(-1);
  return reshape(x, Shape(dims));
}

}  // namespace excite
