// layers/eca.cpp — the attention kind "eca": Efficient Channel Attention (Wang et al., CVPR 2020),
// as timm's layers/eca.py EcaModule.
//
//   squeeze   s = global_avg_pool(x)                      x [N, C, H, W] -> s [N, C]
//   excite    e = gate(conv1d(s, w, zero padding (k-1)/2)) w [1, 1, k] across the channels, no bias
//   scale     y = x * e[:, :, None, None]
// The kernel k: --eca-kernel K (odd, at most C), or 0 (the default) for the paper's adaptive size
// t = int(|log2(C) + 1| / 2), k = t if t is odd else t + 1, and k >= 3 (timm's gamma 2, beta 1).
// State: `conv.weight` [1, 1, k] (a block keys the module `se`, as timm's ResNet does).
// Options: eca_kernel (--eca-kernel), gate; it has no reduction, squeeze or bias (refused by name).
// Multiply-adds: N * C * k (the padded taps count, as a convolution's do).
#include <cmath>

#include "layers/attention.h"
#include "layers/gate.h"
#include "layers/init.h"

namespace excite::layers {

namespace {

struct ECAOptions {
  int64_t eca_kernel = 0;  // 0: adaptive from the channels
  Gate gate = Gate::Sigmoid;
};

template <typename F>
void visit_fields(ECAOptions& o, F&& f) {
  f(Setting{.key = "eca_kernel", .help = "ECA kernel size across channels (odd, <= C); 0: adaptive from C", .min = 0,
            .factor = true},
    o.eca_kernel);
  f(Setting{.key = "gate", .help = "ECA gate: sigmoid | hard_sigmoid | tanh | relu", .factor = true}, o.gate);
}

const AttentionKind& kind_object();

int64_t eca_kernel_size(int64_t channels, const ECAOptions& o) {
  if (o.eca_kernel > 0) return o.eca_kernel;
  const int64_t t = static_cast<int64_t>(std::abs(std::log2(static_cast<double>(channels)) + 1.0) / 2.0);
  const int64_t k = t % 2 ? t : t + 1;
  return k < 3 ? 3 : k;
}

std::string unfit_kernel(int64_t channels, const ECAOptions& o) {
  const int64_t k = eca_kernel_size(channels, o);
  if (o.eca_kernel > 0 && k > channels)
    return "eca_kernel " + std::to_string(k) + " is wider than the " + std::to_string(channels) +
           " channels; use an odd --eca-kernel <= " + std::to_string(channels) + " or 0 (adaptive)";
  return "";
}

// The 1-D convolution across channels: v [N, C] -> [N, C]; its parameter is `weight` [1, 1, k].
class ChannelConv1d final : public Module {
 public:
  explicit ChannelConv1d(int64_t k) : Module("ChannelConv1d"), k_(k) {
    Tensor w({1, 1, k});
    const float bound = 1.f / std::sqrt(static_cast<float>(k));  // torch's Conv1d default (fan_in k)
    uniform_(w, -bound, bound);
    weight_ = register_parameter("weight", w);
  }
  Variable forward(const Variable& v) override { return channel_conv1d(v, weight_, (k_ - 1) / 2); }
  int64_t own_macs(const Shape& input, const Shape&) const override { return input[0] * input[1] * k_; }

 private:
  int64_t k_;
  Variable weight_;
};

class ECAModule final : public AttentionModule {
 public:
  ECAModule(int64_t channels, const ECAOptions& o)
      : AttentionModule("EcaModule", kind_object(), channels, write_options(o)), k_(eca_kernel_size(channels, o)) {
    const std::string why = unfit_kernel(channels, o);
    EXCITE_CHECK(why.empty(), "attention 'eca': " << why);
    conv_ = register_module("conv", std::make_shared<ChannelConv1d>(k_));
    gate_ = register_module("gate", make_gate(o.gate));
  }
  std::string structure() const override {
    return "eca k" + std::to_string(k_) + "/" + to_string(options().at("gate")) + " " + std::to_string(channels());
  }

 protected:
  Variable attend(const Variable& x) override { return channel_scale(x, channel_gate(x)); }
  bool scales_channels_only() const override { return true; }
  Variable channel_gate(const Variable& x) override {
    EXCITE_CHECK(x.dim() == 4 && x.size(1) == channels(),
                 label() << ": expected input [N, " << channels() << ", H, W], got " << x.shape());
    const Variable e = (*gate_)((*conv_)(global_avg_pool(x)));
    note_gates(e);
    return e;
  }

 private:
  int64_t k_;
  ModulePtr conv_, gate_;
};

class ECAKind final : public AttentionKind {
 public:
  std::string name() const override { return "eca"; }
  std::string label() const override { return "ECA"; }
  std::string summary() const override {
    return "Efficient Channel Attention: avg pool, 1-D conv across channels (adaptive k), gate, scale (Wang et al.)";
  }
  // timm's ResNet keys every attention layer `se`.
  std::string child_name() const override { return "se"; }
  std::vector<OptionSpec> options() const override { return option_specs<ECAOptions>(); }
  OptionValues complete(const OptionValues& given) const override {
    const ECAOptions o = read(given);
    EXCITE_CHECK(o.eca_kernel == 0 || o.eca_kernel % 2 == 1,
                 "attention 'eca': option 'eca_kernel' must be odd (or 0 for adaptive), got " << o.eca_kernel
                                                                                               << "; try "
                                                                                               << o.eca_kernel + 1);
    return write_options(o);
  }
  std::shared_ptr<AttentionModule> make(int64_t channels, const OptionValues& options) const override {
    return std::make_shared<ECAModule>(channels, read(options));
  }
  AttentionCounts counts(const OptionValues& options, const Shape& input) const override {
    const int64_t k = eca_kernel_size(input[1], read(options));
    return {.params = k, .macs = input[0] * input[1] * k};
  }
  std::string unfit(const OptionValues& options, const AttentionSite& site) const override {
    return unfit_kernel(site.channels, read(options));
  }
  std::string describe(const OptionValues& options) const override {
    const ECAOptions o = read(options);
    return std::string(o.eca_kernel ? "k " + std::to_string(o.eca_kernel) : "k adaptive") + ", gate " +
           name_of(o.gate);
  }

 private:
  static ECAOptions read(const OptionValues& values) { return read_options<ECAOptions>(values, "attention 'eca'"); }
};

const AttentionKind& kind_object() {
  static const ECAKind kind;
  return kind;
}

}  // namespace

const AttentionKind& eca_kind() { return kind_object(); }

}  // namespace excite::layers
