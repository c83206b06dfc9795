// apps/model_factory.h — a model from its config (the --arch and SE flags), with the dataset's
// channel and class counts filled in where the config leaves them 0.
#pragma once

#include "apps/config.h"
#include "layers/module.h"
#include "layers/zoo.h"

namespace excite::apps {

layers::ModulePtr build_model(const ModelConfig& config, int64_t in_channels, int64_t num_classes);
// The zoo's options for a config (also used by summary to build the baseline without SE).
layers::ModelOptions model_options(const ModelConfig& config, int64_t in_channels, int64_t num_classes);
// True for the CIFAR-style archs (3x3 stem, 32x32 inputs), false for ImageNet-style ones.
bool is_cifar_style(const ModelConfig& config);

}  // namespace excite::apps
