// layers/attention.h — attention as a plug-in: what a residual block holds, the interface every
// kind implements, and the registry that lists the kinds.
//
// A kind is one file (layers/se.cpp: "se", layers/none.cpp: "none"): its options struct with its
// visit_fields (layers/options.h), its module (an AttentionModule) and an AttentionKind object
// that answers, for code that knows no concrete type:
//   options()    which options it takes: keys, defaults, rules, and which a study may vary
//                (Setting::factor): the CLI makes its flags from them, the JSON reader its keys;
//   complete()   its options with the defaults filled in, checked: the one place they are
//                validated (an option it does not take is refused there, naming the kind);
//   make()       its module for C channels; counts(): the parameters and multiply-adds of that
//                module at an input [N, C, H, W], as layers/profile.h counts them;
//   unfit()      why a setting makes no sense at a site (C channels, an H x W map when known):
//                a study refuses such a variant, a single run builds it;
//   describe()   its settings in words, for plans and reports ("r 16, squeeze avg, gate sigmoid").
// The module exposes its bottleneck width (hidden()), what it computes (structure()) and, while
// recording, the gates of its last forward pass: the channel gate [N, C] and, for kinds that weigh
// positions, the spatial gate [N, 1, H, W] (what the excitation analysis reads).
//
// The registry (layers/attention_registry.cpp) lists the kinds, one line each; the command line,
// the JSON config, `excite summary`, the ablation planner and the reports all find them there.
// Where the module sits in a residual block (Position) and in which stages is the same for every
// kind: layers/residual.h and layers/resnet.h.
//
// For export (ONNX, later): a module is a tree of standard modules (pools, Linear, activations)
// and the product that applies its gate; its kind and its complete options() describe it fully.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"
#include "layers/options.h"

namespace excite::layers {

// Where attention sits in a residual block (the SE paper's integration study, Fig. 5):
//   standard  out = relu(att(branch(x)) + shortcut(x))   after the branch's last BN (the seed's)
//   pre       out = relu(branch(att(x)) + shortcut(x))   before the branch, over the input channels
//   post      out = att(relu(branch(x) + shortcut(x)))   after the addition and its ReLU
//   identity  out = relu(branch(x) + att(shortcut(x)))   on the identity path
enum class Position { Standard, Pre, Post, Identity };

// Which attention and its options: the value that goes from `--attention se --reduction 8` or
// {"attention": "se", "reduction": 8} to the layer. Options left out take the kind's defaults.
struct AttentionOptions {
  std::string kind = "none";
  OptionValues options = {};
  bool operator==(const AttentionOptions&) const = default;
};

// Where a module sits: its input's channels and, when known, its map size (0: not known).
struct AttentionSite {
  int64_t channels = 0;
  int64_t height = 0, width = 0;
};

struct AttentionCounts {
  int64_t params = 0;
  int64_t macs = 0;  // multiply-adds of the whole input batch
};

class AttentionModule;

class AttentionKind {
 public:
  virtual ~AttentionKind() = default;
  virtual std::string name() const = 0;     // "se": the value of --attention, the registry's key
  virtual std::string label() const = 0;    // "SE": what summaries and reports call it
  virtual std::string summary() const = 0;  // one line for help texts
  virtual std::vector<OptionSpec> options() const = 0;
  virtual OptionValues complete(const OptionValues& given) const = 0;
  // The module for `channels` channels from complete options; nullptr for "none".
  virtual std::shared_ptr<AttentionModule> make(int64_t channels, const OptionValues& options) const = 0;
  virtual AttentionCounts counts(const OptionValues& options, const Shape& input) const = 0;
  virtual std::string unfit(const OptionValues&, const AttentionSite&) const { return ""; }
  virtual std::string describe(const OptionValues& options) const = 0;
  // The name a block registers the module under, the prefix of its state-dict keys.
  virtual std::string child_name() const { return name(); }
  // The options a study may vary (those whose Setting says factor), with their values' rules.
  std::vector<OptionSpec> factors() const;
};

class AttentionModule : public Module {
 public:
  // x [N, C, H, W] -> the same shape, re-weighted. Time goes to "se" in `excite bench`'s
  // breakdown (core/kernels/op_timer.h), for every kind.
  Variable forward(const Variable& x) final;
  // relu(this(x) + residual): a residual block's join after its attention (Position::Standard; at
  // Position::Identity x is the shortcut's output and residual the branch's).
  // For a kind that only scales channels (scales_channels_only: SE, ECA, global GE without theta) one op,
  // channel_scale_add_relu, one pass each way instead of two; for the others, and while a profile
  // or a trace is taken (a profile sees the module's call, a trace only ops the exporter knows),
  // the module and then add_relu.
  Variable forward_add_relu(const Variable& x, const Variable& residual);

  const AttentionKind& kind() const { return kind_; }
  int64_t channels() const { return channels_; }
  const OptionValues& options() const { return options_; }  // complete
  virtual int64_t hidden() const { return 0; }  // the bottleneck width (SE: max(C / r, min)), 0: none
  // What it computes, for telling models apart: two modules with the same structure compute the
  // same family of functions. Default: kind, channels and describe().
  virtual std::string structure() const;

  // --- the gates, for the excitation analysis ---
  void record_gates(bool on);  // off drops what was kept
  bool recording_gates() const { return recording_; }
  const Tensor& channel_gate() const { return channel_gate_; }  // [N, C]; undefined unless recorded
  const Tensor& spatial_gate() const { return spatial_gate_; }  // [N, 1, H, W], kinds that have one

 protected:
  AttentionModule(std::string type, const AttentionKind& kind, int64_t channels, OptionValues options);
  virtual Variable attend(const Variable& x) = 0;
  // Kinds whose attend(x) is channel_scale(x, e) say so, and compute (and note) e [N, C] in
  // channel_gate(x): forward_add_relu then applies it in the join. Default: not such a kind.
  virtual bool scales_channels_only() const { return false; }
  virtual Variable channel_gate(const Variable& x);
  // attend() passes the gates it applies; kept only while recording.
  void note_gates(const Variable& channel, const Variable& spatial = {});

 private:
  const AttentionKind& kind_;
  int64_t channels_;
  OptionValues options_;
  bool recording_ = false;
  Tensor channel_gate_, spatial_gate_;
};

// --- the registry ---

const std::vector<const AttentionKind*>& attention_kinds();  // in registry order
const AttentionKind& attention_kind(const std::string& name);  // throws listing the kinds
std::vector<std::string> attention_kind_names();
// Every option of every kind, once per key, in registry order (kinds that share a key, share
// its type): what the command line and the JSON reader accept.
std::vector<OptionSpec> all_attention_options();
// The kind checked and its options completed (idempotent).
AttentionOptions complete(const AttentionOptions& attention);
// The module for `channels` channels (nullptr for "none").
std::shared_ptr<AttentionModule> make_attention(const AttentionOptions& attention, int64_t channels);
// "se (reduction 16, min_channels 8, squeeze avg, gate sigmoid, bias false)": every option.
std::string describe_all(const AttentionOptions& attention);

// --- a model's attention modules ---

struct NamedAttention {
  std::string path;  // "layer1.0.se"
  AttentionModule* module;
};
std::vector<NamedAttention> attention_modules(Module& model);
void record_gates(Module& model, bool on);

}  // namespace excite::layers

namespace excite {
template <>
struct Vocabulary<layers::Position> {
  static constexpr const char* what = "position";
  static constexpr std::pair<layers::Position, const char*> names[] = {{layers::Position::Standard, "standard"},
                                                                       {layers::Position::Pre, "pre"},
                                                                       {layers::Position::Post, "post"},
                                                                       {layers::Position::Identity, "identity"}};
};
}  // namespace excite
