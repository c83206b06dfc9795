// layers/activation.h — activation modules (no parameters), as torch.nn.ReLU, Sigmoid, Tanh,
// Hardsigmoid and SiLU; each forwards to the autograd op of the same name. All are candidates
// for the SE gate (layers/se.h). Their torch type names are kept for messages and summaries.
#pragma once

#include "layers/module.h"

namespace excite::layers {

// One module per function: Activation{"ReLU", relu}.
class Activation : public Module {
 public:
  using Fn = Variable (*)(const Variable&);
  Activation(std::string type_name, Fn fn) : Module(std::move(type_name)), fn_(fn) {}
  Variable forward(const Variable& x) override { return fn_(x); }

 private:
  Fn fn_;
};

class ReLU : public Activation {
 public:
  ReLU() : Activation("ReLU", excite::relu) {}
};
class Sigmoid : public Activation {
 public:
  Sigmoid() : Activation("Sigmoid", excite::sigmoid) {}
};
class Tanh : public Activation {
 public:
  Tanh() : Activation("Tanh", excite::tanh) {}
};
class HardSigmoid : public Activation {
 public:
  HardSigmoid() : Activation("Hardsigmoid", excite::hardsigmoid) {}
};
class SiLU : public Activation {
 public:
  SiLU() : Activation("SiLU", excite::silu) {}
};

}  // namespace excite::layers
