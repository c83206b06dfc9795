#include "layers/attention.h"

#include "autograd/trace.h"
#include "core/kernels/op_timer.h"
#include "layers/profile.h"

namespace excite::layers {

std::vector<OptionSpec> AttentionKind::factors() const {
  std::vector<OptionSpec> out;
  for (const OptionSpec& spec : options())
    if (spec.setting.factor) out.push_back(spec);
  return out;
}

// --- AttentionModule ---

AttentionModule::AttentionModule(std::string type, const AttentionKind& kind, int64_t channels, OptionValues options)
    : Module(std::move(type)), kind_(kind), channels_(channels), options_(std::move(options)) {
  EXCITE_CHECK(channels > 0, label() << ": channels must be positive, got " << channels);
}

Variable AttentionModule::forward(const Variable& x) {
  OpKindOverride charge_to_attention(OpKind::SE);
  return attend(x);
}

Variable AttentionModule::forward_add_relu(const Variable& x, const Variable& residual) {
  if (!scales_channels_only() || profile_recording() || tracing()) return add_relu((*this)(x), residual);
  OpKindOverride charge_to_attention(OpKind::SE);
  return channel_scale_add_relu(x, channel_gate(x), residual);
}

Variable AttentionModule::channel_gate(const Variable&) {
  EXCITE_FAIL(label() << ": not a kind that only scales channels (no channel_gate)");
}

std::string AttentionModule::structure() const {
  return kind_.name() + " " + std::to_string(channels_) + " (" + kind_.describe(options_) + ")";
}

void AttentionModule::record_gates(bool on) {
  recording_ = on;
  if (!on) channel_gate_ = spatial_gate_ = Tensor();
}

void AttentionModule::note_gates(const Variable& channel, const Variable& spatial) {
  if (!recording_) return;
  channel_gate_ = channel.defined() ? channel.data() : Tensor();
  spatial_gate_ = spatial.defined() ? spatial.data() : Tensor();
}

// --- a model's attention modules ---

std::vector<NamedAttention> attention_modules(Module& model) {
  std::vector<NamedAttention> out;
  for (const NamedModule& m : model.named_modules())
    if (auto* a = dynamic_cast<AttentionModule*>(m.module)) out.push_back({m.name, a});
  return out;
}

void record_gates(Module& model, bool on) {
  for (const NamedAttention& a : attention_modules(model)) a.module->record_gates(on);
}

}  // namespace excite::layers
