#include "autograd/variable.h"

namespace excite {

Variable::Variable(Tensor data, bool requires_grad) : impl_(std::make_shared<VariableImpl>()) {
  impl_->data = std::move(data);
  impl_->requires_grad = requires_grad;
}

static thread_local bool g_grad_enabled = true;

bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

Variable make_result(Tensor out, const char* name, std::vector<Variable> inputs, Node::BackwardFn backward,
                     TraceAttrs trace_attrs) {
  if (tracing()) {
    std::vector<Tensor> in;
    for (const Variable& v : inputs) in.push_back(v.data());
    trace_record(name, std::move(in), out, std::move(trace_attrs));
  }
  Variable result(std::move(out));
  if (!grad_enabled()) return result;
  bool any = false;
  for (const Variable& v : inputs) any = any || v.requires_grad();
  if (!any) return result;
  auto node = std::make_shared<Node>();
  node->name = name;
  node->inputs = std::move(inputs);
  node->backward = std::move(backward);
  result.set_requires_grad(true);
  result.set_node(std::move(node));
  return result;
}

}  // namespace excite
