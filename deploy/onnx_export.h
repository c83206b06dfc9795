// deploy/onnx_export.h — export a model to an ONNX file by tracing one eval-mode forward pass.
//
//   deploy::export_onnx(*model, {1, 3, 32, 32}, {.opset = 13, .batch_norm = deploy::BatchNormExport::Fold},
//                       "model.onnx");
//
// The model runs once in eval mode, without grad, on zeros of `example_input` ([1, C, H, W]) while
// a TraceScope (autograd/trace.h) records every op; deploy/onnx_lower.cpp turns each recorded op
// into ONNX nodes. Parameters and buffers become initializers named by their state-dict keys.
// The graph has one input `input` float32 [N, C, H, W] with N symbolic ("N") and one output
// `logits` [N, K]. Squeezed vectors stay 4-D ([N, C, 1, 1]): the SE excitation is GlobalAveragePool,
// 1x1 Conv, Relu, 1x1 Conv, gate, broadcast Mul — the form both ONNX Runtime and OpenCV's DNN
// importer compute exactly (deploy/README.md). The model is checked with onnx::checker and
// onnx::shape_inference (strict) before it is written; the file is written to a temporary in the
// target directory and renamed, so a failure leaves nothing behind.
// Leaves out: training-mode graphs, dtypes other than float32, external data (> 2 GB models).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "layers/module.h"

namespace excite::deploy {

enum class BatchNormExport {
  Fold,  // into the preceding Conv's weight and bias (a BN whose input is not a Conv stays a node)
  Keep,  // as BatchNormalization nodes with the running statistics as initializers
};

struct OnnxExportOptions {
  int64_t opset = 13;  // 13 to 17
  BatchNormExport batch_norm = BatchNormExport::Fold;
  std::string input_name = "input";
  std::string output_name = "logits";
  std::string graph_name = "excite";
  std::string doc = {};  // free text stored as the model's doc_string (arch, options)
  // Stored as the model's metadata_props, for the program that runs it: e.g. "classes" (`excite
  // export` writes the names as a JSON list), "normalize_mean", "normalize_std", "arch".
  std::vector<std::pair<std::string, std::string>> metadata = {};
};

struct OnnxExportSummary {
  int64_t nodes = 0;
  int64_t initializers = 0;
  int64_t traced_ops = 0;
  int64_t folded_batch_norms = 0;
  std::vector<std::string> op_types;  // distinct ONNX op types used, sorted
  Shape output_shape;                 // of the traced forward: [1, K] for a [1, C, H, W] example
};

// Serialized ModelProto bytes, checked; the model is left in eval mode.
std::string onnx_model_bytes(layers::Module& model, const Shape& example_input, const OnnxExportOptions& options,
                             OnnxExportSummary* summary = nullptr);

// onnx_model_bytes written atomically to `path`. Errors (one line each, as excite::Error): the
// directory is missing or not writable, an op of the trace has no ONNX rule (named), the model
// does not accept the example input, the opset is out of range.
OnnxExportSummary export_onnx(layers::Module& model, const Shape& example_input, const OnnxExportOptions& options,
                              const std::string& path);

// The options alone: the opset in range, the input and output names non-empty and distinct, the
// metadata keys non-empty and each once. onnx_model_bytes checks them first.
void check_export_options(const OnnxExportOptions& options);

// The spellings of the command line: "fold" | "keep".
BatchNormExport parse_batch_norm_export(const std::string& text);

}  // namespace excite::deploy
