// layers/ge.cpp — the attention kind "ge": Gather-Excite (Hu, Shen, Albanie, Sun, Vedaldi,
// NeurIPS 2018), as timm's layers/gather_excite.py GatherExcite without its MLP.
//
//   gather    g = avg_pool(x)   depthwise, over an extent e: global (e = 0: [N, C, 1, 1]) or a
//                               strided average, kernel 2e - 1, stride e, padding e - 1, padding not
//                               counted (timm's choice) -> [N, C, ceil(H / e), ceil(W / e)]
//             theta (learned): log2(e) depthwise 3x3 stride-2 convolutions, each with BN, ReLU
//                               between them (GE-theta; state gather.conv<i>.weight, gather.norm<i>.*)
//   excite    a = gate(g), nearest-neighbour upsampled back to [H, W]
//   scale     y = x * a
// GE-theta-minus (theta false) has no parameters at all. GE-theta-plus (timm's extra MLP) is left
// out. Options: extent (0, or a positive extent; with theta a power of two >= 2), theta, gate.
// It has no reduction, squeeze or bias. The recorded channel gate is a averaged over positions
// ([N, C]: the gate itself when global); the gate varies per channel and position, so there is no
// single spatial map.
// Multiply-adds: 0 without theta; with theta each depthwise conv C * oh * ow * 9 per image.
#include <algorithm>
#include <cmath>

#include "layers/attention.h"
#include "layers/batchnorm.h"
#include "layers/conv.h"
#include "layers/gate.h"
#include "layers/simple.h"

namespace excite::layers {

namespace {

struct GEOptions {
  int64_t extent = 0;
  bool theta = false;
  Gate gate = Gate::Sigmoid;
};

template <typename F>
void visit_fields(GEOptions& o, F&& f) {
  f(Setting{.key = "extent", .help = "GE gather extent: 0 global, else e (a strided e-pool; 2, 4, 8 as the paper)",
            .min = 0, .factor = true},
    o.extent);
  f(Setting{.key = "theta", .help = "GE with learned depthwise gathers (GE-theta)", .factor = true}, o.theta);
  f(Setting{.key = "gate", .help = "GE gate: sigmoid | hard_sigmoid | tanh | relu", .factor = true}, o.gate);
}

const AttentionKind& kind_object();

int theta_convs(int64_t extent) { return static_cast<int>(std::lround(std::log2(static_cast<double>(extent)))); }
int64_t ceil_half(int64_t v) { return (v + 1) / 2; }

class GEModule final : public AttentionModule {
 public:
  GEModule(int64_t channels, const GEOptions& o)
      : AttentionModule("GatherExcite", kind_object(), channels, write_options(o)), o_(o) {
    if (o.theta) {
      auto gather = register_module("gather", std::make_shared<Group>("Sequential"));
      for (int i = 1; i <= theta_convs(o.extent); ++i) {
        convs_.push_back(gather->add("conv" + std::to_string(i),
                                     std::make_shared<Conv2d>(Conv2dOptions{.in = channels, .out = channels, .kernel = 3,
                                                                            .stride = 2, .padding = 1,
                                                                            .groups = channels, .bias = false})));
        norms_.push_back(gather->add("norm" + std::to_string(i),
                                     std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = channels})));
      }
    }
    gate_ = register_module("gate", make_gate(o.gate));
  }

 protected:
  Variable attend(const Variable& x) override {
    EXCITE_CHECK(x.dim() == 4 && x.size(1) == channels(),
                 label() << ": expected input [N, " << channels() << ", H, W], got " << x.shape());
    const int64_t N = x.size(0), C = channels(), H = x.size(2), W = x.size(3), e = o_.extent;
    EXCITE_CHECK(e == 0 || (e <= H && e <= W), label() << ": option 'extent' " << e << " does not fit the " << H << "x"
                                                       << W << " map; use an extent <= " << std::min(H, W)
                                                       << " or 0 (global)");
    if (scales_channels_only()) return channel_scale(x, channel_gate(x));
    Variable g;
    if (o_.theta) {
      g = x;
      for (size_t i = 0; i < convs_.size(); ++i) {
        g = (*norms_[i])((*convs_[i])(g));
        if (i + 1 != convs_.size()) g = relu(g);
      }
    } else {
      g = avg_pool2d(x, {.kernel_h = 2 * e - 1, .kernel_w = 2 * e - 1, .stride_h = e, .stride_w = e, .pad_h = e - 1,
                         .pad_w = e - 1, .count_include_pad = false});
    }
    const Variable a = (*gate_)(g);
    if (a.size(2) == 1 && a.size(3) == 1) {
      const Variable e2 = reshape(a, {N, C});
      note_gates(e2);
      return channel_scale(x, e2);
    }
    if (recording_gates()) note_gates(global_avg_pool(a));
    return x * upsample_nearest(a, H, W);
  }

  // Global and without theta, GE is a channel gate: gate(mean of each plane), as SE without its MLP.
  bool scales_channels_only() const override { return !o_.theta && o_.extent == 0; }
  Variable channel_gate(const Variable& x) override {
    EXCITE_CHECK(x.dim() == 4 && x.size(1) == channels(),
                 label() << ": expected input [N, " << channels() << ", H, W], got " << x.shape());
    const int64_t N = x.size(0), C = channels();
    const Variable e = reshape((*gate_)(reshape(global_avg_pool(x), {N, C, 1, 1})), {N, C});
    note_gates(e);
    return e;
  }

 private:
  GEOptions o_;
  std::vector<ModulePtr> convs_, norms_;
  ModulePtr gate_;
};

class GEKind final : public AttentionKind {
 public:
  std::string name() const override { return "ge"; }
  std::string label() const override { return "GE"; }
  std::string summary() const override {
    return "Gather-Excite: average gather over an extent (or learned, theta), gate, upsample, scale (Hu et al.)";
  }
  // timm's ResNet keys every attention layer `se`.
  std::string child_name() const override { return "se"; }
  std::vector<OptionSpec> options() const override { return option_specs<GEOptions>(); }
  OptionValues complete(const OptionValues& given) const override {
    const GEOptions o = read(given);
    if (o.theta)
      EXCITE_CHECK(o.extent >= 2 && (o.extent & (o.extent - 1)) == 0,
                   "attention 'ge': option 'extent' must be a power of two >= 2 with theta (one stride-2 conv per "
                   "halving), got "
                       << o.extent);
    return write_options(o);
  }
  std::shared_ptr<AttentionModule> make(int64_t channels, const OptionValues& options) const override {
    return std::make_shared<GEModule>(channels, read(options));
  }
  AttentionCounts counts(const OptionValues& options, const Shape& input) const override {
    const GEOptions o = read(options);
    AttentionCounts c;
    if (!o.theta) return c;
    int64_t h = input[2], w = input[3];
    for (int i = 0; i < theta_convs(o.extent); ++i) {
      h = ceil_half(h), w = ceil_half(w);
      c.params += input[1] * 9 + 2 * input[1];
      c.macs += input[0] * input[1] * h * w * 9;
    }
    return c;
  }
  // The map is known when a model is built for an input size (a study's plan, train): an extent
  // wider than the map is refused there, before any work.
  std::string unfit(const OptionValues& options, const AttentionSite& site) const override {
    const GEOptions o = read(options);
    if (o.extent == 0 || site.height == 0 || (o.extent <= site.height && o.extent <= site.width)) return "";
    return "extent " + std::to_string(o.extent) + " does not fit the " + std::to_string(site.height) + "x" +
           std::to_string(site.width) + " map; use an extent <= " + std::to_string(std::min(site.height, site.width)) +
           " or 0 (global)";
  }
  std::string describe(const OptionValues& options) const override {
    const GEOptions o = read(options);
    return std::string(o.theta ? "theta, " : "theta-minus, ") +
           (o.extent ? "extent " + std::to_string(o.extent) : "extent global") + ", gate " + name_of(o.gate);
  }

 private:
  static GEOptions read(const OptionValues& values) { return read_options<GEOptions>(values, "attention 'ge'"); }
};

const AttentionKind& kind_object() {
  static const GEKind kind;
  return kind;
}

}  // namespace

const AttentionKind& ge_kind() { return kind_object(); }

}  // namespace excite::layers
