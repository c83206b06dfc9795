// deploy/onnx_lower.cpp — the op table: one rule per traced autograd op, turning it into ONNX
// nodes (opset 13..17; every op used here keeps its meaning across that range: Reshape's
// allowzero and BatchNormalization's training_mode default to what is needed here).
//
//   conv2d           Conv (pads, strides, dilations, group); keeps its node for BN folding
//   batch_norm       BatchNormalization, or folded into the Conv that feeds it (fold mode)
//   batch_norm_relu  the same + Relu
//   linear           on a squeezed 4-D vector: Conv 1x1 (weight [out, in, 1, 1]); else Gemm transB
//   global_*_pool    GlobalAveragePool / GlobalMaxPool: [N, C, 1, 1], kept 4-D (see onnx_graph.h)
//   channel_scale    Mul(x, Resize_nearest(s [N, C, 1, 1] -> [N, C, H, W])): OpenCV 4.6 fails on a
//                    broadcast Mul [N, C, H, W] * [N, C, 1, 1] once N > 1 (assertion in 'total'),
//                    and computes Mul of equal shapes exactly; nearest upsampling copies values.
//                    add/sub/mul/div of two computed 4-D tensors of different shapes expand the
//                    smaller the same way (expand_4d: Resize for 1x1 -> HxW, Conv ones for 1 -> C)
//   reshape          nothing when only the 1x1 tail changes, Flatten(axis 1), or Reshape [0, ...]
//   relu sigmoid tanh exp log neg      the ONNX op of the same name
//   hardsigmoid      HardSigmoid(alpha 1/6, beta 0.5);  silu  Mul(x, Sigmoid(x))
//   add sub mul div  Add Sub Mul Div (numpy broadcasting, as excite's);  add_relu  Add + Relu
//   add_scalar mul_scalar  Add / Mul with a scalar initializer
//   max_pool2d avg_pool2d  MaxPool / AveragePool (count_include_pad)
//   sum mean         ReduceMean keepdims 0 (times the count for sum; + Reshape when kept);  matmul  MatMul
// A new primitive is one entry in table() below; deploy/README.md lists the planned ones.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "deploy/onnx_graph.h"

namespace excite::deploy {

namespace {

using Rule = std::function<void(GraphBuilder&, const TracedOp&, int64_t opset)>;

OnnxValue input(GraphBuilder& b, const TracedOp& op, size_t i) {
  EXCITE_CHECK(i < op.inputs.size(), "onnx export: op '" << op.op << "' has " << op.inputs.size()
                                                          << " inputs, the rule expects at least " << i + 1);
  return b.value_of(op.inputs[i]);
}

// A new value for the op's output, named after the op.
std::string output(GraphBuilder& b, const TracedOp& op, bool vec4 = false, const std::string& hint = "") {
  const std::string name = b.fresh(hint.empty() ? op.op : hint);
  b.bind(op.output, OnnxValue{.name = name, .vec4 = vec4});
  return name;
}

// The ONNX shape of a value: excite's, or [N, C, 1, 1] for a squeezed 4-D one.
std::vector<int64_t> onnx_dims(const OnnxValue& v) {
  std::vector<int64_t> d = v.shape.dims();
  if (v.vec4) {
    d.push_back(1);
    d.push_back(1);
  }
  return d;
}

// A computed [N, c, h, w] value spread to [N, C, H, W] by copying (exact): Resize nearest for a
// 1x1 spatial size, a 1x1 Conv with weight ones [C, 1, 1, 1] for one channel. OpenCV 4.6 runs a
// broadcast Mul/Add of two computed 4-D tensors of different shapes wrongly or not at all once
// N > 1, and equal shapes exactly. Constants and other ranks are left to broadcasting.
OnnxValue expand_4d(GraphBuilder& b, OnnxValue v, const Shape& target) {
  if (v.is_initializer || target.dim() != 4) return v;
  v = b.plain(v);
  if (v.shape.dim() != 4) return v;
  if (v.shape[1] == 1 && target[1] > 1) {
    const std::vector<float> ones(static_cast<size_t>(target[1]), 1.f);
    const std::string out = b.fresh(v.name + "_c");
    GraphBuilder::set_ints(b.add_node("Conv", {v.name, b.add_initializer("ones", ones.data(), {target[1], 1, 1, 1})}, {out}),
                           "kernel_shape", {1, 1});
    v = OnnxValue{.name = out, .shape = Shape{v.shape[0], target[1], v.shape[2], v.shape[3]}};
  }
  if (v.shape[2] == 1 && v.shape[3] == 1 && (target[2] > 1 || target[3] > 1)) {
    const float scales[4] = {1.f, 1.f, static_cast<float>(target[2]), static_cast<float>(target[3])};
    const std::string out = b.fresh(v.name + "_hw");
    onnx::NodeProto* n = b.add_node("Resize", {v.name, "", b.add_initializer("scales", scales, {4})}, {out});
    onnx::AttributeProto* mode = n->add_attribute();
    mode->set_name("mode");
    mode->set_type(onnx::AttributeProto::STRING);
    mode->set_s("nearest");
    v = OnnxValue{.name = out, .shape = Shape{v.shape[0], v.shape[1], target[2], target[3]}};
  }
  return v;
}

Rule unary(const std::string& type) {
  return [type](GraphBuilder& b, const TracedOp& op, int64_t) {
    const OnnxValue x = input(b, op, 0);
    b.add_node(type, {x.name}, {output(b, op, x.vec4)});
  };
}

Rule binary(const std::string& type, bool then_relu = false) {
  return [type, then_relu](GraphBuilder& b, const TracedOp& op, int64_t) {
    OnnxValue x = input(b, op, 0), y = input(b, op, 1);
    if (x.vec4 != y.vec4) x = b.plain(x), y = b.plain(y);
    if (x.shape != y.shape && op.output.dim() == 4) {
      x = expand_4d(b, x, op.output.shape());
      y = expand_4d(b, y, op.output.shape());
    }
    if (!then_relu) {
      b.add_node(type, {x.name, y.name}, {output(b, op, x.vec4)});
      return;
    }
    const std::string sum = b.fresh(op.op + "_sum");
    b.add_node(type, {x.name, y.name}, {sum});
    b.add_node("Relu", {sum}, {output(b, op, x.vec4)});
  };
}

Rule with_scalar(const std::string& type) {
  return [type](GraphBuilder& b, const TracedOp& op, int64_t) {
    const OnnxValue x = input(b, op, 0);
    const float s = op.float_attr("value");
    const std::string c = b.add_initializer("scalar", &s, {});
    b.add_node(type, {x.name, c}, {output(b, op, x.vec4)});
  };
}

void set_window(onnx::NodeProto* n, const TracedOp& op, const std::string& kernel_attr) {
  const TraceAttr* pads = op.attr("pads");
  const TraceAttr* strides = op.attr("strides");
  const TraceAttr* kernel = op.attr(kernel_attr);
  EXCITE_CHECK(pads && strides && kernel && pads->ints.size() == 2,
               "onnx export: op '" << op.op << "' was traced without its window (pads, strides, " << kernel_attr << ")");
  GraphBuilder::set_ints(n, "kernel_shape", kernel->ints);
  GraphBuilder::set_ints(n, "strides", strides->ints);
  GraphBuilder::set_ints(n, "pads", {pads->ints[0], pads->ints[1], pads->ints[0], pads->ints[1]});
}

void conv2d(GraphBuilder& b, const TracedOp& op, int64_t) {
  const OnnxValue x = input(b, op, 0), w = input(b, op, 1);
  std::vector<std::string> in{x.name, w.name};
  Tensor bias;
  if (op.inputs.size() > 2) {
    in.push_back(input(b, op, 2).name);
    bias = op.inputs[2];
  }
  const std::string out = output(b, op, false, "conv");
  onnx::NodeProto* n = b.add_node("Conv", in, {out});
  const Tensor& wt = op.inputs[1];
  GraphBuilder::set_ints(n, "kernel_shape", {wt.size(2), wt.size(3)});
  const TraceAttr* pads = op.attr("pads");
  EXCITE_CHECK(pads && pads->ints.size() == 2, "onnx export: conv2d was traced without its attributes");
  GraphBuilder::set_ints(n, "pads", {pads->ints[0], pads->ints[1], pads->ints[0], pads->ints[1]});
  GraphBuilder::set_ints(n, "strides", op.attr("strides")->ints);
  GraphBuilder::set_ints(n, "dilations", op.attr("dilations")->ints);
  GraphBuilder::set_int(n, "group", op.int_attr("group"));
  if (w.is_initializer) b.convs[out] = {n, wt, bias, w.name};
}

// BN after a Conv whose output nothing else reads: W' = W s, b' = (b - mean) s + beta with
// s = gamma / sqrt(var + eps) per output channel, computed in double.
bool fold_into_conv(GraphBuilder& b, const TracedOp& op, const OnnxValue& x, const Tensor* gamma, const Tensor* beta) {
  auto it = b.convs.find(x.name);
  if (it == b.convs.end() || b.uses(op.inputs[0]) != 1) return false;
  GraphBuilder::ConvRecord& conv = it->second;
  const Tensor& mean = op.attr("running_mean")->tensor;
  const Tensor& var = op.attr("running_var")->tensor;
  const double eps = op.float_attr("eps");
  const int64_t OC = conv.weight.size(0), per = conv.weight.numel() / OC;
  std::vector<float> w(static_cast<size_t>(conv.weight.numel())), bias(static_cast<size_t>(OC));
  for (int64_t o = 0; o < OC; ++o) {
    const double s = (gamma ? (*gamma)[o] : 1.0) / std::sqrt(static_cast<double>(var[o]) + eps);
    for (int64_t i = 0; i < per; ++i) w[o * per + i] = static_cast<float>(conv.weight[o * per + i] * s);
    const double b0 = conv.bias.defined() ? conv.bias[o] : 0.0;
    bias[o] = static_cast<float>((b0 - mean[o]) * s + (beta ? (*beta)[o] : 0.0));
  }
  const std::string wname = b.add_initializer(conv.weight_name + ".bn_folded", w.data(), conv.weight.shape().dims());
  const std::string bname = b.add_initializer(conv.weight_name.substr(0, conv.weight_name.rfind('.')) + ".bias.bn_folded",
                                              bias.data(), {OC});
  conv.node->set_input(1, wname);
  if (conv.node->input_size() > 2)
    conv.node->set_input(2, bname);
  else
    conv.node->add_input(bname);
  b.convs.erase(it);  // a second BN cannot fold into the same conv
  ++b.folded;
  return true;
}

void batch_norm(GraphBuilder& b, const TracedOp& op, int64_t) {
  EXCITE_CHECK(op.int_attr("training") == 0,
               "onnx export: " << op.op << " ran in training mode; export needs the model in eval mode (model.eval())");
  const bool relu = op.op == "batch_norm_relu";
  const OnnxValue x = input(b, op, 0);
  size_t next = 1;
  const Tensor* gamma = op.int_attr("has_weight") ? &op.inputs[next++] : nullptr;
  const Tensor* beta = op.int_attr("has_bias") ? &op.inputs[next++] : nullptr;
  std::string normalised;
  if (b.fold_batch_norm() && fold_into_conv(b, op, x, gamma, beta)) {
    normalised = x.name;
    if (!relu) {
      b.bind(op.output, OnnxValue{.name = x.name, .vec4 = x.vec4});
      return;
    }
  } else {
    const int64_t C = x.shape[1];
    const std::vector<float> ones(static_cast<size_t>(C), 1.f), zeros(static_cast<size_t>(C), 0.f);
    const std::string scale = gamma ? b.value_of(*gamma).name : b.add_initializer("bn_ones", ones.data(), {C});
    const std::string shift = beta ? b.value_of(*beta).name : b.add_initializer("bn_zeros", zeros.data(), {C});
    const std::string mean = b.value_of(op.attr("running_mean")->tensor).name;
    const std::string var = b.value_of(op.attr("running_var")->tensor).name;
    normalised = relu ? b.fresh("batch_norm") : output(b, op, x.vec4, "batch_norm");
    onnx::NodeProto* n = b.add_node("BatchNormalization", {x.name, scale, shift, mean, var}, {normalised});
    GraphBuilder::set_float(n, "epsilon", op.float_attr("eps"));
    if (!relu) return;
  }
  b.add_node("Relu", {normalised}, {output(b, op, x.vec4, "relu")});
}

void linear(GraphBuilder& b, const TracedOp& op, int64_t) {
  const OnnxValue x = input(b, op, 0), w = input(b, op, 1);
  const bool has_bias = op.inputs.size() > 2;
  if (x.vec4 && w.is_initializer) {
    std::vector<std::string> in{x.name, b.initializer_as(w, {w.shape[0], w.shape[1], 1, 1})};
    if (has_bias) in.push_back(input(b, op, 2).name);
    onnx::NodeProto* n = b.add_node("Conv", in, {output(b, op, true, "fc")});
    GraphBuilder::set_ints(n, "kernel_shape", {1, 1});
    return;
  }
  const OnnxValue px = b.plain(x);
  std::vector<std::string> in{px.name, w.name};
  if (has_bias) in.push_back(input(b, op, 2).name);
  GraphBuilder::set_int(b.add_node("Gemm", in, {output(b, op, false, "fc")}), "transB", 1);
}

void global_pool(GraphBuilder& b, const TracedOp& op, const std::string& type) {
  const OnnxValue x = input(b, op, 0);
  b.add_node(type, {b.plain(x).name}, {output(b, op, true, op.op)});
}

void channel_scale(GraphBuilder& b, const TracedOp& op, int64_t) {
  const OnnxValue x = b.plain(input(b, op, 0));
  OnnxValue s = input(b, op, 1);
  std::string s4 = s.name;
  if (!s.vec4) {
    s4 = b.fresh(s.name + "_4d");
    b.add_node("Reshape", {s.name, b.add_int64_initializer("shape", {0, -1, 1, 1})}, {s4});
  }
  const OnnxValue spread = expand_4d(b, OnnxValue{.name = s4, .shape = Shape{s.shape[0], s.shape[1], 1, 1}}, x.shape);
  b.add_node("Mul", {x.name, spread.name}, {output(b, op, false, "scaled")});
}

void reshape(GraphBuilder& b, const TracedOp& op, int64_t) {
  const OnnxValue x = input(b, op, 0);
  const std::vector<int64_t> from = onnx_dims(x), to = op.output.shape().dims();
  if (from == to) {  // [N, C, 1, 1] -> [N, C, 1, 1] (AdaptiveAvgPool2d's view of a squeezed vector)
    b.bind(op.output, OnnxValue{.name = x.name, .vec4 = false});
    return;
  }
  if (to.size() == 2 && from.size() == 4 && from[0] == to[0] && from[1] == to[1] && from[2] == 1 && from[3] == 1) {
    b.bind(op.output, OnnxValue{.name = x.name, .vec4 = true});  // [N, C, 1, 1] seen as [N, C]: stays 4-D
    return;
  }
  EXCITE_CHECK(!to.empty() && !from.empty() && to[0] == from[0],
               "onnx export: reshape " << x.shape << " -> " << op.output.shape()
                                       << " changes the batch dimension, which cannot be exported with a dynamic batch");
  int64_t rest = 1;
  for (size_t i = 1; i < from.size(); ++i) rest *= from[i];
  if (to.size() == 2 && to[1] == rest) {
    GraphBuilder::set_int(b.add_node("Flatten", {x.name}, {output(b, op, false, "flatten")}), "axis", 1);
    return;
  }
  std::vector<int64_t> shape = to;
  shape[0] = 0;  // copy the (dynamic) batch dimension
  b.add_node("Reshape", {x.name, b.add_int64_initializer("shape", shape)}, {output(b, op, false, "reshape")});
}

void reduce(GraphBuilder& b, const TracedOp& op, int64_t, const std::string& type) {
  const OnnxValue x = b.plain(input(b, op, 0));
  const TraceAttr* axes = op.attr("axes");
  EXCITE_CHECK(axes, "onnx export: " << op.op << " was traced without its axes");
  // keepdims = 0, then Reshape to the kept shape: OpenCV 4.6's ReduceMean/ReduceMax over C with
  // keepdims = 1 returns a 5-D [N, 1, 1, H, W] once N > 1; this form is exact in both runtimes.
  const bool keep = op.int_attr("keepdims") != 0;
  const bool over_batch = std::find(axes->ints.begin(), axes->ints.end(), 0) != axes->ints.end();
  // A sum is a ReduceMean times the count: OpenCV 4.6 does not import ReduceSum from opset 13
  // on (axes became an input), and the mean's rounding is within a float ulp or two.
  const bool is_sum = type == "ReduceSum";
  const std::string reduced = keep || is_sum ? b.fresh(op.op + "_reduced") : output(b, op);
  onnx::NodeProto* n = b.add_node("ReduceMean", {x.name}, {reduced});
  GraphBuilder::set_ints(n, "axes", axes->ints);
  GraphBuilder::set_int(n, "keepdims", 0);
  std::string result = reduced;
  if (is_sum) {
    float count = 1.f;
    for (int64_t a : axes->ints) count *= static_cast<float>(x.shape[a]);
    result = keep ? b.fresh(op.op + "_total") : output(b, op);
    b.add_node("Mul", {reduced, b.add_initializer("count", &count, {})}, {result});
  }
  if (!keep) return;
  std::vector<int64_t> shape = op.output.shape().dims();
  if (!over_batch) shape[0] = 0;  // the dynamic batch
  b.add_node("Reshape", {result, b.add_int64_initializer("shape", shape)}, {output(b, op)});
}

const std::map<std::string, Rule>& table() {
  static const std::map<std::string, Rule> rules = {
      {"conv2d", conv2d},
      {"batch_norm", batch_norm},
      {"batch_norm_relu", batch_norm},
      {"linear", linear},
      {"global_avg_pool", [](GraphBuilder& b, const TracedOp& op, int64_t) { global_pool(b, op, "GlobalAveragePool"); }},
      {"global_max_pool", [](GraphBuilder& b, const TracedOp& op, int64_t) { global_pool(b, op, "GlobalMaxPool"); }},
      {"channel_scale", channel_scale},
      {"reshape", reshape},
      {"relu", unary("Relu")},
      {"sigmoid", unary("Sigmoid")},
      {"tanh", unary("Tanh")},
      {"exp", unary("Exp")},
      {"log", unary("Log")},
      {"neg", unary("Neg")},
      {"hardsigmoid",
       [](GraphBuilder& b, const TracedOp& op, int64_t) {
         const OnnxValue x = input(b, op, 0);
         onnx::NodeProto* n = b.add_node("HardSigmoid", {x.name}, {output(b, op, x.vec4)});
         GraphBuilder::set_float(n, "alpha", 1.f / 6.f);
         GraphBuilder::set_float(n, "beta", 0.5f);
       }},
      {"silu",
       [](GraphBuilder& b, const TracedOp& op, int64_t) {
         const OnnxValue x = input(b, op, 0);
         const std::string s = b.fresh("sigmoid");
         b.add_node("Sigmoid", {x.name}, {s});
         b.add_node("Mul", {x.name, s}, {output(b, op, x.vec4)});
       }},
      {"add", binary("Add")},
      {"sub", binary("Sub")},
      {"mul", binary("Mul")},
      {"div", binary("Div")},
      {"add_relu", binary("Add", true)},
      {"add_scalar", with_scalar("Add")},
      {"mul_scalar", with_scalar("Mul")},
      {"matmul", [](GraphBuilder& b, const TracedOp& op, int64_t) {
         const OnnxValue x = b.plain(input(b, op, 0)), y = b.plain(input(b, op, 1));
         b.add_node("MatMul", {x.name, y.name}, {output(b, op)});
       }},
      {"max_pool2d",
       [](GraphBuilder& b, const TracedOp& op, int64_t) {
         const OnnxValue x = input(b, op, 0);
         set_window(b.add_node("MaxPool", {x.name}, {output(b, op, false, "maxpool")}), op, "kernel_shape");
       }},
      {"avg_pool2d",
       [](GraphBuilder& b, const TracedOp& op, int64_t) {
         const OnnxValue x = input(b, op, 0);
         onnx::NodeProto* n = b.add_node("AveragePool", {x.name}, {output(b, op, false, "avgpool")});
         set_window(n, op, "kernel_shape");
         GraphBuilder::set_int(n, "count_include_pad", op.int_attr("count_include_pad"));
       }},
      {"sum", [](GraphBuilder& b, const TracedOp& op, int64_t o) { reduce(b, op, o, "ReduceSum"); }},
      {"mean", [](GraphBuilder& b, const TracedOp& op, int64_t o) { reduce(b, op, o, "ReduceMean"); }},
      {"dropout",
       [](GraphBuilder&, const TracedOp&, int64_t) {
         EXCITE_FAIL("onnx export: dropout ran in training mode; export needs the model in eval mode (model.eval())");
       }},
  };
  return rules;
}

}  // namespace

void lower_op(GraphBuilder& b, const TracedOp& op, int64_t opset) {
  auto it = table().find(op.op);
  if (it == table().end()) {
    std::string known;
    for (const auto& [name, rule] : table()) known += (known.empty() ? "" : ", ") + name;
    EXCITE_FAIL("onnx export: no ONNX rule for op '" << op.op << "' (output " << op.output.shape()
                                                     << "); deploy/onnx_lower.cpp knows: " << known);
  }
  it->second(b, op, opset);
}

}  // namespace excite::deploy
