// layers/gate.h — the two vocabularies attention modules draw on: how a map is squeezed to one
// value per channel, and which function turns a score into a gate.
//
//   squeeze  avg | max | avgmax        global average pool, global max pool, or both (the two
//                                      descriptors through a shared MLP, summed: CBAM's channel
//                                      attention)
//   gate     sigmoid | hard_sigmoid | tanh | relu    (the SE paper's excitation study)
#pragma once

#include "layers/module.h"
#include "layers/vocabulary.h"

namespace excite::layers {

enum class Squeeze { Avg, Max, AvgMax };
enum class Gate { Sigmoid, HardSigmoid, Tanh, ReLU };

ModulePtr make_gate(Gate gate);  // the activation module of a gate

}  // namespace excite::layers

namespace excite {
template <>
struct Vocabulary<layers::Squeeze> {
  static constexpr const char* what = "squeeze";
  static constexpr std::pair<layers::Squeeze, const char*> names[] = {
      {layers::Squeeze::Avg, "avg"}, {layers::Squeeze::Max, "max"}, {layers::Squeeze::AvgMax, "avgmax"}};
};
template <>
struct Vocabulary<layers::Gate> {
  static constexpr const char* what = "gate";
  static constexpr std::pair<layers::Gate, const char*> names[] = {{layers::Gate::Sigmoid, "sigmoid"},
                                                                   {layers::Gate::HardSigmoid, "hard_sigmoid"},
                                                                   {layers::Gate::Tanh, "tanh"},
                                                                   {layers::Gate::ReLU, "relu"}};
};
}  // namespace excite
