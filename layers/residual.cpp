#include "layers/residual.h"

#include "layers/conv_bn.h"

namespace excite::layers {

namespace {

std::shared_ptr<Conv2d> conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return std::make_shared<Conv2d>(
      Conv2dOptions{.in = in, .out = out, .kernel = kernel, .stride = stride, .padding = kernel / 2, .bias = false});
}

std::shared_ptr<BatchNorm2d> bn(int64_t channels) {
  return std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = channels});
}

}  // namespace

// --- ResidualBlock ---

ResidualBlock::ResidualBlock(std::string type_name, const ResidualBlockOptions& o)
    : Module(std::move(type_name)), options_(o) {
  EXCITE_CHECK(o.in > 0 && o.out > 0 && o.stride > 0,
               label() << ": invalid options in=" << o.in << " out=" << o.out << " stride=" << o.stride);
}

void ResidualBlock::finish() {
  const ResidualBlockOptions& o = options_;
  attention_ = make_attention(o.attention, o.position == Position::Pre ? o.in : o.out);
  if (attention_) register_module(attention_->kind().child_name(), attention_);
  shortcut_ = register_module("shortcut", std::make_shared<Sequential>());
  if (o.stride != 1 || o.in != o.out) {
    shortcut_conv_ = shortcut_->push_back(conv(o.in, o.out, 1, o.stride));
    shortcut_bn_ = shortcut_->push_back(bn(o.out));
  }
}

void ResidualBlock::check_input(const Variable& x) const {
  EXCITE_CHECK(x.dim() == 4 && x.size(1) == options_.in,
               label() << ": expected input [N, " << options_.in << ", H, W] (a block from " << options_.in << " to "
                       << options_.out << " channels), got " << x.shape());
}

Variable ResidualBlock::forward(const Variable& x) {
  const Position where = options_.position;
  auto attend_at = [&](Position p, const Variable& v) { return attention_ && where == p ? (*attention_)(v) : v; };
  check_input(x);
  Variable residual = shortcut_bn_ && folds_batchnorm(*shortcut_bn_) ? conv_bn(*shortcut_conv_, *shortcut_bn_, x)
                                                                     : (*shortcut_)(x);
  Variable out = branch(attend_at(Position::Pre, x));
  // relu(out + residual) in one op; at the standard and identity positions with the attention on
  // out or on residual in it, where its kind can (SE: scale, add and ReLU in one pass).
  if (attention_ && where == Position::Standard) {
    out = attention_->forward_add_relu(out, residual);
  } else if (attention_ && where == Position::Identity) {
    out = attention_->forward_add_relu(residual, out);
  } else {
    out = add_relu(out, residual);
  }
  return attend_at(Position::Post, out);
}

// --- BasicBlock: 3x3 (stride) - BN - ReLU - 3x3 - BN ---

BasicBlock::BasicBlock(const ResidualBlockOptions& o) : ResidualBlock("BasicBlock", o) {
  conv1_ = register_module("conv1", conv(o.in, o.out, 3, o.stride));
  bn1_ = register_module("bn1", bn(o.out));
  conv2_ = register_module("conv2", conv(o.out, o.out, 3, 1));
  bn2_ = register_module("bn2", bn(o.out));
  finish();
}

Variable BasicBlock::branch(const Variable& x) {
  Variable out = conv_bn(*conv1_, *bn1_, x, true);  // relu(bn1(conv1(x))), BN and ReLU fused
  return conv_bn(*conv2_, *bn2_, out);
}

// --- Bottleneck: 1x1 - BN - ReLU - 3x3 (stride) - BN - ReLU - 1x1 (x4) - BN ---

Bottleneck::Bottleneck(const ResidualBlockOptions& o) : ResidualBlock("Bottleneck", o) {
  EXCITE_CHECK(o.out % expansion == 0,
               "Bottleneck: out=" << o.out << " must be a multiple of the expansion " << expansion);
  const int64_t width = o.out / expansion;
  conv1_ = register_module("conv1", conv(o.in, width, 1, 1));
  bn1_ = register_module("bn1", bn(width));
  conv2_ = register_module("conv2", conv(width, width, 3, o.stride));
  bn2_ = register_module("bn2", bn(width));
  conv3_ = register_module("conv3", conv(width, o.out, 1, 1));
  bn3_ = register_module("bn3", bn(o.out));
  finish();
}

Variable Bottleneck::branch(const Variable& x) {
  Variable out = conv_bn(*conv1_, *bn1_, x, true);  // relu(bn1(...)), fused
  out = conv_bn(*conv2_, *bn2_, out, true);
  return conv_bn(*conv3_, *bn3_, out);
}

}  // namespace excite::layers
