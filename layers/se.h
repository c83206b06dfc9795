// layers/se.h — the Squeeze-and-Excitation module in all the variants the ablations need.
//
//   squeeze   s = pool(x)                        x [N, C, H, W] -> s [N, C]   (avg, max, or both)
//   excite    e = gate(W2 relu(W1 s))            W1 [C/r', C], W2 [C, C/r']   hidden C/r' = max(C / r, min)
//   scale     y = x * e[:, :, None, None]        channel_scale
// With squeeze = avgmax both descriptors go through the shared MLP and are summed before the gate
// (CBAM's channel attention): e = gate(mlp(avg) + mlp(max)).
//
// Names follow the seed (reference/seed_model.py): children `avg_pool` (and/or `max_pool`) and
// `fc` = Sequential(Linear, ReLU, Linear, gate), so the weights are `fc.0.weight` and
// `fc.2.weight` (plus `fc.0.bias`, `fc.2.bias` with bias on). The defaults (r 16, min 8, avg,
// sigmoid, no bias) are the seed's SEModule exactly.
// Where SE sits in a residual block, and in which stages, is the blocks' and the model's business
// (layers/residual.h, layers/zoo.h).
#pragma once

#include <string>

#include "layers/module.h"
#include "layers/sequential.h"

namespace excite::layers {

enum class Squeeze { Avg, Max, AvgMax };
enum class Gate { Sigmoid, HardSigmoid, Tanh, ReLU };

struct SEOptions {
  int64_t reduction = 16;
  int64_t min_channels = 8;
  Squeeze squeeze = Squeeze::Avg;
  Gate gate = Gate::Sigmoid;
  bool bias = false;  // bias in both FC layers (the SE paper's; the seed has none)
};

// max(channels / reduction, min_channels), the seed's hidden width.
int64_t se_hidden_channels(int64_t channels, const SEOptions& options);

// The command-line spellings: "avg" | "max" | "avgmax"; "sigmoid" | "hard_sigmoid" | "tanh" | "relu".
Squeeze parse_squeeze(const std::string& text);
Gate parse_gate(const std::string& text);
std::string to_string(Squeeze squeeze);
std::string to_string(Gate gate);
ModulePtr make_gate(Gate gate);  // the activation module of a gate

class SEModule : public Module {
 public:
  explicit SEModule(int64_t channels, const SEOptions& options = {});

  Variable forward(const Variable& x) override;

  int64_t channels() const { return channels_; }
  int64_t hidden() const { return hidden_; }
  const SEOptions& options() const { return options_; }
  // The excitation e [N, C] for x, without scaling x (for inspection and tests).
  Variable excitation(const Variable& x);

 private:
  int64_t channels_, hidden_;
  SEOptions options_;
  ModulePtr avg_pool_, max_pool_;  // either may be null, per the squeeze
  std::shared_ptr<Sequential> fc_;
};

}  // namespace excite::layers
