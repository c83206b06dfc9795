// deploy/tool_excite_onnx.cpp — `excite-onnx`, the standalone exporter until `excite export`
// lands in apps/ (which calls the same export_weights_to_onnx):
//
//   excite-onnx --arch seresnet20 --weights run/best.safetensors --image-size 32 --in-channels 3
//               --onnx model.onnx [--opset 13] [--batch-norm fold|keep] [model flags as `excite train`]
//
// Errors are one line on stderr and exit status 2; nothing is written then.
#include <cstdio>

#include "CLI/CLI.hpp"
#include "deploy/export_weights.h"
#include "layers/residual.h"

using namespace excite;

int main(int argc, char** argv) {
  CLI::App app{"excite-onnx: export a zoo model's safetensors weights to ONNX (input 'input' [N, C, H, W], "
               "output 'logits' [N, K], N dynamic)"};
  layers::ModelOptions model;
  std::string weights, onnx_path, squeeze = "avg", gate = "sigmoid", position = "standard", bn = "fold";
  std::vector<int64_t> stages;
  int64_t opset = 13, reduction = 16, min_channels = 8;
  std::vector<int64_t> size = {32};
  app.add_option("--arch", model.arch, "architecture (as excite train --arch)")->required();
  app.add_option("--weights", weights, "safetensors weights (a run's best.safetensors)")->required();
  app.add_option("--onnx", onnx_path, "the ONNX file to write")->required();
  app.add_option("--in-channels", model.in_channels, "input channels (3)");
  app.add_option("--image-size", size, "input height [and width] (32)")->delimiter(',')->expected(1, 2);
  app.add_option("--num-classes", model.num_classes, "classes (default: read off fc.weight)");
  app.add_option("--reduction", reduction, "SE reduction ratio r (16)");
  app.add_option("--min-channels", min_channels, "SE minimum hidden width (8)");
  app.add_option("--squeeze", squeeze, "SE squeeze: avg | max | avgmax");
  app.add_option("--gate", gate, "SE gate: sigmoid | hard_sigmoid | tanh | relu");
  app.add_flag("--se-bias", model.se.bias, "SE FC layers with bias");
  app.add_option("--se-position", position, "standard | pre | post | identity");
  app.add_option("--se-stages", stages, "stages carrying SE, 1-based (default: all)")->delimiter(',');
  app.add_flag("--no-se", model.no_se, "the same model without SE");
  app.add_option("--opset", opset, "ONNX opset, 13 to 17 (13)");
  app.add_option("--batch-norm", bn, "fold (into the convolutions) | keep (BatchNormalization nodes)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    model.se.reduction = reduction;
    model.se.min_channels = min_channels;
    model.se.squeeze = layers::parse_squeeze(squeeze);
    model.se.gate = layers::parse_gate(gate);
    model.se_position = layers::parse_se_position(position);
    model.se_stages = stages;
    const int64_t h = size[0], w = size.size() > 1 ? size[1] : size[0];
    const deploy::OnnxExportSummary s = deploy::export_weights_to_onnx(
        model, weights, {1, model.in_channels, h, w},
        {.opset = opset, .batch_norm = deploy::parse_batch_norm_export(bn), .doc = "excite " + model.arch}, onnx_path);
    std::printf("wrote %s: %lld nodes, %lld initializers, opset %lld, BN %s (%lld folded), logits [N, %lld]\n",
                onnx_path.c_str(), static_cast<long long>(s.nodes), static_cast<long long>(s.initializers),
                static_cast<long long>(opset), bn.c_str(), static_cast<long long>(s.folded_batch_norms),
                static_cast<long long>(s.output_shape[1]));
    return 0;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n') c = ' ';
    std::fprintf(stderr, "excite-onnx: %s\n", msg.c_str());
    return 2;
  }
}
