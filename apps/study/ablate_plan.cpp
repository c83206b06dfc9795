// apps/study/ablate_plan.cpp — from a study config to its plan: the factors' values as changes of
// a model's options, every validation, the one-factor and grid expansions, and the runs. Nothing
// here knows a concrete attention kind: what a factor is, which kinds take it, and why a value is
// unfit at C channels, come from the kinds (layers/attention.h).
#include <algorithm>
#include <map>
#include <set>

#include "apps/study/ablate_study.h"
#include "apps/train/model_factory.h"
#include "apps/train/train_data.h"
#include "core/error.h"
#include "layers/attention.h"
#include "layers/init.h"
#include "layers/profile.h"

namespace excite::apps {

namespace {

using layers::ModelOptions;

// A list value's order does not matter (stages [2, 1] are stages 1 and 2).
OptionValue normalized(OptionValue v) {
  if (auto* list = std::get_if<std::vector<int64_t>>(&v)) std::sort(list->begin(), list->end());
  return v;
}

// How names and reports write a value: "8", "avg", "on", "1+2", "all" (an empty list).
std::string label_of(const OptionValue& value) {
  const OptionValue v = normalized(value);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "on" : "off";
  if (const auto* list = std::get_if<std::vector<int64_t>>(&v)) {
    std::vector<std::string> parts;
    for (int64_t x : *list) parts.push_back(std::to_string(x));
    return parts.empty() ? "all" : join_names(parts, "+", "+");
  }
  return to_string(v);
}

bool takes(const std::string& kind, const std::string& option) {
  for (const OptionSpec& s : layers::attention_kind(kind).options())
    if (s.setting.key == option) return true;
  return false;
}

// The model's own setting `key` as a value, or set from one.
OptionValue model_value(ModelOptions m, const std::string& key) {
  OptionValue out;
  visit_fields(m, [&](const Setting& s, auto& field) {
    if (s.key == key) out = option_value(field);
  });
  return out;
}

void set_model_value(ModelOptions& m, const std::string& key, const OptionValue& v) {
  visit_fields(m, [&](const Setting& s, auto& field) {
    if (s.key == key) assign_option(v, field);
  });
}

// Applies one factor's value to a model; false when the model's attention kind does not take it.
bool apply(ModelOptions& m, const FactorSpec& f, const OptionValue& v) {
  const std::string key = f.spec.setting.key;
  if (f.attention_option) {
    if (!takes(m.attention.kind, key)) return false;
    m.attention.options.set(key, v);
    return true;
  }
  set_model_value(m, key, normalized(v));
  if (key == "attention") {  // a new kind keeps only the options it takes
    OptionValues kept;
    for (const auto& [option, value] : m.attention.options.items())
      if (takes(m.attention.kind, option)) kept.set(option, value);
    m.attention.options = kept;
  }
  return true;
}

struct Factor {
  const FactorSpec* spec;
  std::vector<OptionValue> values;
  std::vector<std::string> labels;
  std::string name() const { return spec->spec.setting.key; }
};

std::vector<Factor> study_factor_list(const StudyFactors& raw) {
  for (const auto& [name, values] : raw) {
    const std::vector<std::string> known = study_factor_names();
    EXCITE_CHECK(std::find(known.begin(), known.end(), name) != known.end(),
                 "ablate: unknown factor '" << name << "' (known factors: " << join_names(known, ", ", ", ") << ")");
  }
  std::vector<Factor> out;
  for (const FactorSpec& f : study_factors()) {
    auto it = raw.find(f.spec.setting.key);
    if (it == raw.end()) continue;
    Factor factor{&f, {}, {}};
    for (const OptionValue& v : it->second) {
      factor.values.push_back(normalized(v));
      factor.labels.push_back(label_of(v));
    }
    out.push_back(std::move(factor));
  }
  return out;
}

// --- validation ------------------------------------------------------------------------------

void check_values(const Factor& f, StudyMode mode, const ModelOptions& base, const std::set<std::string>& kinds) {
  const OptionSpec& spec = f.spec->spec;
  const std::string where = "ablate: factor '" + f.name() + "'";
  EXCITE_CHECK(!f.values.empty(), where << " has no values, so the study is empty "
                                        << "(give at least one value, or leave the factor out)");
  std::set<std::string> seen;
  for (size_t i = 0; i < f.values.size(); ++i) {
    const OptionValue& v = f.values[i];
    EXCITE_CHECK(seen.insert(f.labels[i]).second, where << " lists " << f.labels[i] << " twice");
    EXCITE_CHECK(v.index() == spec.initial.index(), where << ": " << to_string(v) << " is not " << type_name(spec.initial));
    if (const auto* text = std::get_if<std::string>(&v); text && !spec.choices.empty())
      EXCITE_CHECK(std::find(spec.choices.begin(), spec.choices.end(), *text) != spec.choices.end(),
                   where << ": unknown value '" << *text << "' (known: " << join_names(spec.choices, ", ", ", ") << ")");
    if (const auto* i = std::get_if<int64_t>(&v))
      EXCITE_CHECK(*i >= spec.setting.min, where << ": " << *i << " is not allowed (at least " << spec.setting.min << ")");
  }
  if (!f.spec->attention_option) return;
  const std::vector<std::string>& takers = f.spec->kinds;
  auto taken = [&](const std::string& k) { return std::find(takers.begin(), takers.end(), k) != takers.end(); };
  if (mode == StudyMode::OneFactor)
    EXCITE_CHECK(taken(base.attention.kind), where << " is an option of attention " << join_names(takers, ", ", ", ")
                                                   << ", not of the base's attention '" << base.attention.kind << "'");
  else
    EXCITE_CHECK(std::any_of(kinds.begin(), kinds.end(), taken),
                 where << " is an option of attention " << join_names(takers, ", ", ", ") << ", which the study never builds");
}

// A variant's model built for real: what C and H x W are at each attention module (for the
// [1, C, H, W] input) is the model's business, whether a setting fits it the kind's.
void check_variant(const Variant& v, layers::Module& model, std::vector<layers::NamedAttention> modules,
                   const Shape& input) {
  std::map<std::string, Shape> inputs;  // module path -> its input's shape, from one forward pass
  for (const layers::LayerProfile& row : layers::profile(model, input).layers) inputs.emplace(row.name, row.input);
  std::stable_sort(modules.begin(), modules.end(),
                   [](const auto& a, const auto& b) { return a.module->channels() < b.module->channels(); });
  for (const layers::NamedAttention& a : modules) {
    layers::AttentionSite site{.channels = a.module->channels()};
    if (auto it = inputs.find(a.path); it != inputs.end()) site.height = it->second[2], site.width = it->second[3];
    const std::string why = a.module->kind().unfit(a.module->options(), site);
    EXCITE_CHECK(why.empty(), "ablate: variant '" << v.name << "': " << why << " (" << a.path << " in " << v.model.arch
                                                  << ", its narrowest " << a.module->kind().label() << " module)");
  }
}

// Equal for two variants that build the same model.
std::string structure_signature(const ModelOptions& m, const std::vector<layers::NamedAttention>& modules) {
  std::string s = name_of(m.position);
  for (const layers::NamedAttention& a : modules) s += " " + a.path + ":" + a.module->structure();
  return modules.empty() ? "no attention" : s;
}

}  // namespace

std::vector<std::string> factor_values(const StudyFactors& factors, const std::string& factor) {
  std::vector<std::string> out;
  if (auto it = factors.find(factor); it != factors.end())
    for (const OptionValue& v : it->second) out.push_back(label_of(v));
  return out;
}

std::string factor_value(const std::string& factor, const ModelOptions& m) {
  for (const FactorSpec& f : study_factors()) {
    if (f.spec.setting.key != factor) continue;
    if (!f.attention_option) return label_of(model_value(m, factor));
    return m.attention.options.has(factor) ? label_of(m.attention.options.at(factor)) : "";
  }
  EXCITE_FAIL("ablate: unknown factor '" << factor << "'");
}

std::string attention_word(const Plan& plan) {
  std::set<std::string> kinds;
  if (plan.study.base.model.attention.kind != "none") kinds.insert(plan.study.base.model.attention.kind);
  for (const Variant& v : plan.variants)
    if (v.model.attention.kind != "none") kinds.insert(v.model.attention.kind);
  return kinds.size() == 1 ? layers::attention_kind(*kinds.begin()).label() : "attention";
}

Plan make_plan(const StudyConfig& study, int cores) {
  Plan plan;
  plan.study = study;
  plan.dir = study_output_dir(study);
  EXCITE_CHECK(!study.seeds.empty(), "ablate: 'seeds' is empty: a study needs at least 1 seed per variant");
  EXCITE_CHECK(std::set<uint64_t>(study.seeds.begin(), study.seeds.end()).size() == study.seeds.size(),
               "ablate: 'seeds' lists a seed twice: " << nlohmann::json(study.seeds).dump());
  EXCITE_CHECK(study.jobs >= 1, "ablate: jobs must be at least 1, got " << study.jobs);
  EXCITE_CHECK(!study.name.empty() && study.name.find('/') == std::string::npos,
               "ablate: the study name '" << study.name << "' must be non-empty, without '/'");
  plan.study.base = validated(study.base);
  const TrainConfig& base = plan.study.base;
  EXCITE_CHECK(base.model.attention.kind != "none",
               "ablate: the base model must have attention (an se... arch, or \"attention\": \"se\"), got attention none "
                   << "for arch '" << base.model.arch << "'; the baseline without attention is the factor "
                   << "\"attention\": [\"none\"]");

  const std::vector<Factor> factors = study_factor_list(study.factors);
  EXCITE_CHECK(!factors.empty(), "ablate: the study has no factors (known factors: " << join_names(study_factor_names(), ", ", ", ") << ")");
  std::set<std::string> kinds{base.model.attention.kind};  // the kinds the study builds
  for (const Factor& f : factors)
    if (f.name() == "attention")
      for (const OptionValue& v : f.values)
        if (const auto* k = std::get_if<std::string>(&v)) kinds.insert(*k);
  for (const Factor& f : factors) check_values(f, study.mode, base.model, kinds);
  // Bound the expansion before it happens: a grid plans the product of its factors' lengths,
  // one_factor at most one variant per value plus the default; each variant once per seed.
  double variants = 1.0;
  for (const Factor& f : factors) {
    const double n = static_cast<double>(f.values.size());
    variants = study.mode == StudyMode::Grid ? variants * n : variants + n;
  }
  const double planned = variants * static_cast<double>(study.seeds.size());
  EXCITE_CHECK(planned <= static_cast<double>(kMaxStudyRuns),
               "ablate: the study would plan up to " << planned << " runs, more than a study may (" << kMaxStudyRuns
                                                      << "): fewer seeds or factor values");

  std::set<std::string> names;
  auto add_variant = [&](Variant v) {
    if (!names.insert(v.name).second) return;
    try {
      v.model = layers::completed(v.model);
    } catch (const Error& e) {
      EXCITE_FAIL("ablate: variant '" << v.name << "' cannot be built: " << e.what());
    }
    plan.variants.push_back(std::move(v));
  };
  auto no_attention = [&] {
    Variant v{"no-se", "", base.model};
    v.model.attention = {.kind = "none"};
    return v;
  };
  if (study.mode == StudyMode::OneFactor) {
    add_variant({"default", "", base.model});
    for (const Factor& f : factors)
      for (size_t i = 0; i < f.values.size(); ++i) {
        Variant v{"", f.name(), base.model};
        apply(v.model, *f.spec, f.values[i]);
        if (factor_value(f.name(), v.model) == factor_value(f.name(), base.model)) continue;  // the default itself
        if (v.model.attention.kind == "none") {
          Variant b = no_attention();
          b.factor = f.name();
          add_variant(b);
        } else {
          v.name = f.name() + "-" + f.labels[i];
          add_variant(std::move(v));
        }
      }
  } else {
    // The attention factor names a variant only when the grid compares kinds (not just none).
    size_t kinds_named = 0;
    for (const Factor& f : factors)
      if (f.name() == "attention")
        for (const std::string& l : f.labels) kinds_named += l != "none";
    std::vector<size_t> index(factors.size(), 0);
    for (bool more = true; more;) {
      Variant v{"", "", base.model};
      for (size_t i = 0; i < factors.size(); ++i)  // the kind first, so that its options apply to it
        if (factors[i].name() == "attention") apply(v.model, *factors[i].spec, factors[i].values[index[i]]);
      std::vector<std::string> parts;
      for (size_t i = 0; i < factors.size(); ++i) {
        const Factor& f = factors[i];
        if (f.name() == "attention") {
          if (kinds_named > 1) parts.push_back(f.name() + "-" + f.labels[index[i]]);
        } else if (apply(v.model, *f.spec, f.values[index[i]])) {
          parts.push_back(f.name() + "-" + f.labels[index[i]]);
        }
      }
      if (v.model.attention.kind == "none") add_variant(no_attention());  // every such combination is one model
      else {
        v.name = parts.empty() ? "default" : join_names(parts, "_", "_");
        add_variant(std::move(v));
      }
      more = false;
      for (size_t i = factors.size(); i-- > 0;) {  // odometer over the factors' values
        if (++index[i] < factors[i].values.size()) {
          more = true;
          break;
        }
        index[i] = 0;
      }
    }
  }

  // The input the runs will see (known from the dataset, nothing read: a plan is made many times,
  // by --dry-run, the runner and fuzz_study, and used to read the whole test split for it).
  const std::array<int64_t, 3> geometry = input_geometry(base);
  const Shape input{1, geometry[0], geometry[1], geometry[2]};
  const int64_t in_channels = geometry[0];
  std::map<std::string, std::string> same_model;  // structure signature -> first variant
  const layers::SkipInit structure_only;          // the checks look at shapes, not weights
  for (const Variant& v : plan.variants) {
    layers::ModulePtr model;
    std::vector<layers::NamedAttention> modules;
    try {
      model = build_model(v.model, in_channels, 10);
      modules = layers::attention_modules(*model);
      check_variant(v, *model, modules, input);
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.rfind("ablate: variant", 0) == 0) throw;
      EXCITE_FAIL("ablate: variant '" << v.name << "' cannot be built: " << what);
    }
    auto [it, fresh] = same_model.emplace(structure_signature(v.model, modules), v.name);
    if (!fresh)
      plan.warnings.push_back("variants '" + it->second + "' and '" + v.name + "' build the same model (every " +
                              "attention module has the same structure, e.g. the same hidden width); their difference " +
                              "is seed noise only");
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
      r.config = validated(r.config);
      plan.runs.push_back(std::move(r));
    }
  return plan;
}

}  // namespace excite::apps
