// apps/optim/optim.h — what every optimizer shares: parameter groups, the learning rate, zero_grad,
// and state as named tensors for checkpoints. SGD and AdamW are in optim_sgd.h / optim_adamw.h.
//
// An optimizer holds parameter handles (Variables sharing the model's storage) by name. It takes
// either a plain list (`model->parameters()`, named "0", "1", ... as torch numbers them), a named
// list (`model->named_parameters()`), or groups; a group may override the weight decay, which is
// how BN parameters and biases are kept out of it:
//
//   optim::SGD opt(optim::split_decay(model->named_parameters()), {.lr = 0.1f, .weight_decay = 5e-4f});
//
// The learning rate is one value for all groups, set by the training loop from a schedule
// (apps/optim/schedule.h) before each step. Parameters whose gradient is undefined are skipped, as torch
// skips p.grad is None. state() names each per-parameter buffer "<parameter>.<buffer>" (for SGD
// "layer1.0.conv1.weight.momentum_buffer"); load_state() restores it.
#pragma once

#include <optional>
#include <vector>

#include "core/safetensors.h"
#include "layers/module.h"

namespace excite::optim {

using layers::NamedParameter;

struct ParamGroup {
  std::vector<NamedParameter> params;
  std::optional<float> weight_decay = {};  // this group's weight decay instead of the optimizer's
};

// Parameters as an optimizer takes them; converts implicitly from the three usual forms.
struct Params {
  Params(const std::vector<Variable>& plain);
  Params(const std::vector<NamedParameter>& named);
  Params(std::vector<ParamGroup> groups) : groups(std::move(groups)) {}
  std::vector<ParamGroup> groups;
};

// Two groups: parameters with two or more dimensions (conv and linear weights) keep the
// optimizer's weight decay; the rest (BN weights and biases, every bias) get none.
std::vector<ParamGroup> split_decay(const std::vector<NamedParameter>& params);

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  virtual void step() = 0;
  void zero_grad();  // drops every parameter's gradient
  float lr() const { return lr_; }
  void set_lr(float lr);

  virtual std::vector<NamedTensor> state() const = 0;
  // Replaces the state; throws on keys that name no parameter or buffer, or on wrong shapes.
  virtual void load_state(const std::vector<NamedTensor>& state) = 0;

  const std::vector<ParamGroup>& groups() const { return groups_; }

 protected:
  Optimizer(const char* name, Params params, float lr);

  // One entry per parameter over all groups, in order, with its group's resolved weight decay.
  struct Slot {
    NamedParameter param;
    float weight_decay;
  };
  void resolve(float default_weight_decay);
  // Finds the parameter for "<name>.<suffix>" keys; -1 and the suffix when none matches.
  std::pair<int64_t, std::string> split_key(const std::string& key) const;

  const char* name_;
  std::vector<ParamGroup> groups_;
  std::vector<Slot> slots_;
  float lr_;
};

}  // namespace excite::optim
