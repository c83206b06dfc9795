// deploy/export_weights.h — a zoo model's weights file to an ONNX file, the whole path the
// `excite export` subcommand and the standalone `excite-onnx` tool take:
//
//   deploy::export_weights_to_onnx({.arch = "seresnet20", .in_channels = 3}, "run/best.safetensors",
//                                  {1, 3, 32, 32}, {.opset = 13}, "model.onnx");
//
// Builds the model (an unknown arch is an error listing the known ones), loads the weights (every
// key must be present and of the right shape: one line naming the first key that does not fit),
// then export_onnx (onnx_export.h). num_classes unset: read off the weights' fc.weight.
// Nothing is written unless every step succeeds.
#pragma once

#include <string>

#include "deploy/onnx_export.h"
#include "layers/zoo.h"

namespace excite::deploy {

OnnxExportSummary export_weights_to_onnx(layers::ModelOptions model_options, const std::string& weights_path,
                                         const Shape& example_input, const OnnxExportOptions& options,
                                         const std::string& onnx_path);

}  // namespace excite::deploy
