#include "layers/se.h"

#include <algorithm>

#include "core/kernels/op_timer.h"
#include "layers/activation.h"
#include "layers/linear.h"
#include "layers/pooling.h"

namespace excite::layers {

int64_t se_hidden_channels(int64_t channels, const SEOptions& o) {
  EXCITE_CHECK(o.reduction > 0 && o.min_channels > 0,
               "SEModule: reduction and min_channels must be positive, got " << o.reduction << " and " << o.min_channels);
  return std::max(channels / o.reduction, o.min_channels);
}

Squeeze parse_squeeze(const std::string& t) {
  if (t == "avg") return Squeeze::Avg;
  if (t == "max") return Squeeze::Max;
  if (t == "avgmax") return Squeeze::AvgMax;
  EXCITE_FAIL("unknown SE squeeze '" << t << "' (expected avg, max or avgmax)");
}

Gate parse_gate(const std::string& t) {
  if (t == "sigmoid") return Gate::Sigmoid;
  if (t == "hard_sigmoid" || t == "hardsigmoid") return Gate::HardSigmoid;
  if (t == "tanh") return Gate::Tanh;
  if (t == "relu") return Gate::ReLU;
  EXCITE_FAIL("unknown SE gate '" << t << "' (expected sigmoid, hard_sigmoid, tanh or relu)");
}

std::string to_string(Squeeze s) {
  switch (s) {
    case Squeeze::Avg: return "avg";
    case Squeeze::Max: return "max";
    case Squeeze::AvgMax: return "avgmax";
  }
  EXCITE_FAIL("unknown Squeeze value " << static_cast<int>(s));
}

std::string to_string(Gate g) {
  switch (g) {
    case Gate::Sigmoid: return "sigmoid";
    case Gate::HardSigmoid: return "hard_sigmoid";
    case Gate::Tanh: return "tanh";
    case Gate::ReLU: return "relu";
  }
  EXCITE_FAIL("unknown Gate value " << static_cast<int>(g));
}

ModulePtr make_gate(Gate g) {
  switch (g) {
    case Gate::Sigmoid: return std::make_shared<Sigmoid>();
    case Gate::HardSigmoid: return std::make_shared<HardSigmoid>();
    case Gate::Tanh: return std::make_shared<Tanh>();
    case Gate::ReLU: return std::make_shared<ReLU>();
  }
  EXCITE_FAIL("unknown Gate value " << static_cast<int>(g));
}

SEModule::SEModule(int64_t channels, const SEOptions& o)
    : Module("SEModule"), channels_(channels), hidden_(se_hidden_channels(channels, o)), options_(o) {
  EXCITE_CHECK(channels > 0, "SEModule: channels must be positive, got " << channels);
  if (o.squeeze != Squeeze::Max) avg_pool_ = register_module("avg_pool", std::make_shared<AdaptiveAvgPool2d>());
  if (o.squeeze != Squeeze::Avg) max_pool_ = register_module("max_pool", std::make_shared<AdaptiveMaxPool2d>());
  fc_ = register_module("fc", std::make_shared<Sequential>(std::initializer_list<ModulePtr>{
                                  std::make_shared<Linear>(LinearOptions{.in = channels, .out = hidden_, .bias = o.bias}),
                                  std::make_shared<ReLU>(),
                                  std::make_shared<Linear>(LinearOptions{.in = hidden_, .out = channels, .bias = o.bias}),
                                  make_gate(o.gate)}));
}

Variable SEModule::excitation(const Variable& x) {
  EXCITE_CHECK(x.dim() == 4 && x.size(1) == channels_,
               label() << ": expected input [N, " << channels_ << ", H, W], got " << x.shape() << " (fc.0.weight ["
                       << hidden_ << ", " << channels_ << "])");
  const Shape nc{x.size(0), channels_};
  const Sequential& fc = *fc_;
  auto mlp = [&](const Variable& s) { return (*fc[2])((*fc[1])((*fc[0])(s))); };  // [N, C] -> [N, C]
  Variable z;
  if (avg_pool_) z = mlp(reshape((*avg_pool_)(x), nc));
  if (max_pool_) {
    Variable m = mlp(reshape((*max_pool_)(x), nc));
    z = z.defined() ? z + m : m;
  }
  return (*fc[3])(z);
}

Variable SEModule::forward(const Variable& x) {
  OpKindOverride charge_to_se(OpKind::SE);  // the time breakdown of `excite bench` (core/kernels/op_timer.h)
  return channel_scale(x, excitation(x));
}

}  // namespace excite::layers
