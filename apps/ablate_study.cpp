// apps/ablate_study.cpp — a study's config: JSON in and out, the built-in default, the
// fingerprint. Validation and expansion into runs: apps/ablate_plan.cpp.
#include "apps/ablate_study.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/error.h"

namespace excite::apps {

namespace {

const char* kStudyKeys[] = {"name", "description", "out", "mode", "seeds", "jobs", "base", "factors"};

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : sep) + p;
  return s;
}

template <typename T>
std::vector<T> read_list(const nlohmann::json& j, const std::string& key, const std::string& where,
                         const char* expected, std::function<bool(const nlohmann::json&)> ok) {
  EXCITE_CHECK(j.is_array(), where << ": factor '" << key << "' must be a list of " << expected << ", got " << j.dump());
  std::vector<T> out;
  for (const auto& v : j) {
    EXCITE_CHECK(ok(v), where << ": factor '" << key << "': " << v.dump() << " is not " << expected);
    out.push_back(v.get<T>());
  }
  return out;
}

StudyFactors factors_from_json(const nlohmann::json& j, const std::string& where) {
  EXCITE_CHECK(j.is_object(), where << ": 'factors' must be an object of factor: [values]");
  StudyFactors f;
  auto is_string = [](const nlohmann::json& v) { return v.is_string(); };
  for (auto& [key, value] : j.items()) {
    if (key == "se") {
      f.se = read_list<bool>(value, key, where, "true/false", [](const nlohmann::json& v) { return v.is_boolean(); });
    } else if (key == "reduction") {
      f.reduction = read_list<int>(value, key, where, "an integer",
                                   [](const nlohmann::json& v) { return v.is_number_integer(); });
    } else if (key == "squeeze") {
      f.squeeze = read_list<std::string>(value, key, where, "a string", is_string);
    } else if (key == "gate") {
      f.gate = read_list<std::string>(value, key, where, "a string", is_string);
    } else if (key == "se_position") {
      f.se_position = read_list<std::string>(value, key, where, "a string", is_string);
    } else if (key == "se_stages") {
      f.se_stages = read_list<std::vector<int>>(value, key, where, "a list of stage numbers like [1, 2] ([] = all)",
                                                [](const nlohmann::json& v) {
                                                  return v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& e) {
                                                           return e.is_number_integer();
                                                         });
                                                });
    } else {
      EXCITE_FAIL(where << ": unknown factor '" << key << "' (known factors: " << join(study_factor_names(), ", ") << ")");
    }
  }
  return f;
}

uint64_t fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : text) h = (h ^ ch) * 1099511628211ull;
  return h;
}

}  // namespace

const std::vector<std::string>& study_factor_names() {
  static const std::vector<std::string> names = {"se", "reduction", "squeeze", "gate", "se_position", "se_stages"};
  return names;
}

nlohmann::json to_json(const StudyConfig& s) {
  nlohmann::json factors = nlohmann::json::object();
  if (s.factors.se) factors["se"] = *s.factors.se;
  if (s.factors.reduction) factors["reduction"] = *s.factors.reduction;
  if (s.factors.squeeze) factors["squeeze"] = *s.factors.squeeze;
  if (s.factors.gate) factors["gate"] = *s.factors.gate;
  if (s.factors.se_position) factors["se_position"] = *s.factors.se_position;
  if (s.factors.se_stages) factors["se_stages"] = *s.factors.se_stages;
  return {{"name", s.name}, {"description", s.description}, {"out", s.out},   {"mode", s.mode},       {"seeds", s.seeds},
          {"jobs", s.jobs}, {"base", to_json(s.base)}, {"factors", factors}};
}

StudyConfig study_from_json(const nlohmann::json& j, const std::string& where) {
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
  get_string("mode", s.mode);
  if (j.contains("jobs")) {
    EXCITE_CHECK(j["jobs"].is_number_integer(), where << ": 'jobs' must be an integer, got " << j["jobs"].dump());
    s.jobs = j["jobs"].get<int>();
  }
  if (j.contains("seeds")) {
    const nlohmann::json& seeds = j["seeds"];
    if (seeds.is_number_integer()) {
      const int64_t n = seeds.get<int64_t>();
      EXCITE_CHECK(n >= 1, where << ": 'seeds' = " << n << ": a study needs at least 1 seed per variant (3 or more "
                                 << "to see the seed-to-seed noise)");
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
  std::ifstream in(path);
  EXCITE_CHECK(in, "ablate: cannot open " << path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    EXCITE_FAIL("ablate: " << path << " is not valid JSON (" << e.what() << ")");
  }
  StudyConfig s = study_from_json(j, "study " + path);
  if (!j.contains("name")) s.name = std::filesystem::path(path).stem().string();
  return s;
}

StudyConfig default_study() {
  // About 40 CPU-minutes of training per seed: measured and reasoned in README "Ablation studies".
  StudyConfig s;
  s.name = "ablation-default";
  s.mode = "one_factor";
  s.seeds = {1, 2, 3};
  s.jobs = 2;
  s.base.dataset = "fashion-mnist";
  s.base.model.arch = "seresnet8";
  s.base.model.min_channels = 1;  // hidden width C / r, as the paper: with 8, r = 8 and 16 would be one model
  s.base.epochs = 2;
  s.base.batch_size = 128;
  s.base.lr = 0.2;
  s.base.warmup_epochs = 0.25;
  s.factors.se = std::vector<bool>{false};
  s.factors.reduction = std::vector<int>{2, 4, 8, 16};
  s.factors.squeeze = std::vector<std::string>{"avg", "max"};
  s.factors.gate = std::vector<std::string>{"sigmoid", "tanh", "relu"};
  s.factors.se_position = std::vector<std::string>{"standard", "pre", "post", "identity"};
  s.factors.se_stages = std::vector<std::vector<int>>{{1}, {2}, {3}, {}};
  return s;
}

std::string study_fingerprint(const StudyConfig& study) {
  nlohmann::json j = to_json(study);
  for (const char* key : {"name", "description", "out", "jobs"}) j.erase(key);
  for (const char* key : {"out", "workers", "threads", "seed"}) j["base"].erase(key);
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(j.dump())));
  return buf;
}

std::string study_output_dir(const StudyConfig& study) {
  return study.out.empty() ? "studies/" + study.name : study.out;
}
}  // namespace excite::apps
