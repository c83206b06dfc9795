#include "apps/train/checkpoint.h"

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
  } catch (const std::logic_error&) {
    EXCITE_FAIL("checkpoint: " << path << ": malformed epoch/step/best_accuracy in the metadata");
  }
  c.state.config_fingerprint = meta(f, "config_fingerprint");
  return c;
}

}  // namespace excite::apps
