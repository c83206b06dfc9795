#include "layers/se.h"

#include <algorithm>

#include "layers/activation.h"
#include "layers/linear.h"
#include "layers/pooling.h"

namespace excite::layers {

int64_t se_hidden_channels(int64_t channels, const SEOptions& o) {
  EXCITE_CHECK(o.reduction > 0 && o.min_channels > 0,
               "SEModule: reduction and min_channels must be positive, got " << o.reduction << " and " << o.min_channels);
  return std::max(channels / o.reduction, o.min_channels);
}

AttentionOptions se_attention(const SEOptions& options) { return {"se", write_options(options)}; }

// --- the module ---

SEModule::SEModule(int64_t channels, const SEOptions& o)
    : AttentionModule("SEModule", se_kind(), channels, write_options(o)),
      hidden_(se_hidden_channels(channels, o)),
      options_(o) {
  if (o.squeeze != Squeeze::Max) avg_pool_ = register_module("avg_pool", std::make_shared<AdaptiveAvgPool2d>());
  if (o.squeeze != Squeeze::Avg) max_pool_ = register_module("max_pool", std::make_shared<AdaptiveMaxPool2d>());
  fc_ = register_module("fc", std::make_shared<Sequential>(std::initializer_list<ModulePtr>{
                                  std::make_shared<Linear>(LinearOptions{.in = channels, .out = hidden_, .bias = o.bias}),
                                  std::make_shared<ReLU>(),
                                  std::make_shared<Linear>(LinearOptions{.in = hidden_, .out = channels, .bias = o.bias}),
                                  make_gate(o.gate)}));
}

std::string SEModule::structure() const {  // r and min_channels matter only through the hidden width
  return "se " + name_of(options_.squeeze) + "/" + name_of(options_.gate) + (options_.bias ? "/bias " : " ") +
         std::to_string(channels()) + ">" + std::to_string(hidden_);
}

Variable SEModule::excitation(const Variable& x) {
  EXCITE_CHECK(x.dim() == 4 && x.size(1) == channels(),
               label() << ": expected input [N, " << channels() << ", H, W], got " << x.shape() << " (fc.0.weight ["
                       << hidden_ << ", " << channels() << "])");
  const Shape nc{x.size(0), channels()};
  const Sequential& fc = *fc_;
  auto mlp = [&](const Variable& s) { return (*fc[2])((*fc[1])((*fc[0])(s))); };  // [N, C] -> [N, C]
  Variable z;
  if (avg_pool_) z = mlp(reshape((*avg_pool_)(x), nc));
  if (max_pool_) {
    Variable m = mlp(reshape((*max_pool_)(x), nc));
    z = z.defined() ? z + m : m;
  }
  return (*fc[3])(z);
}

Variable SEModule::channel_gate(const Variable& x) {
  Variable e = excitation(x);
  note_gates(e);
  return e;
}

Variable SEModule::attend(const Variable& x) { return channel_scale(x, channel_gate(x)); }

// --- the kind ---

namespace {

class SEKind final : public AttentionKind {
 public:
  std::string name() const override { return "se"; }
  std::string label() const override { return "SE"; }
  std::string summary() const override { return "Squeeze-and-Excitation: pool, FC-ReLU-FC, gate, scale (Hu et al.)"; }
  std::vector<OptionSpec> options() const override { return option_specs<SEOptions>(); }
  OptionValues complete(const OptionValues& given) const override { return write_options(read(given)); }
  std::shared_ptr<AttentionModule> make(int64_t channels, const OptionValues& options) const override {
    return std::make_shared<SEModule>(channels, read(options));
  }
  // Two C x hidden FC layers (each applied twice under avgmax), biases when asked.
  AttentionCounts counts(const OptionValues& options, const Shape& input) const override {
    const SEOptions o = read(options);
    const int64_t c = input[1], h = se_hidden_channels(c, o), passes = o.squeeze == Squeeze::AvgMax ? 2 : 1;
    return {.params = 2 * c * h + (o.bias ? c + h : 0), .macs = passes * 2 * c * h * input[0]};
  }
  std::string unfit(const OptionValues& options, const AttentionSite& site) const override {
    const SEOptions o = read(options);
    const int64_t channels = site.channels;
    if (o.reduction <= channels) return "";
    return "reduction " + std::to_string(o.reduction) + " is larger than the " + std::to_string(channels) +
           " channels, where C / r would be below 1 and the hidden width only min_channels; use r <= " +
           std::to_string(channels);
  }
  std::string describe(const OptionValues& options) const override {
    const SEOptions o = read(options);
    return "r " + std::to_string(o.reduction) + ", squeeze " + name_of(o.squeeze) + ", gate " + name_of(o.gate);
  }

 private:
  static SEOptions read(const OptionValues& values) { return read_options<SEOptions>(values, "attention 'se'"); }
};

}  // namespace

const AttentionKind& se_kind() {
  static const SEKind kind;
  return kind;
}

}  // namespace excite::layers
