// deploy/onnx_export.cpp — trace, lower, check, write (see onnx_export.h).
#include "deploy/onnx_export.h"

#include <algorithm>
#include <set>

#include "deploy/atomic_write.h"
#include "deploy/onnx_graph.h"
#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"

namespace excite::deploy {

namespace {

void add_tensor_info(onnx::ValueInfoProto* v, const std::string& name, const Shape& shape) {
  v->set_name(name);
  onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto* s = t->mutable_shape();
  for (int64_t d = 0; d < shape.dim(); ++d) {
    if (d == 0)
      s->add_dim()->set_dim_param("N");
    else
      s->add_dim()->set_dim_value(shape[d]);
  }
}

// Renames a value everywhere in the graph (the last node's output becomes `logits`).
void rename_value(onnx::GraphProto* g, const std::string& from, const std::string& to) {
  for (onnx::NodeProto& n : *g->mutable_node()) {
    for (std::string& i : *n.mutable_input())
      if (i == from) i = to;
    for (std::string& o : *n.mutable_output())
      if (o == from) o = to;
  }
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

}  // namespace

BatchNormExport parse_batch_norm_export(const std::string& text) {
  if (text == "fold") return BatchNormExport::Fold;
  if (text == "keep") return BatchNormExport::Keep;
  EXCITE_FAIL("onnx export: unknown batch-norm mode '" << text << "' (expected fold or keep)");
}

void check_export_options(const OnnxExportOptions& options) {
  EXCITE_CHECK(options.opset >= 13 && options.opset <= 17,
               "onnx export: opset " << options.opset << " is not supported (choose 13 to 17)");
  EXCITE_CHECK(!options.input_name.empty() && !options.output_name.empty() && options.input_name != options.output_name,
               "onnx export: the input and output names must be non-empty and differ, got '"
                   << options.input_name << "' and '" << options.output_name << "'");
  std::set<std::string> keys;
  for (const auto& [key, value] : options.metadata)
    EXCITE_CHECK(!key.empty() && keys.insert(key).second,
                 "onnx export: metadata key '" << key << "' is empty or given twice");
}

std::string onnx_model_bytes(layers::Module& model, const Shape& example_input, const OnnxExportOptions& options,
                             OnnxExportSummary* summary) {
  check_export_options(options);
  EXCITE_CHECK(example_input.dim() == 4 && example_input[0] >= 1 && example_input[1] >= 1 && example_input[2] >= 1 &&
                   example_input[3] >= 1,
               "onnx export: the example input must be [N, C, H, W] with every size >= 1, got " << example_input);

  // 1. One eval-mode forward pass under the tracer.
  const bool was_training = model.is_training();
  model.eval();
  const Tensor x = Tensor::zeros(example_input);
  Variable y;
  std::vector<TracedOp> ops;
  try {
    NoGradGuard no_grad;
    TraceScope scope;
    y = model(Variable(x));
    ops = scope.ops();
  } catch (const Error& e) {
    model.train(was_training);
    EXCITE_FAIL("onnx export: the model does not accept the example input " << example_input << ": " << e.what());
  }
  model.train(was_training);

  // 2. The graph.
  onnx::ModelProto m;
  m.set_ir_version(onnx::IR_VERSION);  // 8 with libonnx 1.12 (opsets up to 17)
  m.set_producer_name("excite");
  m.set_producer_version("0.1");
  if (!options.doc.empty()) m.set_doc_string(options.doc);
  for (const auto& [key, value] : options.metadata) {
    onnx::StringStringEntryProto* p = m.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
  }
  onnx::OperatorSetIdProto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name(options.graph_name);

  GraphBuilder b(g, options.batch_norm == BatchNormExport::Fold);
  for (const layers::NamedParameter& p : model.named_parameters()) b.name_tensor(p.value.data(), p.name);
  for (const layers::NamedBuffer& p : model.named_buffers()) b.name_tensor(p.value, p.name);
  b.set_input(x, options.input_name);
  add_tensor_info(g->add_input(), options.input_name, example_input);
  b.count_uses(ops);
  for (const TracedOp& op : ops) lower_op(b, op, options.opset);

  OnnxValue out = b.value_of(y.data());
  EXCITE_CHECK(!out.is_input && !out.is_initializer,
               "onnx export: the model's output is " << (out.is_input ? "its input" : "a constant") << ", not computed by an op");
  out = b.plain(out);
  rename_value(g, out.name, options.output_name);
  add_tensor_info(g->add_output(), options.output_name, y.shape());
  b.finish();

  // 3. The ONNX project's own checks: the checker, then strict shape inference (which also
  // checks the declared output shape against the inferred one).
  try {
    onnx::checker::check_model(m);
    onnx::ModelProto inferred = m;
    onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(true, 1, false));
  } catch (const std::exception& e) {
    EXCITE_FAIL("onnx export: the ONNX checker rejects the exported graph (a bug in deploy/onnx_lower.cpp): "
                << one_line(e.what()));
  }

  if (summary) {
    summary->nodes = g->node_size();
    summary->initializers = g->initializer_size();
    summary->traced_ops = static_cast<int64_t>(ops.size());
    summary->folded_batch_norms = b.folded;
    std::set<std::string> types;
    for (const onnx::NodeProto& n : g->node()) types.insert(n.op_type());
    summary->op_types.assign(types.begin(), types.end());
    summary->output_shape = y.shape();
  }
  std::string bytes;
  EXCITE_CHECK(m.SerializeToString(&bytes), "onnx export: protobuf could not serialize the model");
  return bytes;
}

OnnxExportSummary export_onnx(layers::Module& model, const Shape& example_input, const OnnxExportOptions& options,
                              const std::string& path) {
  OnnxExportSummary summary;
  const std::string bytes = onnx_model_bytes(model, example_input, options, &summary);
  write_file_atomically(path, bytes, "onnx export");
  return summary;
}

}  // namespace excite::deploy
