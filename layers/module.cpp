#include "layers/module.h"

#include "layers/profile.h"

namespace excite::layers {

std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

Variable Module::operator()(const Variable& x) {
  const int64_t row = profile_enter(*this, x.shape());
  Variable y = forward(x);
  if (row >= 0) profile_exit(row, *this, x.shape(), y.shape());
  return y;
}

int64_t Module::own_macs(const Shape&, const Shape&) const { return 0; }

std::string Module::label() const { return path_.empty() ? type_name_ : path_ + " (" + type_name_ + ")"; }

// --- registration ---

void Module::check_new_name(const std::string& name) const {
  EXCITE_CHECK(!name.empty() && name.find('.') == std::string::npos,
               label() << ": invalid name '" << name << "' (names are non-empty and contain no '.')");
  bool taken = false;
  for (const auto& p : parameters_) taken = taken || p.name == name;
  for (const auto& b : buffers_) taken = taken || b.name == name;
  for (const auto& c : children_) taken = taken || c.first == name;
  EXCITE_CHECK(!taken, label() << ": the name '" << name << "' is already registered");
}

Variable Module::register_parameter(const std::string& name, Tensor value) {
  check_new_name(name);
  parameters_.push_back({name, Variable(std::move(value), true)});
  return parameters_.back().value;
}

Tensor Module::register_buffer(const std::string& name, Tensor value, DType dtype) {
  check_new_name(name);
  buffers_.push_back({name, std::move(value), dtype});
  return buffers_.back().value;
}

void Module::attach(const std::string& name, ModulePtr module) {
  EXCITE_CHECK(module != nullptr, label() << ": register_module('" << name << "') got a null module");
  check_new_name(name);
  module->set_path(join_name(path_, name));
  children_.emplace_back(name, std::move(module));
}

// A module learns its path when registered; registering its parent later re-prefixes the subtree.
void Module::set_path(const std::string& path) {
  path_ = path;
  for (auto& [name, child] : children_) child->set_path(join_name(path_, name));
}

// --- lookup ---

Variable& Module::parameter(const std::string& name) {
  std::string known;
  for (auto& p : parameters_) {
    if (p.name == name) return p.value;
    known += " " + p.name;
  }
  EXCITE_FAIL(label() << ": no parameter '" << name << "' (has:" << known << ")");
}

Tensor& Module::buffer(const std::string& name) {
  std::string known;
  for (auto& b : buffers_) {
    if (b.name == name) return b.value;
    known += " " + b.name;
  }
  EXCITE_FAIL(label() << ": no buffer '" << name << "' (has:" << known << ")");
}

ModulePtr Module::child(const std::string& name) const {
  std::string known;
  for (const auto& [n, c] : children_) {
    if (n == name) return c;
    known += " " + n;
  }
  EXCITE_FAIL(label() << ": no child module '" << name << "' (has:" << known << ")");
}

// --- walking the tree ---

void Module::collect_parameters(const std::string& prefix, std::vector<NamedParameter>& out) const {
  for (const auto& p : parameters_) out.push_back({join_name(prefix, p.name), p.value});
  for (const auto& [name, c] : children_) c->collect_parameters(join_name(prefix, name), out);
}

void Module::collect_buffers(const std::string& prefix, std::vector<NamedBuffer>& out) const {
  for (const auto& b : buffers_) out.push_back({join_name(prefix, b.name), b.value, b.dtype});
  for (const auto& [name, c] : children_) c->collect_buffers(join_name(prefix, name), out);
}

void Module::collect_state(const std::string& prefix, std::vector<NamedTensor>& out) const {
  for (const auto& p : parameters_) out.push_back({join_name(prefix, p.name), p.value.data(), DType::F32});
  for (const auto& b : buffers_) out.push_back({join_name(prefix, b.name), b.value, b.dtype});
  for (const auto& [name, c] : children_) c->collect_state(join_name(prefix, name), out);
}

void Module::collect_modules(const std::string& prefix, std::vector<NamedModule>& out) {
  out.push_back({prefix, this});
  for (auto& [name, c] : children_) c->collect_modules(join_name(prefix, name), out);
}

std::vector<NamedParameter> Module::named_parameters() const {
  std::vector<NamedParameter> out;
  collect_parameters("", out);
  return out;
}

std::vector<NamedBuffer> Module::named_buffers() const {
  std::vector<NamedBuffer> out;
  collect_buffers("", out);
  return out;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& p : named_parameters()) out.push_back(p.value);
  return out;
}

std::vector<NamedTensor> Module::state_dict() const {
  std::vector<NamedTensor> out;
  collect_state("", out);
  return out;
}

std::vector<NamedModule> Module::named_children() const {
  std::vector<NamedModule> out;
  for (const auto& [name, c] : children_) out.push_back({name, c.get()});
  return out;
}

std::vector<NamedModule> Module::named_modules() {
  std::vector<NamedModule> out;
  collect_modules("", out);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& p : named_parameters()) n += p.value.numel();
  return n;
}

// --- mode ---

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, c] : children_) c->train(on);
}

void Module::zero_grad() {
  for (auto& p : named_parameters()) p.value.zero_grad();
}

}  // namespace excite::layers
