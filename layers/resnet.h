// layers/resnet.h — ResNet and SE-ResNet (or any attention kind) of any depth and width, from a
// config; the named models (resnet20, seresnet34, ...) are in layers/zoo.h.
//
// Layout and names as torchvision and the seed's PyTorch SEResNet:
//   conv1, bn1, relu, [maxpool], layer1 .. layerS (Sequentials of blocks "0", "1", ...), avgpool, fc
//   CIFAR stem:    conv1 3x3 stride 1 -> widths[0] channels, no max-pool (He et al. 2016, sec. 4.2)
//   ImageNet stem: conv1 7x7 stride 2 -> widths[0] channels, max-pool 3x3 stride 2
// Stage s (1-based) has depths[s-1] blocks; the first block of every stage but the first has
// stride 2. Each stage's output has widths[s-1] channels (BasicBlock) or 4 x widths[s-1]
// (Bottleneck). Classifier: global average pool, flatten, Linear with bias.
// Initialisation as torchvision's ResNet: every Conv2d kaiming_normal_(fan_out, relu), BN weight 1
// and bias 0, Linear layers (fc and the attention MLPs) PyTorch's default; with zero_init_residual the
// last BN of every residual branch starts at weight 0.
#pragma once

#include <vector>

#include "layers/activation.h"
#include "layers/linear.h"
#include "layers/pooling.h"
#include "layers/residual.h"

namespace excite::layers {

enum class Stem { Cifar, ImageNet };
enum class BlockType { Basic, Bottleneck };

struct ResNetConfig {
  Stem stem = Stem::Cifar;
  BlockType block = BlockType::Basic;
  std::vector<int64_t> depths = {3, 3, 3};     // blocks per stage
  std::vector<int64_t> widths = {16, 32, 64};  // per stage: block output channels (Bottleneck: inner width)
  int64_t in_channels = 3;
  int64_t num_classes = 10;
  AttentionOptions attention = {};             // kind "none": a plain ResNet
  Position position = Position::Standard;      // where in each block
  std::vector<int64_t> stages = {};            // 1-based stages whose blocks carry attention; empty: all
  bool zero_init_residual = false;
};

class ResNet : public Module {
 public:
  explicit ResNet(const ResNetConfig& config);

  Variable forward(const Variable& x) override;
  // Everything up to the global pool: [N, C, H, W] -> [N, features, H', W'].
  Variable features(const Variable& x);

  const ResNetConfig& config() const { return config_; }
  int64_t num_features() const { return num_features_; }  // the classifier's input width

 private:
  ResNetConfig config_;
  int64_t num_features_ = 0;
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<BatchNorm2d> bn1_;
  std::shared_ptr<ReLU> relu_;
  std::shared_ptr<MaxPool2d> maxpool_;  // ImageNet stem only
  std::vector<std::shared_ptr<Sequential>> stages_;
  std::shared_ptr<AdaptiveAvgPool2d> avgpool_;
  std::shared_ptr<Linear> fc_;
};

// Throws naming what is wrong: stage depths and widths, channel and class counts, attention stages.
void check_resnet_config(const ResNetConfig& config);

// torchvision's ResNet initialisation (see the header note), applied to any module tree.
void init_resnet_weights(Module& model, bool zero_init_residual);

}  // namespace excite::layers
