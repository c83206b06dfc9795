// apps/cli/export_flags.h — the flags of `excite export` that are its own (the model and data
// flags are the settings table's, apps/cli/flags.h): the run directory, --weights, --onnx,
// --opset and --batch-norm, and the exporter's options they stand for, checked.
// Leaves out: the export itself (apps/cli/command_export.cpp, deploy/onnx_export.h).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "deploy/onnx_export.h"

namespace excite::apps {

struct ExportFlags {
  std::string run, weights, onnx, batch_norm = "fold";
  int64_t opset = 13;
};

void add_export_flags(CLI::App& app, ExportFlags& flags);
// --opset and --batch-norm as deploy options (one-line error naming a bad value).
deploy::OnnxExportOptions export_options(const ExportFlags& flags);

}  // namespace excite::apps
