// autograd/engine.cpp — the reverse sweep.
//
// 1. Topological order of the Variables reachable from the root through nodes (iterative DFS,
//    so deep ResNets do not overflow the stack).
// 2. Seed the root's gradient; visit Variables from the root backwards. Each non-leaf hands its
//    gradient to its node's closure and accumulates the results into its inputs' .grad (a
//    Variable used twice receives the sum, as the chain rule says).
// 3. Free as we go: a non-leaf's gradient and its node (with every tensor the closure saved) are
//    dropped once used, so the graph is gone after backward and memory peaks early.
#include <unordered_set>
#include <utility>

#include "autograd/variable.h"
#include "core/error.h"
#include "core/kernels/pointwise.h"

namespace excite {

// g [N, C, 1, 1] for v [N, C, H, W] (H * W > 1): one value per plane, the same at each of its
// positions (see Node in variable.h).
static bool per_plane(const Tensor& g, const Variable& v) {
  return g.dim() == 4 && v.dim() == 4 && g.size(0) == v.size(0) && g.size(1) == v.size(1) && g.size(2) == 1 &&
         g.size(3) == 1 && v.size(2) * v.size(3) > 1;
}

static void accumulate(Variable& v, Tensor g) {
  if (per_plane(g, v)) {  // spread over the planes: into the gradient held if no one else holds it
    const int64_t NC = v.size(0) * v.size(1), HW = v.size(2) * v.size(3);
    Tensor& held = v.grad();
    if (held.sole_owner()) {
      plane_add(held.data(), g.data(), held.data(), NC, HW);
      return;
    }
    Tensor full(v.shape());
    plane_add(held.defined() ? held.data() : nullptr, g.data(), full.data(), NC, HW);
    held = std::move(full);
    return;
  }
  EXCITE_CHECK(g.shape() == v.shape() || g.numel() == v.numel(),
               "backward: gradient of shape " << g.shape() << " for a variable of shape " << v.shape());
  if (!v.grad().defined()) {
    v.grad() = g.reshape(v.shape());
    return;
  }
  // Into whichever of the two no other tensor holds (no new buffer to allocate and fill: the sum
  // of a block input's two gradients was 3 % of SE-ResNet-20's training step out of place);
  // otherwise out of place: an op such as add hands the same tensor to both inputs, so adding
  // into a shared one would change both.
  Tensor& held = v.grad();
  if (g.sole_owner()) {
    binary_forward(BinaryOp::Add, g.data(), held.data(), g.data(), g.numel());
    held = g.reshape(v.shape());
  } else if (held.sole_owner()) {
    binary_forward(BinaryOp::Add, held.data(), g.data(), held.data(), g.numel());
  } else {
    Tensor sum(v.shape());
    binary_forward(BinaryOp::Add, held.data(), g.data(), sum.data(), g.numel());
    held = std::move(sum);
  }
}

// The inputs of the node whose backward runs on this thread (take_held_gradient reads them).
static thread_local std::vector<Variable>* running_inputs = nullptr;

Tensor take_held_gradient(size_t i) {
  if (!running_inputs || i >= running_inputs->size()) return {};
  Variable& in = (*running_inputs)[i];
  if (!in.requires_grad()) return {};
  Tensor& held = in.grad();
  if (!held.sole_owner() || held.shape() != in.shape()) return {};
  return std::exchange(held, Tensor());
}

static std::vector<Variable> topological_order(const Variable& root) {
  std::vector<Variable> order;  // post-order: inputs before the results made from them
  std::unordered_set<const VariableImpl*> seen;
  std::vector<std::pair<Variable, size_t>> stack{{root, 0}};
  seen.insert(root.impl());
  while (!stack.empty()) {
    auto& [v, next] = stack.back();
    const auto& node = v.node();
    if (node && next < node->inputs.size()) {
      const Variable& in = node->inputs[next++];
      if (in.requires_grad() && seen.insert(in.impl()).second) stack.push_back({in, 0});
    } else {
      order.push_back(v);
      stack.pop_back();
    }
  }
  return order;
}

static void run_backward(const Variable& root, Tensor seed) {
  EXCITE_CHECK(root.requires_grad(),
               "backward: this Variable does not require grad (no input of the graph requires grad, or it was made "
               "under NoGradGuard)");
  std::vector<Variable> order = topological_order(root);
  Variable r = root;
  accumulate(r, std::move(seed));
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Variable& v = *it;
    std::shared_ptr<Node> node = v.node();
    if (!node) continue;  // a leaf: keeps its gradient
    Tensor grad = v.grad();
    v.grad() = Tensor();
    v.set_node(nullptr);
    if (!grad.defined()) continue;  // nothing flowed here
    struct Running {  // running_inputs for the closure, reset however it ends
      explicit Running(std::vector<Variable>* in) { running_inputs = in; }
      ~Running() { running_inputs = nullptr; }
    };
    std::vector<Tensor> input_grads;
    {
      Running running(&node->inputs);
      input_grads = node->backward(grad);
    }
    EXCITE_CHECK(input_grads.size() == node->inputs.size(),
                 "backward of " << node->name << ": returned " << input_grads.size() << " gradients for "
                                << node->inputs.size() << " inputs");
    for (size_t i = 0; i < input_grads.size(); ++i) {
      Variable in = node->inputs[i];
      if (!in.requires_grad() || !input_grads[i].defined()) continue;
      EXCITE_CHECK(input_grads[i].numel() == in.numel() || per_plane(input_grads[i], in),
                   "backward of " << node->name << ": gradient " << input_grads[i].shape() << " for input " << i
                                  << " of shape " << in.shape());
      accumulate(in, std::move(input_grads[i]));
    }
  }
}

void Variable::backward() const {
  EXCITE_CHECK(defined() && numel() == 1,
               "backward: needs a scalar (one element) to start from, got " << shape()
                                                                          << "; pass a gradient of that shape instead");
  run_backward(*this, Tensor::ones(shape()));
}

void Variable::backward(const Tensor& grad_output) const {
  EXCITE_CHECK(grad_output.shape() == shape(),
               "backward: gradient " << grad_output.shape() << " does not match the variable's shape " << shape());
  run_backward(*this, grad_output.clone());
}

}  // namespace excite
