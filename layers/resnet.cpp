#include "layers/resnet.h"

#include <algorithm>

#include "layers/activation.h"
#include "layers/conv_bn.h"
#include "layers/init.h"

namespace excite::layers {

void check_resnet_config(const ResNetConfig& c) {
  EXCITE_CHECK(!c.depths.empty() && c.depths.size() == c.widths.size(),
               "ResNet: depths and widths need one entry per stage, got " << c.depths.size() << " and " << c.widths.size());
  for (size_t s = 0; s < c.depths.size(); ++s)
    EXCITE_CHECK(c.depths[s] > 0 && c.widths[s] > 0,
                 "ResNet: stage " << s + 1 << " has depth " << c.depths[s] << " and width " << c.widths[s] << " (both must be positive)");
  EXCITE_CHECK(c.in_channels > 0 && c.num_classes > 0,
               "ResNet: in_channels and num_classes must be positive, got " << c.in_channels << " and " << c.num_classes);
  for (size_t i = 0; i < c.stages.size(); ++i) {
    const int64_t s = c.stages[i];
    EXCITE_CHECK(s >= 1 && s <= static_cast<int64_t>(c.depths.size()),
                 "ResNet: attention stage " << s << " does not exist (stages are 1 to " << c.depths.size()
                                            << "; none listed means every stage)");
    EXCITE_CHECK(std::find(c.stages.begin(), c.stages.begin() + static_cast<std::ptrdiff_t>(i), s) ==
                     c.stages.begin() + static_cast<std::ptrdiff_t>(i),
                 "ResNet: attention stages name stage " << s << " twice");
  }
}

namespace {

bool stage_has_attention(const ResNetConfig& c, int64_t stage) {
  return c.stages.empty() || std::find(c.stages.begin(), c.stages.end(), stage) != c.stages.end();
}

}  // namespace

ResNet::ResNet(const ResNetConfig& c) : Module("ResNet"), config_(c) {
  check_resnet_config(c);
  config_.attention = complete(c.attention);  // checked once, for every block
  const AttentionOptions& attention = config_.attention;
  const bool imagenet = c.stem == Stem::ImageNet;
  const int64_t stem_width = c.widths[0];
  conv1_ = register_module("conv1", std::make_shared<Conv2d>(Conv2dOptions{.in = c.in_channels,
                                                                           .out = stem_width,
                                                                           .kernel = imagenet ? 7 : 3,
                                                                           .stride = imagenet ? 2 : 1,
                                                                           .padding = imagenet ? 3 : 1,
                                                                           .bias = false}));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = stem_width}));
  relu_ = register_module("relu", std::make_shared<ReLU>());
  if (imagenet) maxpool_ = register_module("maxpool", std::make_shared<MaxPool2d>(MaxPool2dOptions{.kernel = 3, .stride = 2, .padding = 1}));

  const int64_t expansion = c.block == BlockType::Bottleneck ? Bottleneck::expansion : 1;
  int64_t channels = stem_width;
  for (size_t s = 0; s < c.depths.size(); ++s) {
    auto stage = register_module("layer" + std::to_string(s + 1), std::make_shared<Sequential>());
    const int64_t out = c.widths[s] * expansion;
    for (int64_t b = 0; b < c.depths[s]; ++b) {
      ResidualBlockOptions o{.in = channels,
                             .out = out,
                             .stride = (s > 0 && b == 0) ? 2 : 1,
                             .attention = stage_has_attention(c, static_cast<int64_t>(s) + 1) ? attention
                                                                                              : AttentionOptions{},
                             .position = c.position};
      if (c.block == BlockType::Basic) {
        stage->push_back(std::make_shared<BasicBlock>(o));
      } else {
        stage->push_back(std::make_shared<Bottleneck>(o));
      }
      channels = out;
    }
    stages_.push_back(stage);
  }
  num_features_ = channels;
  avgpool_ = register_module("avgpool", std::make_shared<AdaptiveAvgPool2d>());
  fc_ = register_module("fc", std::make_shared<Linear>(LinearOptions{.in = channels, .out = c.num_classes}));
  init_resnet_weights(*this, c.zero_init_residual);
}

Variable ResNet::features(const Variable& x) {
  EXCITE_CHECK(x.dim() == 4 && x.size(1) == config_.in_channels,
               label() << ": expected images [N, " << config_.in_channels << ", H, W], got " << x.shape()
                       << " (conv1.weight " << conv1_->weight().shape() << "); set in_channels to the data's channel count");
  Variable y = folds_batchnorm(*bn1_) ? conv_bn(*conv1_, *bn1_, x, true) : (*relu_)((*bn1_)((*conv1_)(x)));
  if (maxpool_) y = (*maxpool_)(y);
  for (auto& stage : stages_) y = (*stage)(y);
  return y;
}

Variable ResNet::forward(const Variable& x) { return (*fc_)(flatten((*avgpool_)(features(x)))); }

void init_resnet_weights(Module& model, bool zero_init_residual) {
  for (const NamedModule& m : model.named_modules()) {
    if (auto* conv = dynamic_cast<Conv2d*>(m.module)) {
      kaiming_normal_(conv->weight().data(), FanMode::Out);
    } else if (auto* bn = dynamic_cast<BatchNorm2d*>(m.module); bn && bn->weight().defined()) {
      bn->weight().data().fill(1.f);
      bn->bias().data().fill(0.f);
    }
  }
  if (!zero_init_residual) return;
  for (const NamedModule& m : model.named_modules())
    if (auto* block = dynamic_cast<ResidualBlock*>(m.module)) block->last_bn().weight().data().fill(0.f);
}

}  // namespace excite::layers
