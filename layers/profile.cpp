#include "layers/profile.h"

namespace excite::layers {

namespace {

struct Recording {
  std::vector<LayerProfile>* rows = nullptr;
  int64_t depth = 0;
};
thread_local Recording g_recording;

int64_t own_parameter_count(const Module& module) {
  int64_t n = module.num_parameters();
  for (const NamedModule& c : module.named_children()) n -= c.module->num_parameters();
  return n;
}

}  // namespace

bool profile_recording() { return g_recording.rows != nullptr; }

int64_t profile_enter(const Module& module, const Shape& input) {
  if (g_recording.rows == nullptr) return -1;
  LayerProfile row;
  row.name = module.path();
  row.type = module.type_name();
  row.depth = g_recording.depth++;
  row.input = input;
  row.params = own_parameter_count(module);
  row.leaf = module.named_children().empty();
  g_recording.rows->push_back(row);
  return static_cast<int64_t>(g_recording.rows->size()) - 1;
}

void profile_exit(int64_t row, const Module& module, const Shape& input, const Shape& output) {
  if (g_recording.rows == nullptr || row < 0) return;
  --g_recording.depth;
  LayerProfile& r = (*g_recording.rows)[row];
  r.output = output;
  r.macs = module.own_macs(input, output);
}

Profile profile(Module& model, const Shape& input) {
  EXCITE_CHECK(g_recording.rows == nullptr, "profile: already recording a profile on this thread");
  Profile result;
  const bool was_training = model.is_training();
  model.eval();
  g_recording = {&result.layers, 0};
  try {
    NoGradGuard no_grad;
    result.output = model(Variable(Tensor::zeros(input))).shape();
  } catch (...) {
    g_recording = {};
    model.train(was_training);
    throw;
  }
  g_recording = {};
  model.train(was_training);
  result.params = model.num_parameters();
  for (const LayerProfile& r : result.layers) result.macs += r.macs;
  return result;
}

}  // namespace excite::layers
