// layers/se.h — the attention kind "se": the Squeeze-and-Excitation module in all the variants
// the ablations need.
//
//   squeeze   s = pool(x)                        x [N, C, H, W] -> s [N, C]   (avg, max, or both)
//   excite    e = gate(W2 relu(W1 s))            W1 [C/r', C], W2 [C, C/r']   hidden C/r' = max(C / r, min)
//   scale     y = x * e[:, :, None, None]        channel_scale
// With squeeze = avgmax both descriptors go through the shared MLP and are summed before the gate
// (CBAM's channel attention): e = gate(mlp(avg) + mlp(max)). The channel gate e [N, C] is what
// record_gates() keeps.
//
// Names follow the seed's PyTorch SEModule: children `avg_pool` (and/or `max_pool`) and
// `fc` = Sequential(Linear, ReLU, Linear, gate), so the weights are `fc.0.weight` and
// `fc.2.weight` (plus `fc.0.bias`, `fc.2.bias` with bias on); a block registers the module as
// `se`. The defaults (r 16, min 8, avg, sigmoid, no bias) are the seed's SEModule exactly.
// Options (keys and flags, layers/options.h): reduction, min_channels, squeeze, gate, bias
// (formerly se_bias / --se-bias); a study may vary reduction, squeeze and gate.
//
// This file is also the pattern for a new kind: copy it, change the options, the module and the
// kind object at the end of se.cpp, and add the kind's line to layers/attention_registry.cpp.
#pragma once

#include "layers/attention.h"
#include "layers/gate.h"
#include "layers/sequential.h"

namespace excite::layers {

struct SEOptions {
  int64_t reduction = 16;
  int64_t min_channels = 8;
  Squeeze squeeze = Squeeze::Avg;
  Gate gate = Gate::Sigmoid;
  bool bias = false;  // bias in both FC layers (the SE paper's; the seed has none)
};

template <typename F>
void visit_fields(SEOptions& o, F&& f) {
  f(Setting{.key = "reduction", .help = "SE reduction ratio r (hidden width max(C / r, min_channels))", .min = 1,
            .factor = true},
    o.reduction);
  f(Setting{.key = "min_channels", .help = "SE minimum hidden width", .min = 1}, o.min_channels);
  f(Setting{.key = "squeeze", .help = "SE squeeze (global pooling)", .factor = true}, o.squeeze);
  f(Setting{.key = "gate", .help = "SE gate (the excitation function)", .factor = true},
    o.gate);
  f(Setting{.key = "bias", .help = "SE FC layers with bias", .aliases = {"se_bias"}}, o.bias);
}

// max(channels / reduction, min_channels), the seed's hidden width.
int64_t se_hidden_channels(int64_t channels, const SEOptions& options);

// The attention options of an SE module: {.kind = "se", .options = every field of `options`}.
AttentionOptions se_attention(const SEOptions& options = {});

class SEModule : public AttentionModule {
 public:
  explicit SEModule(int64_t channels, const SEOptions& options = {});

  int64_t hidden() const override { return hidden_; }
  std::string structure() const override;
  const SEOptions& se_options() const { return options_; }
  // The excitation e [N, C] for x, without scaling x (for inspection and tests).
  Variable excitation(const Variable& x);

 protected:
  Variable attend(const Variable& x) override;
  bool scales_channels_only() const override { return true; }
  Variable channel_gate(const Variable& x) override;  // excitation(x), noted

 private:
  int64_t hidden_;
  SEOptions options_;
  ModulePtr avg_pool_, max_pool_;  // either may be null, per the squeeze
  std::shared_ptr<Sequential> fc_;
};

const AttentionKind& se_kind();

}  // namespace excite::layers
