// apps/train/model_factory.h — a model from a config's model options, with the dataset's channel
// and class counts filled in where the options leave them 0.
#pragma once

#include "layers/module.h"
#include "layers/zoo.h"

namespace excite::apps {

layers::ModulePtr build_model(layers::ModelOptions options, int64_t in_channels, int64_t num_classes);
// True for the CIFAR-style archs (3x3 stem, 32x32 inputs), false for ImageNet-style ones.
bool is_cifar_style(const layers::ModelOptions& options);
// "" when the model has its arch's attention, else "(no SE) " (attention none on an se arch) or
// "(attention eca) ": what summaries print before the arch.
std::string attention_note(const layers::ModelOptions& options);
// The same model without attention (the baseline of "what attention costs").
layers::ModelOptions without_attention(layers::ModelOptions options);

}  // namespace excite::apps
