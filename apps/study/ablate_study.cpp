// apps/study/ablate_study.cpp — a study's config: its factors, JSON in and out, the built-in
// default, the fingerprint. Validation and expansion into runs: apps/study/ablate_plan.cpp.
#include "apps/study/ablate_study.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "layers/attention.h"

namespace excite::apps {

namespace {

using nlohmann::json;

const char* kStudyKeys[] = {"name", "description", "out", "mode", "seeds", "jobs", "base", "factors"};

StudyFactors factors_from_json(const json& j, const std::string& where) {
  EXCITE_CHECK(j.is_object(), where << ": 'factors' must be an object of factor: [values]");
  StudyFactors out;
  for (auto& [key, values] : j.items()) {
    if (key == "se") {  // the older spelling of the attention factor: true is se, false none
      EXCITE_CHECK(values.is_array() && std::all_of(values.begin(), values.end(), [](const json& v) { return v.is_boolean(); }),
                   where << ": factor 'se' must be a list of true/false (or use \"attention\": [\"none\"])");
      for (const json& v : values) out["attention"].push_back(std::string(v.get<bool>() ? "se" : "none"));
      continue;
    }
    const FactorSpec* f = find_study_factor(key);
    EXCITE_CHECK(f != nullptr, where << ": unknown factor '" << key << "' (known factors: "
                                     << join_names(study_factor_names(), ", ") << ")");
    const std::string name = f->spec.setting.key;
    EXCITE_CHECK(values.is_array(), where << ": factor '" << name << "' must be a list of values, got a " << values.type_name());
    for (const json& v : values) out[name].push_back(option_from_json(v, f->spec, where, name));
  }
  return out;
}

}  // namespace

const std::vector<FactorSpec>& study_factors() {
  static const std::vector<FactorSpec> factors = [] {
    std::vector<OptionSpec> model;  // the model's own factors: attention, position, stages
    for (const OptionSpec& s : option_specs<layers::ModelOptions>())
      if (s.setting.factor) model.push_back(s);
    std::vector<FactorSpec> out;
    for (OptionSpec s : model)
      if (s.setting.key == "attention") {
        s.choices = layers::attention_kind_names();
        out.push_back({s, false, {}});
      }
    for (const layers::AttentionKind* kind : layers::attention_kinds())
      for (const OptionSpec& s : kind->factors()) {
        auto seen = std::find_if(out.begin(), out.end(), [&](const FactorSpec& f) { return f.spec.setting.key == s.setting.key; });
        if (seen == out.end()) out.push_back({s, true, {kind->name()}});
        else seen->kinds.push_back(kind->name());
      }
    for (const OptionSpec& s : model)
      if (s.setting.key != "attention") out.push_back({s, false, {}});
    return out;
  }();
  return factors;
}

const FactorSpec* find_study_factor(const std::string& name) {
  for (const FactorSpec& f : study_factors()) {
    if (f.spec.setting.key == name) return &f;
    for (const std::string& alias : f.spec.setting.aliases)
      if (name == alias) return &f;
  }
  return nullptr;
}

std::vector<std::string> study_factor_names() {
  std::vector<std::string> names;
  for (const FactorSpec& f : study_factors()) names.push_back(f.spec.setting.key);
  return names;
}

json to_json(const StudyConfig& s) {
  json factors = json::object();
  for (const auto& [name, values] : s.factors) {
    json list = json::array();
    for (const OptionValue& v : values) list.push_back(option_to_json(v));
    factors[name] = list;
  }
  return {{"name", s.name},   {"description", s.description}, {"out", s.out},           {"mode", name_of(s.mode)},
          {"seeds", s.seeds}, {"jobs", s.jobs},               {"base", to_json(s.base)}, {"factors", factors}};
}

StudyConfig study_from_json(const json& j, const std::string& where) {
  EXCITE_CHECK(j.is_object(), where << ": a study must be a JSON object");
  for (auto& [key, value] : j.items())
    EXCITE_CHECK(std::find(std::begin(kStudyKeys), std::end(kStudyKeys), key) != std::end(kStudyKeys),
                 where << ": unknown key '" << key << "' (known keys: base, description, factors, jobs, mode, name, out, seeds)");
  StudyConfig s;
  auto get_string = [&](const char* key, std::string& value) {
    if (!j.contains(key)) return;
    EXCITE_CHECK(j[key].is_string(), where << ": '" << key << "' must be a string, got " << j[key].dump());
    value = j[key].get<std::string>();
  };
  get_string("name", s.name);
  get_string("description", s.description);
  get_string("out", s.out);
  std::string mode = name_of(s.mode);
  get_string("mode", mode);
  try {
    s.mode = parse_name<StudyMode>(mode);
  } catch (const Error& e) {
    EXCITE_FAIL(where << ": " << e.what() << " (one_factor: each factor varied alone, as the SE paper; grid: every combination)");
  }
  if (j.contains("jobs")) {
    EXCITE_CHECK(j["jobs"].is_number_integer(), where << ": 'jobs' must be an integer, got " << j["jobs"].dump());
    s.jobs = j["jobs"].get<int>();
  }
  if (j.contains("seeds")) {
    const json& seeds = j["seeds"];
    if (seeds.is_number_integer()) {
      const int64_t n = seeds.get<int64_t>();
      EXCITE_CHECK(n >= 1, where << ": 'seeds' = " << n << ": a study needs at least 1 seed per variant (3 or more "
                                 << "to see the seed-to-seed noise)");
      EXCITE_CHECK(static_cast<uint64_t>(n) <= kMaxStudyRuns,
                   where << ": 'seeds' = " << n << " is more than a study may run (" << kMaxStudyRuns << " runs)");
      s.seeds.clear();
      for (int64_t i = 1; i <= n; ++i) s.seeds.push_back(static_cast<uint64_t>(i));
    } else {
      EXCITE_CHECK(seeds.is_array() && std::all_of(seeds.begin(), seeds.end(),
                                                   [](const auto& e) { return e.is_number_unsigned(); }),
                   where << ": 'seeds' must be a count (3) or a list of non-negative integers ([1, 2, 3]), got "
                         << seeds.dump());
      s.seeds = seeds.get<std::vector<uint64_t>>();
    }
  }
  if (j.contains("base")) merge_json(s.base, j["base"], where + " (base)");
  if (j.contains("factors")) s.factors = factors_from_json(j["factors"], where + " (factors)");
  return s;
}

StudyConfig load_study_file(const std::string& path) {
  const json j = load_json_file(path, "ablate");
  StudyConfig s = study_from_json(j, "study " + path);
  if (!j.contains("name")) s.name = std::filesystem::path(path).stem().string();
  return s;
}

StudyConfig default_study() {
  // About 40 CPU-minutes of training per seed: measured and reasoned in README "Ablation studies".
  StudyConfig s;
  s.name = "ablation-default";
  s.mode = StudyMode::OneFactor;
  s.seeds = {1, 2, 3};
  s.jobs = 2;
  s.base.dataset = Dataset::FashionMnist;
  s.base.model.arch = "seresnet8";
  s.base.model.attention.options.set("min_channels", int64_t{1});  // hidden width C / r, as the paper
  s.base.epochs = 2;
  s.base.batch_size = 128;
  s.base.lr = 0.2;
  s.base.warmup_epochs = 0.25;
  s.factors["attention"] = {"none"};
  s.factors["reduction"] = {int64_t{2}, int64_t{4}, int64_t{8}, int64_t{16}};
  s.factors["squeeze"] = {"avg", "max"};
  s.factors["gate"] = {"sigmoid", "tanh", "relu"};
  s.factors["position"] = {"standard", "pre", "post", "identity"};
  s.factors["stages"] = {std::vector<int64_t>{1}, std::vector<int64_t>{2}, std::vector<int64_t>{3}, std::vector<int64_t>{}};
  return s;
}

std::string study_fingerprint(const StudyConfig& study) {
  StudyConfig s = study;
  try {
    s.base.model = layers::completed(s.base.model);  // {"min_channels": 1} and every SE key alike
  } catch (const Error&) {
  }
  json j = to_json(s);
  for (const char* key : {"name", "description", "out", "jobs"}) j.erase(key);
  for (const char* key : {"out", "workers", "threads", "seed"}) j["base"].erase(key);
  return json_fingerprint(j);
}

std::string study_output_dir(const StudyConfig& study) {
  return study.out.empty() ? "studies/" + study.name : study.out;
}

}  // namespace excite::apps
