// layers/cbam.cpp — the attention kinds "cbam", "cbam-channel" and "cbam-spatial": the
// Convolutional Block Attention Module (Woo et al., ECCV 2018) as timm's layers/cbam.py CbamModule,
// and each of its halves alone.
//
//   channel   e = gate(mlp(avgpool(x)) + mlp(maxpool(x)))   mlp = fc2 relu fc1, 1x1 convolutions
//             x' = x * e[:, :, None, None]                  C -> hidden = max(1, round(C / r)) -> C
//   spatial   m = [mean_c(x'), max_c(x')]  (2 channels, in that order)
//             a = gate(bn(conv7x7(m)))                       [N, 1, H, W], padding k / 2, no conv bias
//             y = x' * a                                     broadcast over channels (spatial_scale)
// The channel max of the spatial half uses MaxTies::Split (timm's amax: ties share the gradient).
// State keys as timm: channel.fc1.weight, channel.fc2.weight (+ .bias with bias on),
// spatial.conv.conv.weight, spatial.conv.bn.{weight, bias, running_mean, running_var,
// num_batches_tracked}; the halves alone keep their channel.* / spatial.* keys.
// Options: cbam: reduction, bias, spatial_kernel (odd), gate; cbam-channel: reduction, bias, gate;
// cbam-spatial: spatial_kernel, gate. The gate serves both halves (timm's gate_layer). There is no
// squeeze option (CBAM's squeeze is avg and max, always) and no min_channels (the width rule is
// timm's). Recorded gates: the channel gate e [N, C] (absent for cbam-spatial) and the spatial
// gate a [N, 1, H, W] (absent for cbam-channel).
// Multiply-adds: the MLP twice (avg and max), 2 * 2 * C * hidden per image; the 7x7 convolution
// H * W * 2 * k * k per image.
#include <cmath>

#include "layers/attention.h"
#include "layers/batchnorm.h"
#include "layers/conv.h"
#include "layers/gate.h"
#include "layers/simple.h"

namespace excite::layers {

namespace {

enum class Halves { Both, Channel, Spatial };

struct CbamOptions {
  int64_t reduction = 16;
  bool bias = false;
  int64_t spatial_kernel = 7;
  Gate gate = Gate::Sigmoid;
};
struct CbamChannelOptions {
  int64_t reduction = 16;
  bool bias = false;
  Gate gate = Gate::Sigmoid;
};
struct CbamSpatialOptions {
  int64_t spatial_kernel = 7;
  Gate gate = Gate::Sigmoid;
};

Setting reduction_setting() {
  return Setting{.key = "reduction", .help = "CBAM channel MLP reduction r (hidden max(1, round(C / r)))", .min = 1,
                 .factor = true};
}
Setting bias_setting() { return Setting{.key = "bias", .help = "CBAM channel MLP with bias", .aliases = {"se_bias"}}; }
Setting kernel_setting() {
  return Setting{.key = "spatial_kernel", .help = "CBAM spatial convolution size (odd)", .min = 1, .factor = true};
}
Setting gate_setting() {
  return Setting{.key = "gate", .help = "CBAM gate (both halves): sigmoid | hard_sigmoid | tanh | relu",
                 .factor = true};
}

template <typename F>
void visit_fields(CbamOptions& o, F&& f) {
  f(reduction_setting(), o.reduction);
  f(bias_setting(), o.bias);
  f(kernel_setting(), o.spatial_kernel);
  f(gate_setting(), o.gate);
}
template <typename F>
void visit_fields(CbamChannelOptions& o, F&& f) {
  f(reduction_setting(), o.reduction);
  f(bias_setting(), o.bias);
  f(gate_setting(), o.gate);
}
template <typename F>
void visit_fields(CbamSpatialOptions& o, F&& f) {
  f(kernel_setting(), o.spatial_kernel);
  f(gate_setting(), o.gate);
}

int64_t cbam_hidden(int64_t channels, int64_t reduction) {
  const int64_t h = std::llround(static_cast<double>(channels) / static_cast<double>(reduction));
  return h < 1 ? 1 : h;
}

constexpr int64_t kMaxSpatialKernel = 255;

class CbamModule final : public AttentionModule {
 public:
  CbamModule(const AttentionKind& kind, Halves halves, int64_t channels, const CbamOptions& o, OptionValues written)
      : AttentionModule("CbamModule", kind, channels, std::move(written)), halves_(halves), o_(o) {
    EXCITE_CHECK(halves == Halves::Channel || o.spatial_kernel % 2 == 1,
                 "attention '" << kind.name() << "': option 'spatial_kernel' must be odd, got " << o.spatial_kernel);
    if (halves != Halves::Spatial) {
      hidden_ = cbam_hidden(channels, o.reduction);
      auto channel = register_module("channel", std::make_shared<Group>("ChannelAttn"));
      fc1_ = channel->add("fc1", std::make_shared<Conv2d>(Conv2dOptions{.in = channels, .out = hidden_, .bias = o.bias}));
      fc2_ = channel->add("fc2", std::make_shared<Conv2d>(Conv2dOptions{.in = hidden_, .out = channels, .bias = o.bias}));
    }
    if (halves != Halves::Channel) {
      auto spatial = register_module("spatial", std::make_shared<Group>("SpatialAttn"));
      auto conv = spatial->add("conv", std::make_shared<Group>("ConvNormAct"));
      const int64_t k = o.spatial_kernel;
      conv_ = conv->add("conv", std::make_shared<Conv2d>(
                                    Conv2dOptions{.in = 2, .out = 1, .kernel = k, .padding = k / 2, .bias = false}));
      bn_ = conv->add("bn", std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = 1}));
    }
    gate_ = register_module("gate", make_gate(o.gate));
  }
  int64_t hidden() const override { return hidden_; }

 protected:
  Variable attend(const Variable& x) override {
    EXCITE_CHECK(x.dim() == 4 && x.size(1) == channels(),
                 label() << ": expected input [N, " << channels() << ", H, W], got " << x.shape());
    const int64_t N = x.size(0), C = channels();
    Variable out = x, e, a;
    if (fc1_) {
      auto mlp = [&](const Variable& s) { return (*fc2_)(relu((*fc1_)(reshape(s, {N, C, 1, 1})))); };
      e = reshape((*gate_)(mlp(global_avg_pool(out)) + mlp(global_max_pool(out))), {N, C});
      out = channel_scale(out, e);
    }
    if (conv_) {
      const Variable maps = cat({channel_mean(out), channel_max(out, MaxTies::Split)}, 1);
      a = (*gate_)((*bn_)((*conv_)(maps)));
      out = spatial_scale(out, a);
    }
    note_gates(e, a);
    return out;
  }

 private:
  Halves halves_;
  CbamOptions o_;
  int64_t hidden_ = 0;
  ModulePtr fc1_, fc2_, conv_, bn_, gate_;
};

template <typename T>
class CbamKind final : public AttentionKind {
 public:
  CbamKind(Halves halves, std::string name, std::string label, std::string summary)
      : halves_(halves), name_(std::move(name)), label_(std::move(label)), summary_(std::move(summary)) {}
  std::string name() const override { return name_; }
  std::string label() const override { return label_; }
  std::string summary() const override { return summary_; }
  // timm's ResNet keys every attention layer `se`.
  std::string child_name() const override { return "se"; }
  std::vector<OptionSpec> options() const override { return option_specs<T>(); }
  OptionValues complete(const OptionValues& given) const override {
    const CbamOptions o = full(given);
    if (halves_ != Halves::Channel) {
      EXCITE_CHECK(o.spatial_kernel % 2 == 1, "attention '" << name_ << "': option 'spatial_kernel' must be odd, got "
                                                            << o.spatial_kernel << "; try " << o.spatial_kernel + 1);
      // Found by fuzz_attention: --spatial-kernel 11111 built 9 modules of 11111^2 weights (4 GB).
      EXCITE_CHECK(o.spatial_kernel <= kMaxSpatialKernel,
                   "attention '" << name_ << "': option 'spatial_kernel' must be at most " << kMaxSpatialKernel
                                 << " (CBAM uses 7), got " << o.spatial_kernel);
    }
    return write_options(read(given));
  }
  std::shared_ptr<AttentionModule> make(int64_t channels, const OptionValues& options) const override {
    return std::make_shared<CbamModule>(*this, halves_, channels, full(options), write_options(read(options)));
  }
  AttentionCounts counts(const OptionValues& options, const Shape& input) const override {
    const CbamOptions o = full(options);
    const int64_t N = input[0], C = input[1], H = input[2], W = input[3], k = o.spatial_kernel;
    AttentionCounts c;
    if (halves_ != Halves::Spatial) {
      const int64_t h = cbam_hidden(C, o.reduction);
      c.params += 2 * C * h + (o.bias ? h + C : 0);
      c.macs += 2 * 2 * C * h * N;
    }
    if (halves_ != Halves::Channel) {
      c.params += 2 * k * k + 2;
      c.macs += N * H * W * 2 * k * k;
    }
    return c;
  }
  std::string unfit(const OptionValues& options, const AttentionSite& site) const override {
    const CbamOptions o = full(options);
    const int64_t channels = site.channels;
    if (halves_ != Halves::Channel && site.height > 0) {
      // Padded by (k-1)/2, a tap further than the map's size from every output sees only zeros.
      const int64_t widest = 2 * std::max(site.height, site.width) - 1;
      if (o.spatial_kernel > widest)
        return "spatial_kernel " + std::to_string(o.spatial_kernel) + " is wider than the " +
               std::to_string(site.height) + "x" + std::to_string(site.width) + " map can use (taps beyond " +
               std::to_string(widest) + " see only padding); use spatial_kernel <= " + std::to_string(widest);
    }
    if (halves_ == Halves::Spatial || o.reduction <= channels) return "";
    return "reduction " + std::to_string(o.reduction) + " is larger than the " + std::to_string(channels) +
           " channels (the hidden width would round to 0 and be kept at 1); use r <= " + std::to_string(channels);
  }
  std::string describe(const OptionValues& options) const override {
    const CbamOptions o = full(options);
    std::string s;
    if (halves_ != Halves::Spatial) s += "r " + std::to_string(o.reduction) + ", ";
    if (halves_ != Halves::Channel) s += "spatial " + std::to_string(o.spatial_kernel) + "x" +
                                         std::to_string(o.spatial_kernel) + ", ";
    return s + "gate " + name_of(o.gate);
  }

 private:
  T read(const OptionValues& values) const { return read_options<T>(values, "attention '" + name_ + "'"); }
  CbamOptions full(const OptionValues& values) const {
    const T t = read(values);
    CbamOptions o;
    if constexpr (requires { t.reduction; }) o.reduction = t.reduction, o.bias = t.bias;
    if constexpr (requires { t.spatial_kernel; }) o.spatial_kernel = t.spatial_kernel;
    o.gate = t.gate;
    return o;
  }
  Halves halves_;
  std::string name_, label_, summary_;
};

}  // namespace

const AttentionKind& cbam_kind() {
  static const CbamKind<CbamOptions> kind(Halves::Both, "cbam", "CBAM",
                                          "CBAM: channel attention (avg+max, shared MLP) then spatial 7x7 (Woo et al.)");
  return kind;
}
const AttentionKind& cbam_channel_kind() {
  static const CbamKind<CbamChannelOptions> kind(Halves::Channel, "cbam-channel", "CBAM channel",
                                                 "CBAM's channel half alone: avg+max squeeze, shared MLP, gate");
  return kind;
}
const AttentionKind& cbam_spatial_kind() {
  static const CbamKind<CbamSpatialOptions> kind(Halves::Spatial, "cbam-spatial", "CBAM spatial",
                                                 "CBAM's spatial half alone: channel mean and max, 7x7 conv, BN, gate");
  return kind;
}

}  // namespace excite::layers
