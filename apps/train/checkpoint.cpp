#include "apps/train/checkpoint.h"

#include <cstdio>
#include <sstream>

#include "core/error.h"

namespace excite::apps {

namespace {

constexpr const char* kOptimPrefix = "optim/";

std::string join_state(const Generator::State& s) {
  std::ostringstream os;
  for (size_t i = 0; i < s.size(); ++i) os << (i ? " " : "") << s[i];
  return os.str();
}

const std::string& meta(const SafetensorsFile& f, const std::string& key) {
  auto it = f.metadata.find(key);
  EXCITE_CHECK(it != f.metadata.end(), "checkpoint: " << f.path << " has no '" << key
                                                       << "' in its metadata (not an excite checkpoint?)");
  return it->second;
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  std::vector<NamedTensor> all = c.model;
  for (const NamedTensor& t : c.optimizer) all.push_back({kOptimPrefix + t.name, t.value, t.dtype});
  std::map<std::string, std::string> metadata{
      {"format", "excite-checkpoint-1"},
      {"epoch", std::to_string(c.state.epoch)},
      {"step", std::to_string(c.state.step)},
      {"rng", join_state(c.state.rng)},
      {"best_accuracy", std::to_string(c.state.best_accuracy)},
      {"config_fingerprint", c.state.config_fingerprint},
  };
  if (c.state.batch > 0) {  // mid-epoch; loss_sum exactly (%.17g round-trips a double)
    char loss[40];
    std::snprintf(loss, sizeof loss, "%.17g", c.state.loss_sum);
    metadata["batch"] = std::to_string(c.state.batch);
    metadata["loss_sum"] = loss;
    metadata["correct"] = std::to_string(c.state.correct);
    metadata["seen"] = std::to_string(c.state.seen);
  }
  save_safetensors(path, all, metadata);
}

Checkpoint load_checkpoint(const std::string& path) {
  SafetensorsFile f = load_safetensors(path);
  EXCITE_CHECK(meta(f, "format") == "excite-checkpoint-1",
               "checkpoint: " << path << " has format '" << meta(f, "format") << "', expected excite-checkpoint-1");
  Checkpoint c;
  for (NamedTensor& t : f.tensors) {
    if (t.name.rfind(kOptimPrefix, 0) == 0) c.optimizer.push_back({t.name.substr(6), t.value, t.dtype});
    else c.model.push_back(t);
  }
  try {
    c.state.epoch = std::stoi(meta(f, "epoch"));
    c.state.step = std::stoll(meta(f, "step"));
    c.state.best_accuracy = std::stod(meta(f, "best_accuracy"));
    std::istringstream rng(meta(f, "rng"));
    for (auto& word : c.state.rng) EXCITE_CHECK(rng >> word, "checkpoint: " << path << ": malformed rng state");
    if (f.metadata.count("batch") > 0) {
      c.state.batch = std::stoll(meta(f, "batch"));
      c.state.loss_sum = std::stod(meta(f, "loss_sum"));
      c.state.correct = std::stoll(meta(f, "correct"));
      c.state.seen = std::stoll(meta(f, "seen"));
    }
  } catch (const std::logic_error&) {
    EXCITE_FAIL("checkpoint: " << path << ": malformed epoch/step/best_accuracy/batch in the metadata");
  }
  c.state.config_fingerprint = meta(f, "config_fingerprint");
  return c;
}

}  // namespace excite::apps
