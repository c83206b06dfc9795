// layers/module.h — Module: the base of every layer and model. Parameters, buffers and child
// modules are registered by name; names nest into PyTorch state-dict keys.
//
// A model is a tree. Each Module owns, in registration order:
//   parameters  Variables that require grad (conv and linear weights, BN affine weight/bias),
//   buffers     Tensors that are state but not trained (BN running statistics),
//   children    Modules, held by shared_ptr.
// named_parameters(), named_buffers() and state_dict() walk the tree the way torch does —
// a module's own parameters, then its own buffers, then each child recursively with the
// child's name as a prefix — so keys and their order equal PyTorch's (`layer1.0.bn1.running_mean`).
//
// Calling convention: subclasses override forward(); modules call their children through
// operator(), which runs forward() and, when a profile is being recorded (layers/profile.h),
// notes the layer's output shape and multiply-adds. Error messages name the layer by its path in
// the tree (`layer2.0.conv1 (Conv2d)`), which every module learns when it is registered.
//
// Leaves out: hooks beyond the profile, parameter sharing checks, device placement, dtypes.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/ops.h"
#include "core/safetensors.h"

namespace excite::layers {

struct NamedParameter {
  std::string name;
  Variable value;
};

struct NamedBuffer {
  std::string name;
  Tensor value;
  DType dtype = DType::F32;  // how a state dict stores it (num_batches_tracked is I64)
};

class Module;
using ModulePtr = std::shared_ptr<Module>;

struct NamedModule {
  std::string name;  // "" for the root
  Module* module;    // owned by its parent (or by the caller, for the root)
};

class Module {
 public:
  explicit Module(std::string type_name) : type_name_(std::move(type_name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation. Subclasses override it; callers use operator() (see the header note).
  virtual Variable forward(const Variable& x) = 0;
  Variable operator()(const Variable& x);

  // Multiply-adds of this module's own arithmetic (children excluded) for one forward pass with
  // the given input and output shapes; used by the profile. Default: none.
  virtual int64_t own_macs(const Shape& input, const Shape& output) const;

  // --- the tree, as torch names it ---
  std::vector<NamedParameter> named_parameters() const;
  std::vector<NamedBuffer> named_buffers() const;
  std::vector<Variable> parameters() const;
  std::vector<NamedModule> named_children() const;
  std::vector<NamedModule> named_modules();  // this module first (""), then descendants depth-first
  int64_t num_parameters() const;            // element count over parameters()
  // Parameters then buffers per module, recursively: the keys and order of torch's state_dict().
  // Tensors share storage with the module (clone them to keep a snapshot).
  std::vector<NamedTensor> state_dict() const;

  // --- mode ---
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();  // drops every parameter's gradient (torch's set_to_none)

  // --- identity, for messages ---
  const std::string& type_name() const { return type_name_; }
  const std::string& path() const { return path_; }  // "layer1.0.conv1"; "" for a root
  std::string label() const;                          // "layer1.0.conv1 (Conv2d)" or "Conv2d"

  // Direct access by local name (throws listing the known names when absent).
  Variable& parameter(const std::string& name);
  Tensor& buffer(const std::string& name);
  ModulePtr child(const std::string& name) const;

 protected:
  // Each returns a handle sharing the registered object: a Variable shares its impl, a Tensor its
  // storage. Keep parameter handles as members; look buffers up with buffer() when they are used,
  // since loading a state dict or an op may replace a buffer's tensor.
  Variable register_parameter(const std::string& name, Tensor value);
  Tensor register_buffer(const std::string& name, Tensor value, DType dtype = DType::F32);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    attach(name, module);
    return module;
  }

 private:
  void attach(const std::string& name, ModulePtr module);
  void set_path(const std::string& path);
  void check_new_name(const std::string& name) const;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter>& out) const;
  void collect_buffers(const std::string& prefix, std::vector<NamedBuffer>& out) const;
  void collect_state(const std::string& prefix, std::vector<NamedTensor>& out) const;
  void collect_modules(const std::string& prefix, std::vector<NamedModule>& out);

  std::string type_name_;
  std::string path_;
  bool training_ = true;
  std::vector<NamedParameter> parameters_;
  std::vector<NamedBuffer> buffers_;
  std::vector<std::pair<std::string, ModulePtr>> children_;
};

// "prefix.name", or "name" when the prefix is empty.
std::string join_name(const std::string& prefix, const std::string& name);

}  // namespace excite::layers
