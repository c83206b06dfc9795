// layers/zoo.h — the named models, and make_model() to build one from its name (the --arch flag).
//
//   CIFAR-style (3 stages, widths 16/32/64, BasicBlocks, 3x3 stem; He et al. 2016 sec. 4.2, with
//   the seed's 1x1 conv + BN shortcut where the shape changes), depth 6n + 2:
//     resnet8, resnet14, resnet20, resnet32, resnet44, resnet56, resnet110 (any 6n + 2 that is not
//     an ImageNet depth works, e.g. resnet1202); default 10 classes.
//   ImageNet-style (4 stages, widths 64/128/256/512, 7x7 stem + max-pool; torchvision's layout):
//     resnet18 [2,2,2,2], resnet34 [3,4,6,3] (BasicBlock); resnet50 [3,4,6,3], resnet101 [3,4,23,3],
//     resnet152 [3,8,36,3] (Bottleneck); default 1000 classes.
//   The prefix "se" adds SE to every block of the selected stages: seresnet20, seresnet50, ...
//   seresnet34 is the seed's SEResNet (same structure, names and 21,956,392 parameters).
//
//   auto model = layers::make_model({.arch = "seresnet20", .num_classes = 10,
//                                     .se = {.reduction = 8, .gate = layers::Gate::HardSigmoid},
//                                     .se_position = layers::SEPosition::Identity});
//   auto same  = layers::seresnet20({.num_classes = 10});
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "layers/resnet.h"

namespace excite::layers {

struct ModelOptions {
  std::string arch = "seresnet20";
  std::optional<int64_t> num_classes = {};  // default: 10 for CIFAR-style, 1000 for ImageNet-style
  int64_t in_channels = 3;
  SEOptions se = {};                        // for se* archs; the seed's SE by default
  bool no_se = false;                       // --no-se: build an se* arch without SE
  SEPosition se_position = SEPosition::Standard;
  std::vector<int64_t> se_stages = {};      // 1-based; empty: every stage
  bool zero_init_residual = false;
};

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
