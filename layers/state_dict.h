// layers/state_dict.h — a model's state dict to and from safetensors files, and loading a state
// dict into a model, strictly or not.
//
// save_weights writes every parameter (F32) and buffer (F32; num_batches_tracked as I64) under its
// PyTorch key, so `model.load_state_dict(safetensors.torch.load_file(path))` works on the
// equivalent torch model, and a torch state dict saved with safetensors loads here.
// load_state_dict copies values into the model's existing tensors (handles held by optimizers
// stay valid). Strict mode (the default) checks everything first and throws one error listing
// every missing, unexpected and mis-shaped key, leaving the model untouched; non-strict mode
// loads what matches and reports the rest (fine-tuning with another class count).
// Leaves out: dtype conversion beyond what core/safetensors.h reads (F16/BF16/F64/I32/I64 are
// widened or narrowed to float32 on load).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "layers/module.h"

namespace excite::layers {

struct MismatchedKey {
  std::string name;
  Shape expected, got;  // the model's shape, the file's shape
};

struct LoadReport {
  std::vector<std::string> loaded;
  std::vector<std::string> missing;     // in the model, not in the state dict
  std::vector<std::string> unexpected;  // in the state dict, not in the model
  std::vector<MismatchedKey> mismatched;
  bool complete() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  std::string str() const;  // one line per problem, for messages and logs
  // The first problem and how many more, for one-line errors: "mis-shaped fc.weight (model [10, 64],
  // file [100, 64]) (and 2 more)"; mis-shaped keys first, then missing, then unexpected.
  std::string first_problem() const;
};

struct LoadOptions {
  bool strict = true;
};

// `source` names the origin in error messages (a file path, "state dict").
LoadReport load_state_dict(Module& model, const std::vector<NamedTensor>& state, const LoadOptions& options = {},
                           const std::string& source = "state dict");

void save_weights(const Module& model, const std::string& path, const std::map<std::string, std::string>& metadata = {});
LoadReport load_weights(Module& model, const std::string& path, const LoadOptions& options = {});

}  // namespace excite::layers
