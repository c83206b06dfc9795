#include "apps/train/model_factory.h"

namespace excite::apps {

layers::ModulePtr build_model(layers::ModelOptions o, int64_t in_channels, int64_t num_classes) {
  if (o.in_channels == 0) o.in_channels = in_channels;
  if (o.num_classes == 0) o.num_classes = num_classes;
  return layers::make_model(o);
}

bool is_cifar_style(const layers::ModelOptions& options) {
  return layers::resnet_config(options).stem == layers::Stem::Cifar;
}

std::string attention_note(const layers::ModelOptions& o) {
  const std::string& kind = o.attention.kind.empty() ? layers::default_attention(o.arch) : o.attention.kind;
  if (kind == layers::default_attention(o.arch)) return "";
  return kind == "none" ? "(no SE) " : "(attention " + kind + ") ";
}

layers::ModelOptions without_attention(layers::ModelOptions options) {
  options.attention = {.kind = "none"};
  return options;
}

}  // namespace excite::apps
