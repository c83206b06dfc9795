// apps/cli/export_flags.cpp — `excite export`'s own flags.
#include "apps/cli/export_flags.h"

namespace excite::apps {

void add_export_flags(CLI::App& app, ExportFlags& a) {
  app.add_option("run", a.run, "run directory of excite train (config.json, best.safetensors, classes.json)");
  app.add_option("--weights", a.weights, "safetensors weights (default: RUN_DIR/best.safetensors)");
  app.add_option("--onnx", a.onnx, "the ONNX file to write")->required();
  app.add_option("--opset", a.opset, "ONNX opset, 13 to 17 (13)");
  app.add_option("--batch-norm", a.batch_norm, "fold (into the convolutions) | keep (BatchNormalization nodes)");
}

deploy::OnnxExportOptions export_options(const ExportFlags& a) {
  deploy::OnnxExportOptions options{.opset = a.opset, .batch_norm = deploy::parse_batch_norm_export(a.batch_norm)};
  deploy::check_export_options(options);
  return options;
}

}  // namespace excite::apps
