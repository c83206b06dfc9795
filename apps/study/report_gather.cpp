// apps/study/report_gather.cpp — from a study's run directories to the numbers of its report
// (apps/study/report.h): results per run and per variant, the pooled noise, the factor sections,
// and the cost of each variant (asking the models' attention modules, whatever their kind).
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "apps/train/model_factory.h"
#include "apps/study/report.h"
#include "apps/study/report_paper.h"
#include "apps/train/train_data.h"
#include "layers/attention.h"
#include "layers/profile.h"

namespace excite::apps {

namespace fs = std::filesystem;

namespace {

RunResult read_run(const PlannedRun& run, std::vector<std::string>& warnings) {
  RunResult r;
  try {
    const RunStatus s = run_status(run);
    r.state = s.state;
    r.epochs_done = s.epochs_done;
  } catch (const Error& e) {
    warnings.push_back(std::string("left out: ") + e.what());
    return r;
  }
  if (r.state == RunState::New) return r;
  r.curve = MetricsLog(run.dir).read();
  if (r.state != RunState::Done) return r;
  try {
    const nlohmann::json s = nlohmann::json::parse(std::ifstream(run.dir + "/summary.json"));
    r.final_accuracy = s.at("final_test_accuracy").get<double>();
    r.best_accuracy = s.value("best_test_accuracy", r.final_accuracy);
    r.final_loss = s.value("final_test_loss", 0.0);
    r.wall_seconds = s.value("wall_seconds", 0.0);
    r.images_per_second = s.value("train_images_per_second", 0.0);
    r.params = s.value("params", int64_t{0});
    r.macs = s.value("macs", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    warnings.push_back("left out " + run.name + ": its summary.json is unreadable (" + e.what() + ")");
    r.state = RunState::Partial;
  }
  return r;
}

// "1/2/4": the hidden width of the last attention module of each stage ("-" where a stage has
// none, or its kind has no bottleneck).
std::string hidden_widths(layers::Module& model, size_t stages) {
  std::vector<std::string> per_stage(stages, "-");
  for (const layers::NamedAttention& a : layers::attention_modules(model)) {
    if (a.path.rfind("layer", 0) != 0) continue;
    const size_t stage = static_cast<size_t>(std::atoi(a.path.c_str() + 5));
    if (stage >= 1 && stage <= stages && a.module->hidden() > 0) per_stage[stage - 1] = std::to_string(a.module->hidden());
  }
  std::string s;
  for (const auto& w : per_stage) s += (s.empty() ? "" : "/") + w;
  return s;
}

// Parameters and multiply-adds of every variant on the dataset's input shape, against the same
// model without attention.
void compute_costs(const Plan& plan, StudyReport& r) {
  TrainConfig c = plan.study.base;
  c.limit_test = 1;
  TrainData data;
  try {
    data = load_test_data(c);
  } catch (const Error& e) {
    r.warnings.push_back(std::string("parameters and multiply-adds taken from the runs' summaries (the dataset cannot ") +
                         "be read here: " + e.what() + ")");
    for (size_t i = 0; i < plan.runs.size(); ++i) {
      VariantResult& v = r.variants[plan.runs[i].variant];
      if (r.runs[i].state != RunState::Done || v.costs_known) continue;
      v.params = r.runs[i].params;
      v.macs = r.runs[i].macs;
      v.costs_known = true;
    }
    return;
  }
  const int64_t classes = static_cast<int64_t>(data.classes.size());
  const Shape input{1, data.channels, data.height, data.width};
  const layers::ModelOptions plain = without_attention(plan.study.base.model);
  layers::ModulePtr baseline = build_model(plain, data.channels, classes);
  const layers::Profile b = layers::profile(*baseline, input);
  const size_t stages = layers::resnet_config(plain).depths.size();
  for (size_t i = 0; i < plan.variants.size(); ++i) {
    layers::ModulePtr model = build_model(plan.variants[i].model, data.channels, classes);
    const layers::Profile p = layers::profile(*model, input);
    VariantResult& v = r.variants[i];
    v.costs_known = true;
    v.params = p.params;
    v.macs = p.macs;
    v.se_params_percent = 100.0 * static_cast<double>(p.params - b.params) / static_cast<double>(b.params);
    v.se_macs_percent = 100.0 * static_cast<double>(p.macs - b.macs) / static_cast<double>(b.macs);
    v.hidden_widths = plan.variants[i].model.attention.kind != "none" ? hidden_widths(*model, stages) : "";
  }
}

// The variant whose model is the base's (one_factor: "default"; grid: the combination of the
// base's values, if the grid has it), or the one without attention.
std::optional<size_t> find_variant(const Plan& plan, bool attention) {
  for (size_t i = 0; i < plan.variants.size(); ++i) {
    const layers::ModelOptions& m = plan.variants[i].model;
    if ((m.attention.kind != "none") != attention) continue;
    if (!attention) return i;
    bool same = true;
    for (const std::string& f : study_factor_names()) same = same && factor_value(f, m) == factor_value(f, plan.study.base.model);
    if (same) return i;
  }
  return std::nullopt;
}

FactorSection factor_section(const Plan& plan, const std::string& factor) {
  FactorSection section{factor, {}};
  const layers::ModelOptions& base = plan.study.base.model;
  const std::string default_value = factor_value(factor, base);
  std::vector<std::string> values = factor_values(plan.study.factors, factor);
  if (plan.study.mode == StudyMode::OneFactor && std::find(values.begin(), values.end(), default_value) == values.end())
    values.insert(values.begin(), default_value);
  if (factor == "attention") values.erase(std::remove(values.begin(), values.end(), "none"), values.end());  // the baseline
  if (find_study_factor(factor)->spec.initial.index() == OptionValue(int64_t{0}).index())  // numbers in order
    std::sort(values.begin(), values.end(), [](const std::string& a, const std::string& b) { return std::stoll(a) < std::stoll(b); });
  for (const std::string& value : values) {
    FactorGroup g{value, value == default_value, {}};
    for (size_t i = 0; i < plan.variants.size(); ++i) {
      const Variant& v = plan.variants[i];
      if (v.model.attention.kind == "none" || factor_value(factor, v.model) != value) continue;
      const bool member = plan.study.mode == StudyMode::Grid || (g.is_default ? v.name == "default" : v.factor == factor);
      if (member) g.variants.push_back(i);
    }
    section.groups.push_back(std::move(g));
  }
  return section;
}

}  // namespace

StudyReport gather_report(const Plan& plan) {
  StudyReport r;
  r.plan = &plan;
  r.variants.resize(plan.variants.size());
  for (const PlannedRun& run : plan.runs) {
    r.runs.push_back(read_run(run, r.warnings));
    const RunResult& rr = r.runs.back();
    if (rr.state != RunState::Done) continue;
    ++r.finished;
    VariantResult& v = r.variants[run.variant];
    v.accuracy.push_back(rr.final_accuracy);
    v.mean_seconds += rr.wall_seconds;
  }
  std::vector<Sample> samples;
  for (VariantResult& v : r.variants) {
    v.stats = describe(v.accuracy);
    if (!v.accuracy.empty()) v.mean_seconds /= static_cast<double>(v.accuracy.size());
    samples.push_back(v.stats);
  }
  r.noise = pooled_noise(samples);
  r.word = attention_word(plan);
  r.baseline = find_variant(plan, false);
  r.default_variant = find_variant(plan, true);
  compute_costs(plan, r);
  // Every factor but the baseline: the attention factor has a section when it compares kinds.
  for (const std::string& f : study_factor_names()) {
    const std::vector<std::string> values = factor_values(plan.study.factors, f);
    const bool kinds_compared = std::any_of(values.begin(), values.end(), [](const std::string& v) { return v != "none"; });
    if (!values.empty() && (f != "attention" || kinds_compared)) r.factors.push_back(factor_section(plan, f));
  }
  return r;
}

std::optional<double> paper_figure(const StudyReport& r, const std::string& factor, const std::string& value) {
  return r.word == "SE" ? paper_top1_error(factor, value) : std::nullopt;
}

Sample group_sample(const StudyReport& r, const FactorGroup& g) {
  std::vector<double> all;
  for (size_t v : g.variants) all.insert(all.end(), r.variants[v].accuracy.begin(), r.variants[v].accuracy.end());
  return describe(all);
}

std::vector<double> mean_curve(const StudyReport& r, const std::vector<size_t>& variants, double EpochMetrics::*field) {
  std::vector<double> sum, count;
  for (size_t i = 0; i < r.runs.size(); ++i) {
    if (r.runs[i].state != RunState::Done) continue;
    if (std::find(variants.begin(), variants.end(), r.plan->runs[i].variant) == variants.end()) continue;
    for (const EpochMetrics& m : r.runs[i].curve) {
      const size_t e = static_cast<size_t>(m.epoch - 1);
      if (sum.size() <= e) sum.resize(e + 1, 0), count.resize(e + 1, 0);
      sum[e] += m.*field;
      count[e] += 1;
    }
  }
  for (size_t e = 0; e < sum.size(); ++e) sum[e] = count[e] > 0 ? sum[e] / count[e] : 0;
  return sum;
}

}  // namespace excite::apps
