#include "layers/gate.h"

#include "layers/activation.h"

namespace excite::layers {

ModulePtr make_gate(Gate g) {
  switch (g) {
    case Gate::Sigmoid: return std::make_shared<Sigmoid>();
    case Gate::HardSigmoid: return std::make_shared<HardSigmoid>();
    case Gate::Tanh: return std::make_shared<Tanh>();
    case Gate::ReLU: return std::make_shared<ReLU>();
  }
  EXCITE_FAIL("unknown gate value " << static_cast<int>(g));
}

}  // namespace excite::layers
