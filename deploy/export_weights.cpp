// deploy/export_weights.cpp — see export_weights.h.
#include "deploy/export_weights.h"

#include "layers/state_dict.h"

namespace excite::deploy {

OnnxExportSummary export_weights_to_onnx(layers::ModelOptions model_options, const std::string& weights_path,
                                         const Shape& example_input, const OnnxExportOptions& options,
                                         const std::string& onnx_path) {
  const SafetensorsFile weights = load_safetensors(weights_path);
  if (!model_options.num_classes) {
    const NamedTensor* fc = weights.find("fc.weight");
    EXCITE_CHECK(fc != nullptr && fc->value.dim() == 2,
                 "onnx export: " << weights_path << " has no fc.weight [K, features] to read the class count from");
    model_options.num_classes = fc->value.size(0);
  }
  if (example_input.dim() == 4) model_options.in_channels = example_input[1];
  auto model = layers::make_model(model_options);
  const layers::LoadReport report = layers::load_state_dict(*model, weights.tensors, {.strict = false}, weights_path);
  EXCITE_CHECK(report.complete(), "onnx export: " << weights_path << " does not fit " << model_options.arch << ": "
                                                    << report.first_problem()
                                                    << "; check --arch and the model flags against the run that saved them");
  return export_onnx(*model, example_input, options, onnx_path);
}

}  // namespace excite::deploy
