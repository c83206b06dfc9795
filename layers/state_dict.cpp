#include "layers/state_dict.h"

#include <set>
#include <sstream>

namespace excite::layers {

std::string LoadReport::str() const {
  std::ostringstream s;
  for (const auto& k : missing) s << "\n  missing:     " << k;
  for (const auto& k : unexpected) s << "\n  unexpected:  " << k;
  for (const auto& m : mismatched)
    s << "\n  mis-shaped:  " << m.name << " (model " << m.expected << ", file " << m.got << ")";
  return s.str();
}

std::string LoadReport::first_problem() const {
  std::ostringstream s;
  if (!mismatched.empty())
    s << "mis-shaped " << mismatched.front().name << " (model " << mismatched.front().expected << ", file "
      << mismatched.front().got << ")";
  else if (!missing.empty())
    s << "missing " << missing.front();
  else if (!unexpected.empty())
    s << "unexpected " << unexpected.front();
  const size_t problems = missing.size() + unexpected.size() + mismatched.size();
  if (problems > 1) s << " (and " << problems - 1 << " more)";
  return s.str();
}

LoadReport load_state_dict(Module& model, const std::vector<NamedTensor>& state, const LoadOptions& options,
                           const std::string& source) {
  std::map<std::string, const Tensor*> given;
  for (const NamedTensor& t : state) {
    EXCITE_CHECK(given.emplace(t.name, &t.value).second, source << ": the key '" << t.name << "' appears twice");
  }
  std::vector<NamedTensor> targets = model.state_dict();
  LoadReport report;
  std::set<std::string> known;
  std::vector<std::pair<Tensor, const Tensor*>> copies;
  for (NamedTensor& target : targets) {
    known.insert(target.name);
    auto it = given.find(target.name);
    if (it == given.end()) {
      report.missing.push_back(target.name);
    } else if (it->second->shape() != target.value.shape()) {
      report.mismatched.push_back({target.name, target.value.shape(), it->second->shape()});
    } else {
      report.loaded.push_back(target.name);
      copies.emplace_back(target.value, it->second);
    }
  }
  for (const NamedTensor& t : state)
    if (!known.count(t.name)) report.unexpected.push_back(t.name);

  if (options.strict && !report.complete()) {
    EXCITE_FAIL("load_state_dict: " << source << " does not match " << model.label() << " ("
                                    << report.missing.size() << " missing, " << report.unexpected.size()
                                    << " unexpected, " << report.mismatched.size() << " mis-shaped keys):"
                                    << report.str()
                                    << "\n  (load with strict = false to skip these, e.g. to fine-tune a new head)");
  }
  for (auto& [dst, src] : copies) dst.copy_from(*src);
  return report;
}

void save_weights(const Module& model, const std::string& path, const std::map<std::string, std::string>& metadata) {
  save_safetensors(path, model.state_dict(), metadata);
}

LoadReport load_weights(Module& model, const std::string& path, const LoadOptions& options) {
  SafetensorsFile file = load_safetensors(path);
  return load_state_dict(model, file.tensors, options, path);
}

}  // namespace excite::layers
