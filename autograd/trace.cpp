// autograd/trace.cpp — the record behind TraceScope (see trace.h).
#include "autograd/trace.h"

namespace excite {

namespace detail {
thread_local std::vector<TracedOp>* g_trace = nullptr;
}

const TraceAttr* TracedOp::attr(const std::string& name) const {
  for (const TraceAttr& a : attrs)
    if (a.name == name) return &a;
  return nullptr;
}

int64_t TracedOp::int_attr(const std::string& name) const {
  const TraceAttr* a = attr(name);
  EXCITE_CHECK(a && a->ints.size() == 1, "trace: op '" << op << "' has no integer attribute '" << name << "'");
  return a->ints[0];
}

float TracedOp::float_attr(const std::string& name) const {
  const TraceAttr* a = attr(name);
  EXCITE_CHECK(a && a->floats.size() == 1, "trace: op '" << op << "' has no float attribute '" << name << "'");
  return a->floats[0];
}

void trace_record(const char* op, std::vector<Tensor> inputs, const Tensor& output, TraceAttrs attrs) {
  if (!detail::g_trace) return;
  detail::g_trace->push_back(TracedOp{op, std::move(inputs), output, std::move(attrs)});
}

TraceScope::TraceScope() {
  EXCITE_CHECK(detail::g_trace == nullptr, "TraceScope: a trace is already being recorded on this thread");
  detail::g_trace = &ops_;
}

TraceScope::~TraceScope() { detail::g_trace = nullptr; }

}  // namespace excite
