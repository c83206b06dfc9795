// layers/residual.h — residual blocks with an attention module of any kind (layers/attention.h) in
// any of the SE paper's positions: BasicBlock (two 3x3 convs; with SE it is the seed's
// SEResidualBlock) and Bottleneck (1x1, 3x3, 1x1 with expansion 4, the stride on the 3x3 as
// torchvision's ResNet v1.5). The positions (standard, pre, post, identity) are
// layers/attention.h's Position; pre puts the module over the input channels.
//
// Names, in registration (= state-dict) order, as the seed: conv1, bn1, conv2, bn2, [conv3, bn3,]
// se (the attention module, under its kind's child_name()), shortcut. shortcut is an empty
// Sequential when the shape is unchanged, else Sequential(1x1 conv with the stride, BN)
// (`shortcut.0`, `shortcut.1`). Convolutions have no bias. ReLU is applied functionally (no
// module), as the seed does. Each conv and its BN run through conv_bn (layers/conv_bn.h): one
// folded convolution at inference.
#pragma once

#include <string>

#include "layers/attention.h"
#include "layers/batchnorm.h"
#include "layers/conv.h"
#include "layers/sequential.h"

namespace excite::layers {

struct ResidualBlockOptions {
  int64_t in = 0;   // input channels
  int64_t out = 0;  // output channels (Bottleneck: 4 x its inner width)
  int64_t stride = 1;
  AttentionOptions attention = {};  // kind "none": a plain block
  Position position = Position::Standard;
};

// What both blocks share: the shortcut, the attention module's placement and the forward pass
// around branch().
class ResidualBlock : public Module {
 public:
  Variable forward(const Variable& x) override;
  const ResidualBlockOptions& options() const { return options_; }
  // The BN whose output ends the residual branch (zero-initialising its weight makes the block
  // start as the identity: torchvision's zero_init_residual).
  virtual BatchNorm2d& last_bn() = 0;

 protected:
  ResidualBlock(std::string type_name, const ResidualBlockOptions& options);
  // Registers the attention module and `shortcut` (call after the branch's own layers, for
  // torch's key order).
  void finish();
  virtual Variable branch(const Variable& x) = 0;  // conv ... last BN, no final ReLU
  void check_input(const Variable& x) const;

  ResidualBlockOptions options_;
  std::shared_ptr<AttentionModule> attention_;  // null for kind "none"
  std::shared_ptr<Sequential> shortcut_;
  std::shared_ptr<Conv2d> shortcut_conv_;    // shortcut_'s two layers, or null when it is empty
  std::shared_ptr<BatchNorm2d> shortcut_bn_;
};

class BasicBlock : public ResidualBlock {
 public:
  explicit BasicBlock(const ResidualBlockOptions& options);
  BatchNorm2d& last_bn() override { return *bn2_; }

 protected:
  Variable branch(const Variable& x) override;

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_;
  std::shared_ptr<BatchNorm2d> bn1_, bn2_;
};

class Bottleneck : public ResidualBlock {
 public:
  static constexpr int64_t expansion = 4;
  explicit Bottleneck(const ResidualBlockOptions& options);
  BatchNorm2d& last_bn() override { return *bn3_; }

 protected:
  Variable branch(const Variable& x) override;

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_, conv3_;
  std::shared_ptr<BatchNorm2d> bn1_, bn2_, bn3_;
};

}  // namespace excite::layers
