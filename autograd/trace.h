// autograd/trace.h — the op tracer: while a TraceScope lives on a thread, every op that thread
// runs reports itself (op name, input tensors, output tensor, attributes) to the scope's record.
//
// The hook sits in make_result (autograd/variable.cpp), which every op calls to finish, so a new
// primitive is traced without extra code; an op with attributes (conv strides, BN statistics,
// reduction dims, a scalar) passes them as make_result's last argument, built only when
// tracing() is true. With no scope installed the cost is one thread-local pointer test per op.
// The record keeps handles on every tensor it saw, so storage stays alive and a tensor is
// identified by its storage address and shape for the whole trace (deploy/onnx_export.cpp turns
// the record into an ONNX graph).
// Leaves out: ops that return their input unchanged (dropout in eval) record nothing; nested
// scopes (a second scope on the same thread is an error); backward passes are not traced.
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"

namespace excite {

// One named attribute: integers, floats or a tensor (a BN running statistic), as the op needs.
struct TraceAttr {
  std::string name;
  std::vector<int64_t> ints = {};
  std::vector<float> floats = {};
  Tensor tensor = {};
};
using TraceAttrs = std::vector<TraceAttr>;

struct TracedOp {
  std::string op;              // the name the op gives make_result: "conv2d", "add_relu", ...
  std::vector<Tensor> inputs;  // the op's Variable inputs' data, in the op's order
  Tensor output;
  TraceAttrs attrs;
  const TraceAttr* attr(const std::string& name) const;  // nullptr when absent
  int64_t int_attr(const std::string& name) const;        // throws naming the op when absent
  float float_attr(const std::string& name) const;
};

namespace detail {
extern thread_local std::vector<TracedOp>* g_trace;
}

inline bool tracing() { return detail::g_trace != nullptr; }
// Called by make_result; appends to the current record (no-op without a scope).
void trace_record(const char* op, std::vector<Tensor> inputs, const Tensor& output, TraceAttrs attrs);

class TraceScope {
 public:
  TraceScope();
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;
  const std::vector<TracedOp>& ops() const { return ops_; }

 private:
  std::vector<TracedOp> ops_;
};

}  // namespace excite
