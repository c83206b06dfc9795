// apps/cli/command_export.cpp — `excite export`: a trained model to an ONNX file.
//
//   excite export RUN_DIR --onnx model.onnx                  (arch, attention, input, classes from the run)
//   excite export --weights W.safetensors --arch seresnet8 --dataset fashion-mnist --onnx model.onnx
//   [--opset 13..17] [--batch-norm fold|keep] [any model flag, as excite train]
//
// The file: float32 NCHW input "input" [N, C, H, W], output "logits" [N, K], N dynamic, eval
// mode (deploy/README.md). Its metadata: arch, attention, dataset, classes (a JSON list of the
// names, which may hold commas), normalize_mean and normalize_std (comma-separated, per channel,
// in [0, 1] units: (x / 255 - mean) / std).
// Flags given beside RUN_DIR override the run's config. Errors: one line, exit 2, nothing
// written (deploy/atomic_write.h).
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/cli/commands.h"
#include "apps/cli/export_flags.h"
#include "apps/cli/flags.h"
#include "apps/cli/run_dir.h"
#include "deploy/export_weights.h"

namespace excite::apps {

namespace {

std::string joined(const std::vector<float>& v) {
  std::ostringstream out;
  out.precision(7);  // a float's digits: 0.286, not 0.286000013
  for (size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
  return out.str();
}

}  // namespace

Command add_export_command(CLI::App& app) {
  auto overrides = std::make_shared<Overrides>();
  auto a = std::make_shared<ExportFlags>();
  add_export_flags(app, *a);
  add_data_flags(app, *overrides);
  add_model_flags(app, *overrides);
  return [overrides, a] {
    EXCITE_CHECK(!a->run.empty() || !a->weights.empty(), "export: give a run directory or --weights W.safetensors");
    deploy::OnnxExportOptions options = export_options(*a);
    TrainConfig config = a->run.empty() ? TrainConfig{} : read_run_config(a->run);
    overrides->apply(config);
    config = validated(config);
    const std::string weights = !a->weights.empty() ? a->weights : run_weights(a->run);
    const InputSpec in = input_spec(config);
    const std::vector<std::string> classes = run_class_names(a->run, config.dataset);
    if (config.model.num_classes == 0 && !classes.empty()) config.model.num_classes = static_cast<int64_t>(classes.size());
    std::vector<std::pair<std::string, std::string>> metadata = {
        {"arch", config.model.arch},
        {"attention", config.model.attention.kind},
        {"dataset", name_of(config.dataset)},
        {"normalize_mean", joined(in.stats.mean)},
        {"normalize_std", joined(in.stats.std)}};
    // A JSON list: a class name may hold a comma (an image folder's "crane, bird").
    if (!classes.empty()) metadata.push_back({"classes", nlohmann::json(classes).dump()});
    options.doc = "excite " + config.model.arch;
    options.metadata = metadata;
    const deploy::OnnxExportSummary s = deploy::export_weights_to_onnx(config.model, weights,
                                                                       {1, in.channels, in.height, in.width}, options, a->onnx);
    std::printf("wrote %s: %lld nodes, %lld initializers, opset %lld, BN %s (%lld folded), input [N, %lld, %lld, %lld], "
                "logits [N, %lld]\n",
                a->onnx.c_str(), static_cast<long long>(s.nodes), static_cast<long long>(s.initializers),
                static_cast<long long>(a->opset), a->batch_norm.c_str(), static_cast<long long>(s.folded_batch_norms),
                static_cast<long long>(in.channels), static_cast<long long>(in.height),
                static_cast<long long>(in.width), static_cast<long long>(s.output_shape[1]));
    return 0;
  };
}

}  // namespace excite::apps
