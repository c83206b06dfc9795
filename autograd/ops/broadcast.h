// autograd/ops/broadcast.h — numpy-style broadcasting for the elementwise ops.
//
// broadcast_shape(a, b): the shape both stretch to (trailing dims aligned, 1 stretches).
// BroadcastIndex maps a flat index of the broadcast shape to the flat offset in one operand.
// sum_to(g, shape): the backward of broadcasting, summing g over the stretched dimensions.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace excite {

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);

class BroadcastIndex {
 public:
  BroadcastIndex(const Shape& operand, const Shape& out);
  int64_t offset(int64_t flat) const;
  bool identity() const { return identity_; }

 private:
  std::vector<int64_t> out_dims_, strides_;
  bool identity_;
};

Tensor sum_to(const Tensor& g, const Shape& shape);

}  // namespace excite
