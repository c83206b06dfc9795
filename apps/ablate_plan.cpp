// apps/ablate_plan.cpp — from a study config to its plan: the factors' values as changes of a
// model config, every validation, the one-factor and grid expansions, and the runs.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "apps/ablate_study.h"
#include "apps/model_factory.h"
#include "core/error.h"
#include "layers/se.h"

namespace excite::apps {

namespace {

// The short word a factor has in variant names.
std::string short_name(const std::string& factor) {
  if (factor == "se_position") return "position";
  if (factor == "se_stages") return "stages";
  return factor;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : sep) + p;
  return s;
}

// --- the factors as levels: a label and how each value changes a model config ------------------

struct Level {
  std::string label;
  std::function<void(ModelConfig&)> apply;
};

struct Factor {
  std::string name;
  std::vector<Level> levels;
};

template <typename T>
void add_factor(std::vector<Factor>& out, const std::string& name, const std::optional<std::vector<T>>& values,
                std::function<void(ModelConfig&, const T&)> set) {
  if (!values) return;
  Factor f{name, {}};
  for (const T& v : *values) {
    ModelConfig probe;
    set(probe, v);
    f.levels.push_back({factor_value(name, probe), [set, v](ModelConfig& m) { set(m, v); }});
  }
  out.push_back(std::move(f));
}

std::vector<Factor> factor_levels(const StudyFactors& f) {
  std::vector<Factor> out;
  add_factor<bool>(out, "se", f.se, [](ModelConfig& m, const bool& v) { m.se = v; });
  add_factor<int>(out, "reduction", f.reduction, [](ModelConfig& m, const int& v) { m.reduction = v; });
  add_factor<std::string>(out, "squeeze", f.squeeze, [](ModelConfig& m, const std::string& v) { m.squeeze = v; });
  add_factor<std::string>(out, "gate", f.gate, [](ModelConfig& m, const std::string& v) { m.gate = v; });
  add_factor<std::string>(out, "se_position", f.se_position,
                          [](ModelConfig& m, const std::string& v) { m.se_position = v; });
  add_factor<std::vector<int>>(out, "se_stages", f.se_stages, [](ModelConfig& m, const std::vector<int>& v) {
    m.se_stages = v;
    std::sort(m.se_stages.begin(), m.se_stages.end());
  });
  return out;
}

// --- validation ------------------------------------------------------------------------------

bool one_of(const std::string& v, const std::vector<std::string>& options) {
  return std::find(options.begin(), options.end(), v) != options.end();
}

void check_values(const Factor& f, const StudyFactors& raw, int stages) {
  EXCITE_CHECK(!f.levels.empty(), "ablate: factor '" << f.name << "' has no values, so the study is empty "
                                                      << "(give at least one value, or leave the factor out)");
  std::set<std::string> seen;
  for (const Level& l : f.levels)
    EXCITE_CHECK(seen.insert(l.label).second, "ablate: factor '" << f.name << "' lists " << l.label << " twice");
  auto check_names = [&](const std::optional<std::vector<std::string>>& values, const std::vector<std::string>& known) {
    for (const std::string& v : *values)
      EXCITE_CHECK(one_of(v, known),
                   "ablate: factor '" << f.name << "': unknown value '" << v << "' (known: " << join(known, ", ") << ")");
  };
  if (f.name == "reduction")
    for (int r : *raw.reduction)
      EXCITE_CHECK(r >= 1, "ablate: factor 'reduction': r = " << r << " is not a reduction ratio "
                                                             << "(the SE hidden width is C / r: r must be at least 1)");
  if (f.name == "squeeze") check_names(raw.squeeze, {"avg", "max", "avgmax"});
  if (f.name == "gate") check_names(raw.gate, {"sigmoid", "hard_sigmoid", "tanh", "relu"});
  if (f.name == "se_position") check_names(raw.se_position, {"standard", "pre", "post", "identity"});
  if (f.name == "se_stages")
    for (const auto& list : *raw.se_stages) {
      std::set<int> unique(list.begin(), list.end());
      EXCITE_CHECK(unique.size() == list.size(), "ablate: factor 'se_stages': " << nlohmann::json(list).dump()
                                                                               << " names a stage twice");
      for (int s : list)
        EXCITE_CHECK(s >= 1 && s <= stages, "ablate: factor 'se_stages': stage " << s << " does not exist (the model has stages 1.."
                                                                                << stages << "; [] means every stage)");
    }
}

struct SEWidth {
  std::string path;
  int64_t channels = 0, hidden = 0;
};

// The SE modules of a variant's model, built for real: what C and C/r are is the model's business.
std::vector<SEWidth> se_widths(const ModelConfig& m, int64_t in_channels) {
  layers::ModulePtr model = build_model(m, in_channels, 10);
  std::vector<SEWidth> out;
  for (const layers::NamedModule& nm : model->named_modules())
    if (auto* se = dynamic_cast<layers::SEModule*>(nm.module)) out.push_back({nm.name, se->channels(), se->hidden()});
  return out;
}

void check_variant(const Variant& v, const std::vector<SEWidth>& widths) {
  if (!v.model.se) return;
  EXCITE_CHECK(!widths.empty(), "ablate: variant '" << v.name << "' has no SE module (is the arch an se* model?)");
  const SEWidth narrowest = *std::min_element(widths.begin(), widths.end(),
                                              [](const SEWidth& a, const SEWidth& b) { return a.channels < b.channels; });
  EXCITE_CHECK(v.model.reduction <= narrowest.channels,
               "ablate: variant '" << v.name << "': reduction " << v.model.reduction << " is larger than the "
                                   << narrowest.channels << " channels of its narrowest SE module (" << narrowest.path
                                   << " in " << v.model.arch << "), where C / r would be below 1 and the hidden width "
                                   << "only min_channels; use r <= " << narrowest.channels);
}

std::string widths_signature(const ModelConfig& m, const std::vector<SEWidth>& widths) {
  std::string s = m.se ? m.squeeze + "/" + m.gate + "/" + m.se_position + (m.se_bias ? "/bias" : "") : "no-se";
  for (const SEWidth& w : widths) s += " " + w.path + ":" + std::to_string(w.channels) + ">" + std::to_string(w.hidden);
  return s;
}
}  // namespace

std::vector<std::string> factor_values(const StudyFactors& factors, const std::string& factor) {
  for (const Factor& f : factor_levels(factors))
    if (f.name == factor) {
      std::vector<std::string> out;
      for (const Level& l : f.levels) out.push_back(l.label);
      return out;
    }
  return {};
}

std::string factor_value(const std::string& factor, const ModelConfig& m) {
  if (factor == "se") return m.se ? "on" : "off";
  if (factor == "reduction") return std::to_string(m.reduction);
  if (factor == "squeeze") return m.squeeze;
  if (factor == "gate") return m.gate;
  if (factor == "se_position") return m.se_position;
  if (factor == "se_stages") {
    if (m.se_stages.empty()) return "all";
    std::vector<int> s = m.se_stages;
    std::sort(s.begin(), s.end());
    std::string out;
    for (int x : s) {
      if (!out.empty()) out += '+';
      out += std::to_string(x);
    }
    return out;
  }
  EXCITE_FAIL("ablate: unknown factor '" << factor << "'");
}

Plan make_plan(const StudyConfig& study, int cores) {
  Plan plan;
  plan.study = study;
  plan.dir = study_output_dir(study);
  const TrainConfig& base = study.base;
  EXCITE_CHECK(study.mode == "one_factor" || study.mode == "grid",
               "ablate: mode '" << study.mode << "' unknown (one_factor: each factor varied alone, as the SE paper; "
                                << "grid: every combination)");
  EXCITE_CHECK(!study.seeds.empty(), "ablate: 'seeds' is empty: a study needs at least 1 seed per variant");
  EXCITE_CHECK(std::set<uint64_t>(study.seeds.begin(), study.seeds.end()).size() == study.seeds.size(),
               "ablate: 'seeds' lists a seed twice: " << nlohmann::json(study.seeds).dump());
  EXCITE_CHECK(study.jobs >= 1, "ablate: jobs must be at least 1, got " << study.jobs);
  EXCITE_CHECK(!study.name.empty() && study.name.find('/') == std::string::npos,
               "ablate: the study name '" << study.name << "' must be non-empty, without '/'");
  validate(base);
  EXCITE_CHECK(base.model.se && base.model.arch.rfind("se", 0) == 0,
               "ablate: the base model must be an SE model (arch se..., se true), got "
                   << (base.model.se ? "" : "se false, ") << "arch '" << base.model.arch
                   << "'; the no-SE baseline is the factor \"se\": [false]");

  const int64_t in_channels = base.model.in_channels > 0 ? base.model.in_channels : 3;
  const int stages = static_cast<int>(
      layers::resnet_config(model_options(base.model, in_channels, 10)).depths.size());
  const std::vector<Factor> factors = factor_levels(study.factors);
  EXCITE_CHECK(!factors.empty(), "ablate: the study has no factors (known factors: "
                                     << join(study_factor_names(), ", ") << ")");
  for (const Factor& f : factors) check_values(f, study.factors, stages);

  std::set<std::string> names;
  auto add_variant = [&](Variant v) {
    if (names.insert(v.name).second) plan.variants.push_back(std::move(v));
  };
  if (study.mode == "one_factor") {
    add_variant({"default", "", base.model});
    for (const Factor& f : factors)
      for (const Level& l : f.levels) {
        Variant v{"", f.name, base.model};
        l.apply(v.model);
        if (factor_value(f.name, v.model) == factor_value(f.name, base.model)) continue;  // the default itself
        v.name = v.model.se ? short_name(f.name) + "-" + l.label : "no-se";
        add_variant(std::move(v));
      }
  } else {
    std::vector<size_t> index(factors.size(), 0);
    for (bool more = true; more;) {
      Variant v{"", "", base.model};
      std::vector<std::string> parts;
      for (size_t i = 0; i < factors.size(); ++i) {
        factors[i].levels[index[i]].apply(v.model);
        if (factors[i].name != "se") parts.push_back(short_name(factors[i].name) + "-" + factors[i].levels[index[i]].label);
      }
      v.name = !v.model.se ? "no-se" : parts.empty() ? "default" : join(parts, "_");
      if (!v.model.se) {  // every combination without SE is the same model
        v.model = base.model;
        v.model.se = false;
      }
      add_variant(std::move(v));
      more = false;
      for (size_t i = factors.size(); i-- > 0;) {  // odometer over the factors' levels
        if (++index[i] < factors[i].levels.size()) {
          more = true;
          break;
        }
        index[i] = 0;
      }
    }
  }

  std::map<std::string, std::string> same_model;  // widths signature -> first variant
  for (const Variant& v : plan.variants) {
    std::vector<SEWidth> widths;
    try {
      widths = se_widths(v.model, in_channels);
    } catch (const Error& e) {
      EXCITE_FAIL("ablate: variant '" << v.name << "' cannot be built: " << e.what());
    }
    check_variant(v, widths);
    auto [it, fresh] = same_model.emplace(widths_signature(v.model, widths), v.name);
    if (!fresh)
      plan.warnings.push_back("variants '" + it->second + "' and '" + v.name + "' build the same model (the SE " +
                              "hidden widths max(C / r, min_channels = " + std::to_string(v.model.min_channels) +
                              ") coincide); their difference is seed noise only");
  }

  const int threads = base.threads > 0 ? base.threads : std::max(1, cores / study.jobs);
  for (uint64_t seed : study.seeds)
    for (size_t i = 0; i < plan.variants.size(); ++i) {
      PlannedRun r;
      r.name = plan.variants[i].name + "_seed-" + std::to_string(seed);
      r.variant = i;
      r.seed = seed;
      r.dir = plan.dir + "/runs/" + r.name;
      r.config = base;
      r.config.model = plan.variants[i].model;
      r.config.seed = seed;
      r.config.out = r.dir;
      r.config.threads = threads;
      validate(r.config);
      plan.runs.push_back(std::move(r));
    }
  return plan;
}

}  // namespace excite::apps
