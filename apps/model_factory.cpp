#include "apps/model_factory.h"

#include "layers/zoo.h"

namespace excite::apps {

layers::ModelOptions model_options(const ModelConfig& c, int64_t in_channels, int64_t num_classes) {
  layers::ModelOptions o;
  o.arch = c.arch;
  o.in_channels = c.in_channels > 0 ? c.in_channels : in_channels;
  if (c.num_classes > 0) o.num_classes = c.num_classes;
  else if (num_classes > 0) o.num_classes = num_classes;
  o.no_se = !c.se;
  o.se = {.reduction = c.reduction,
          .min_channels = c.min_channels,
          .squeeze = layers::parse_squeeze(c.squeeze),
          .gate = layers::parse_gate(c.gate),
          .bias = c.se_bias};
  o.se_position = layers::parse_se_position(c.se_position);
  o.se_stages.assign(c.se_stages.begin(), c.se_stages.end());
  return o;
}

layers::ModulePtr build_model(const ModelConfig& config, int64_t in_channels, int64_t num_classes) {
  return layers::make_model(model_options(config, in_channels, num_classes));
}

bool is_cifar_style(const ModelConfig& config) {
  return layers::resnet_config(model_options(config, 3, 10)).stem == layers::Stem::Cifar;
}

}  // namespace excite::apps
