// autograd/variable.h — Variable (a tensor that remembers how it was made) and Node.
//
// A Variable is a shared handle to {data, grad, requires_grad, node}. Ops (ops.h) that see an
// input requiring grad, with grad mode on, give their output a Node: the inputs plus a backward
// closure that maps dL/d(output) to dL/d(each input). backward() (engine.cpp) walks those nodes
// in reverse topological order, accumulates gradients into every Variable that requires them,
// and then frees the graph. Gradients of intermediate results are freed as soon as they have
// been passed on; only leaves (parameters, inputs created with requires_grad) keep .grad().
// Leaves out: higher-order gradients, in-place ops, hooks.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/trace.h"
#include "core/tensor.h"

namespace excite {

struct Node;

struct VariableImpl {
  Tensor data;
  Tensor grad;  // undefined until a gradient arrives
  bool requires_grad = false;
  std::shared_ptr<Node> node;  // null for leaves and for results made without grad
};

class Variable {
 public:
  Variable() = default;
  explicit Variable(Tensor data, bool requires_grad = false);

  bool defined() const { return impl_ != nullptr; }
  const Tensor& data() const { return impl_->data; }
  Tensor& data() { return impl_->data; }
  const Tensor& grad() const { return impl_->grad; }
  Tensor& grad() { return impl_->grad; }
  const Shape& shape() const { return impl_->data.shape(); }
  int64_t dim() const { return impl_->data.dim(); }
  int64_t size(int64_t d) const { return impl_->data.size(d); }
  int64_t numel() const { return impl_->data.numel(); }
  float item() const { return impl_->data.item(); }

  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  void set_requires_grad(bool value) { impl_->requires_grad = value; }
  bool is_leaf() const { return impl_->node == nullptr; }
  const std::shared_ptr<Node>& node() const { return impl_->node; }
  void set_node(std::shared_ptr<Node> node) { impl_->node = std::move(node); }

  // Reverse sweep from this Variable. With no argument the Variable must be a scalar and the
  // seed gradient is 1; otherwise `grad_output` has this Variable's shape.
  void backward() const;
  void backward(const Tensor& grad_output) const;
  void zero_grad() { impl_->grad = Tensor(); }

  // The same data, cut from the graph (a leaf that does not require grad).
  Variable detach() const { return Variable(impl_->data, false); }

  VariableImpl* impl() const { return impl_.get(); }
  bool same(const Variable& other) const { return impl_ == other.impl_; }

 private:
  std::shared_ptr<VariableImpl> impl_;
};

// One recorded operation. backward(grad_output) returns one gradient per input, in order; an
// undefined Tensor for inputs that need none (check needs_grad(i) to skip the work). A gradient
// has the input's element count, or, for an input [N, C, H, W], may be [N, C, 1, 1]: one value
// for every position of a plane, which the engine spreads as it adds it in (global average
// pooling's: no full tensor of equal values written and read back).
struct Node {
  using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;
  std::string name;
  std::vector<Variable> inputs;
  BackwardFn backward;
  bool needs_grad(size_t i) const { return inputs[i].requires_grad(); }
};

// For a backward closure, while the engine runs it: the gradient its input i already holds, taken
// from the input (which then holds none) if no other tensor shares it and it has the input's
// shape; else an undefined Tensor (also outside a backward). A closure that takes it adds its own
// gradient into it and returns it: the sum of the two without a pass of its own (conv2d's input
// gradient adds where it stores). Bit for bit the sum the engine would have made.
Tensor take_held_gradient(size_t i);

// Grad mode: while a NoGradGuard lives (on this thread), ops record nothing.
bool grad_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// How every op finishes: wraps `out` in a Variable and, if grad mode is on and any input
// requires grad, attaches a Node named `name` with the given backward closure. While a
// TraceScope lives (autograd/trace.h) it also reports the op with `trace_attrs`.
Variable make_result(Tensor out, const char* name, std::vector<Variable> inputs, Node::BackwardFn backward,
                     TraceAttrs trace_attrs = {});

}  // namespace excite
