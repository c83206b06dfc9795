// layers/zoo.h — the named models, and make_model() to build one from its name (the --arch flag)
// and options.
//
//   CIFAR-style (3 stages, widths 16/32/64, BasicBlocks, 3x3 stem; He et al. 2016 sec. 4.2, with
//   the seed's 1x1 conv + BN shortcut where the shape changes), depth 6n + 2:
//     resnet8, resnet14, resnet20, resnet32, resnet44, resnet56, resnet110 (any 6n + 2 that is not
//     an ImageNet depth works, e.g. resnet1202); default 10 classes.
//   ImageNet-style (4 stages, widths 64/128/256/512, 7x7 stem + max-pool; torchvision's layout):
//     resnet18 [2,2,2,2], resnet34 [3,4,6,3] (BasicBlock); resnet50 [3,4,6,3], resnet101 [3,4,23,3],
//     resnet152 [3,8,36,3] (Bottleneck); default 1000 classes.
//   An arch's attention is its prefix's: "se" stands for attention se (seresnet20 = resnet20 with
//   --attention se), no prefix for none; an attention kind given explicitly wins (seresnet20 with
//   attention none is resnet20, what --no-se asks for). The attention goes into every block of
//   the selected stages. seresnet34 is the seed's SEResNet (same structure, names and 21,956,392
//   parameters).
//
//   auto model = layers::make_model({.arch = "seresnet20", .num_classes = 10,
//                                     .attention = layers::se_attention({.reduction = 8, .gate = layers::Gate::HardSigmoid}),
//                                     .position = layers::Position::Identity});
//   auto same  = layers::seresnet20({.num_classes = 10});
//
// ModelOptions is also the model part of a training config: visit_fields lists its settings
// (JSON keys and flags, layers/options.h); the attention kind's own options travel in
// attention.options.
#pragma once

#include <string>
#include <vector>

#include "layers/resnet.h"

namespace excite::layers {

struct ModelOptions {
  std::string arch = "seresnet20";
  int64_t num_classes = 0;                    // 0: 10 for CIFAR-style archs, 1000 for ImageNet-style
  int64_t in_channels = 0;                    // 0: 3
  AttentionOptions attention = {.kind = ""};  // kind "": the arch's (se for se..., none otherwise)
  Position position = Position::Standard;
  std::vector<int64_t> stages = {};           // 1-based stages carrying attention; empty: every stage
  bool zero_init_residual = false;
  bool operator==(const ModelOptions&) const = default;
};

template <typename F>
void visit_fields(ModelOptions& m, F&& f) {
  f(Setting{.key = "arch", .help = "resnet8/14/20/32/44/56/110 (CIFAR), resnet18/34/50/101/152 (ImageNet), se<any of these>"},
    m.arch);
  f(Setting{.key = "num_classes", .help = "classes (0: the dataset's)", .min = 0}, m.num_classes);
  f(Setting{.key = "in_channels", .help = "input channels (0: the dataset's)", .min = 0}, m.in_channels);
  f(Setting{.key = "attention", .help = "attention kind (default: the arch's, se for se..., else none)", .factor = true},
    m.attention.kind);
  f(Setting{.key = "position", .help = "where attention sits in a block",
            .aliases = {"se_position"}, .factor = true},
    m.position);
  f(Setting{.key = "stages", .help = "stages carrying attention, 1-based (default: all)", .aliases = {"se_stages"},
            .factor = true},
    m.stages);
  f(Setting{.key = "zero_init_residual", .help = "start every residual branch's last BN at weight 0"},
    m.zero_init_residual);
}

// The attention an arch name implies: "se" for se..., "none" otherwise.
std::string default_attention(const std::string& arch);
// The options with the attention kind resolved and its options completed and checked, the arch
// and the stages checked (throws naming what is wrong). Idempotent; make_model calls it.
ModelOptions completed(const ModelOptions& options);
// The config an arch name stands for, with the options applied; throws listing the known names.
ResNetConfig resnet_config(const ModelOptions& options);
std::shared_ptr<ResNet> make_model(const ModelOptions& options);
std::vector<std::string> known_archs();  // the standard names, for help texts

// The named models (options.arch is ignored).
std::shared_ptr<ResNet> resnet20(ModelOptions options = {});
std::shared_ptr<ResNet> seresnet20(ModelOptions options = {});
std::shared_ptr<ResNet> resnet34(ModelOptions options = {});
std::shared_ptr<ResNet> seresnet34(ModelOptions options = {});
std::shared_ptr<ResNet> resnet50(ModelOptions options = {});
std::shared_ptr<ResNet> seresnet50(ModelOptions options = {});

}  // namespace excite::layers
