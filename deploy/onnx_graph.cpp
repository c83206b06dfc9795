// deploy/onnx_graph.cpp — GraphBuilder (see onnx_graph.h).
#include "deploy/onnx_graph.h"

#include <cstring>
#include <set>

namespace excite::deploy {

void GraphBuilder::name_tensor(const Tensor& t, const std::string& name) {
  if (!t.defined()) return;
  names_.emplace(key(t), name);
  keep_alive_.emplace(key(t), t);
}

void GraphBuilder::set_input(const Tensor& t, const std::string& name) {
  values_[key(t)] = OnnxValue{.name = name, .shape = t.shape(), .is_input = true};
  taken_[name] = 1;
}

void GraphBuilder::count_uses(const std::vector<TracedOp>& ops) {
  for (const TracedOp& op : ops)
    for (const Tensor& t : op.inputs) ++uses_[key(t)];
}

int64_t GraphBuilder::uses(const Tensor& t) const {
  auto it = uses_.find(key(t));
  return it == uses_.end() ? 0 : it->second;
}

OnnxValue GraphBuilder::value_of(const Tensor& t) {
  EXCITE_CHECK(t.defined(), "onnx export: an op of the trace has an undefined input");
  const Key k = key(t);
  if (auto it = values_.find(k); it != values_.end()) return it->second;
  std::string name;
  if (auto it = names_.find(k); it != names_.end()) {
    name = it->second;
  } else {
    name = "const_" + std::to_string(constants_++);
    keep_alive_.emplace(k, t);
  }
  add_initializer(name, t.data(), t.shape().dims());
  OnnxValue v{.name = name, .shape = t.shape(), .is_initializer = true, .initializer_tensor = &keep_alive_.at(k)};
  values_[k] = v;
  return v;
}

void GraphBuilder::bind(const Tensor& t, OnnxValue v) {
  v.shape = t.shape();
  values_[key(t)] = std::move(v);
}

std::string GraphBuilder::fresh(const std::string& hint) {
  const int64_t n = taken_[hint]++;
  return n == 0 ? hint : hint + "_" + std::to_string(n);
}

std::string GraphBuilder::add_initializer(const std::string& name, const float* data, const std::vector<int64_t>& dims) {
  const std::string unique = fresh(name);
  onnx::TensorProto* t = graph_->add_initializer();
  t->set_name(unique);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) {
    t->add_dims(d);
    n *= d;
  }
  t->set_raw_data(std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(n) * sizeof(float)));
  return unique;
}

std::string GraphBuilder::add_int64_initializer(const std::string& hint, const std::vector<int64_t>& values) {
  const std::string unique = fresh(hint);
  onnx::TensorProto* t = graph_->add_initializer();
  t->set_name(unique);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(values.size()));
  t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t)));
  return unique;
}

std::string GraphBuilder::initializer_as(const OnnxValue& v, const std::vector<int64_t>& dims) {
  EXCITE_CHECK(v.is_initializer && v.initializer_tensor, "onnx export: " << v.name << " is not an initializer");
  auto k = std::make_pair(v.name, dims);
  if (auto it = reshaped_.find(k); it != reshaped_.end()) return it->second;
  const std::string name = add_initializer(v.name, v.initializer_tensor->data(), dims);
  reshaped_[k] = name;
  preferred_[name] = v.name;
  return name;
}

onnx::NodeProto* GraphBuilder::add_node(const std::string& op_type, const std::vector<std::string>& inputs,
                                        const std::vector<std::string>& outputs) {
  onnx::NodeProto* n = graph_->add_node();
  n->set_op_type(op_type);
  n->set_name(fresh(op_type + "_node"));
  for (const std::string& i : inputs) n->add_input(i);
  for (const std::string& o : outputs) n->add_output(o);
  return n;
}

void GraphBuilder::set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void GraphBuilder::set_int(onnx::NodeProto* n, const std::string& name, int64_t value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void GraphBuilder::set_float(onnx::NodeProto* n, const std::string& name, float value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

void GraphBuilder::finish() {
  std::set<std::string> used;
  for (const onnx::NodeProto& n : graph_->node())
    for (const std::string& i : n.input()) used.insert(i);
  auto* inits = graph_->mutable_initializer();
  for (int i = inits->size() - 1; i >= 0; --i)
    if (!used.count(inits->Get(i).name())) inits->DeleteSubrange(i, 1);
  std::set<std::string> present;
  for (const onnx::TensorProto& t : graph_->initializer()) present.insert(t.name());
  for (onnx::TensorProto& t : *graph_->mutable_initializer()) {
    auto it = preferred_.find(t.name());
    if (it == preferred_.end() || present.count(it->second)) continue;
    for (onnx::NodeProto& n : *graph_->mutable_node())
      for (std::string& in : *n.mutable_input())
        if (in == t.name()) in = it->second;
    present.insert(it->second);
    t.set_name(it->second);
  }
}

OnnxValue GraphBuilder::plain(const OnnxValue& v) {
  if (!v.vec4) return v;
  const std::string out = fresh(v.name + "_flat");
  set_int(add_node("Flatten", {v.name}, {out}), "axis", 1);
  return OnnxValue{.name = out, .shape = v.shape};
}

}  // namespace excite::deploy
