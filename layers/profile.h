// layers/profile.h — per-layer output shapes, parameters and multiply-adds of a model, measured
// by running one forward pass (what `excite summary` prints).
//
// profile(model, {1, 3, 224, 224}) runs the model once on zeros, in eval mode and without grad
// (the mode is restored afterwards), and records a row for every module called through
// Module::operator(), in call order (a parent before its children). A module called twice (the
// SE MLP under the avg+max squeeze) gives two rows.
//
// Counting convention: a multiply-add is one multiplication accumulated into a sum, as in a GEMM.
// Convolutions count OC*OH*OW*(C/groups)*KH*KW per image and Linear layers in*out per row; bias
// additions, BatchNorm, activations, pooling, the SE channel scaling and residual additions count
// zero (they are element-wise, not multiply-accumulate). With this convention ResNet-20 at
// 3x32x32 has 40.81 M and ResNet-50 at 3x224x224 4.089 G multiply-adds (tests/layers/test_zoo.cpp
// derives both by hand); SE adds only its two FC layers (0.06 % on ResNet-50). An attention kind
// states the same counts without a forward pass (AttentionKind::counts, layers/attention.h).
// Leaves out: memory traffic, backward cost.
#pragma once

#include <string>
#include <vector>

#include "layers/module.h"

namespace excite::layers {

struct LayerProfile {
  std::string name;  // path in the tree ("" for the root)
  std::string type;
  int64_t depth = 0;  // 0 for the root, 1 for its children, ...
  Shape input, output;
  int64_t params = 0;  // this module's own parameters (children excluded)
  int64_t macs = 0;    // this module's own multiply-adds (children excluded)
  bool leaf = true;    // has no children
};

struct Profile {
  std::vector<LayerProfile> layers;
  int64_t params = 0;  // the whole model's parameters
  int64_t macs = 0;    // sum over all rows
  Shape output;
};

Profile profile(Module& model, const Shape& input);

// True while a profile is being recorded on this thread (layers that would fuse modules into one
// op call them one by one instead, so that each keeps its row).
bool profile_recording();
// Used by Module::operator(): no-ops unless a profile is being recorded on this thread.
int64_t profile_enter(const Module& module, const Shape& input);  // returns a row index or -1
void profile_exit(int64_t row, const Module& module, const Shape& input, const Shape& output);

}  // namespace excite::layers
