// deploy/onnx_graph.h — GraphBuilder: the ONNX GraphProto being assembled from a trace (internal
// to deploy/; the public entry point is onnx_export.h).
//
// It maps each traced tensor, by storage address and shape, to the ONNX value that holds it, and
// knows for each value whether it is "squeezed 4-D": an excite [N, C] vector that the graph keeps
// as [N, C, 1, 1] (GlobalAveragePool's output), so that Linear on it becomes a 1x1 Conv and the
// SE scale a broadcast Mul. Tensors the trace did not produce are the graph input, a parameter or
// buffer (an initializer under its state-dict key) or a constant made inside forward (an
// initializer named const_<k>).
// Leaves out: the op rules (onnx_lower.cpp), checking and writing (onnx_export.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "autograd/trace.h"
#include "onnx/onnx_pb.h"

namespace excite::deploy {

struct OnnxValue {
  std::string name;
  Shape shape = {};     // excite's shape of the tensor (the traced batch size at dim 0)
  bool vec4 = false;    // held as [N, C, 1, 1] although excite's tensor is [N, C]
  bool is_input = false;
  bool is_initializer = false;
  const Tensor* initializer_tensor = nullptr;  // the tensor behind an initializer (for folding)
};

class GraphBuilder {
 public:
  GraphBuilder(onnx::GraphProto* graph, bool fold_batch_norm) : graph_(graph), fold_batch_norm_(fold_batch_norm) {}

  // Names for tensors not produced by ops: parameters/buffers (by key) and the graph input.
  void name_tensor(const Tensor& t, const std::string& name);
  void set_input(const Tensor& t, const std::string& name);
  void count_uses(const std::vector<TracedOp>& ops);

  // The ONNX value holding `t` (creating its initializer on first use).
  OnnxValue value_of(const Tensor& t);
  // Binds the op's output tensor to an ONNX value.
  void bind(const Tensor& t, OnnxValue v);
  int64_t uses(const Tensor& t) const;

  // A fresh value name derived from `hint` (unique in the graph).
  std::string fresh(const std::string& hint);
  // New initializers: float data with the given dims; int64 data (shapes, axes).
  std::string add_initializer(const std::string& name, const float* data, const std::vector<int64_t>& dims);
  std::string add_int64_initializer(const std::string& hint, const std::vector<int64_t>& values);
  // An existing initializer's data under other dims (a Linear weight as a 1x1 Conv weight).
  std::string initializer_as(const OnnxValue& v, const std::vector<int64_t>& dims);

  onnx::NodeProto* add_node(const std::string& op_type, const std::vector<std::string>& inputs,
                            const std::vector<std::string>& outputs);
  static void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values);
  static void set_int(onnx::NodeProto* n, const std::string& name, int64_t value);
  static void set_float(onnx::NodeProto* n, const std::string& name, float value);

  // After lowering: drops initializers no node reads (a conv weight replaced by its BN-folded
  // twin, a Linear weight used only in its 1x1 Conv form) and gives a reshaped initializer its
  // state-dict key back when the original is gone.
  void finish();

  // The [N, C] value of a squeezed 4-D one (Flatten); plain values unchanged.
  OnnxValue plain(const OnnxValue& v);

  bool fold_batch_norm() const { return fold_batch_norm_; }
  int64_t folded = 0;
  // Conv nodes by their output name, with their weight and bias tensors, for folding a BN.
  struct ConvRecord {
    onnx::NodeProto* node;
    Tensor weight, bias;  // bias undefined when the conv had none
    std::string weight_name;
  };
  std::map<std::string, ConvRecord> convs;

 private:
  using Key = std::pair<const float*, std::vector<int64_t>>;
  static Key key(const Tensor& t) { return {t.data(), t.shape().dims()}; }

  onnx::GraphProto* graph_;
  bool fold_batch_norm_;
  std::map<Key, OnnxValue> values_;
  std::map<Key, std::string> names_;    // parameters and buffers
  std::map<Key, Tensor> keep_alive_;    // tensors behind named initializers
  std::map<Key, int64_t> uses_;
  std::map<std::string, int64_t> taken_;
  std::map<std::pair<std::string, std::vector<int64_t>>, std::string> reshaped_;
  std::map<std::string, std::string> preferred_;  // reshaped initializer -> the key it stands for
  int64_t constants_ = 0;
};

// Lowers one traced op (onnx_lower.cpp); throws naming the op when it has no rule.
void lower_op(GraphBuilder& b, const TracedOp& op, int64_t opset);

}  // namespace excite::deploy
