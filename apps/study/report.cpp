// apps/study/report.cpp — report.md and report.csv of a study (apps/study/report.h); the numbers
// come from report_gather.cpp, the plots from report_plots.cpp. It names the study's attention by
// its kind's label ("SE"), or "attention" when the study compares kinds; the SE paper's figures
// appear beside an SE study's values.
#include "apps/study/report.h"

#include <cmath>
#include <set>
#include <sstream>

#include "apps/train/progress.h"
#include "apps/study/report_paper.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "layers/attention.h"

namespace excite::apps {

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string accuracy_cell(const Sample& s) {
  if (s.n == 0) return "—";
  return s.n == 1 ? fmt("%.2f", 100 * s.mean) : fmt("%.2f", 100 * s.mean) + " ± " + fmt("%.2f", 100 * s.sd);
}

// "+0.25 ± 0.18" (95 % interval), the p value and the verdict, or dashes.
struct DeltaCells {
  std::string delta = "—", p = "—", verdict = "—";
};

DeltaCells delta_cells(const Sample& a, const std::optional<Sample>& reference, const Noise& noise) {
  DeltaCells d;
  if (!reference || a.n == 0 || reference->n == 0) return d;
  const Comparison c = compare(a, *reference, noise);
  d.delta = fmt("%+.2f", 100 * c.diff);
  if (!c.testable) {
    d.verdict = "n/a (1 seed)";
    return d;
  }
  d.delta += " ± " + fmt("%.2f", 100 * c.ci95);
  d.p = c.p < 0.001 ? "<0.001" : fmt("%.3f", c.p);
  d.verdict = c.beyond_noise ? "**yes**" : "no";
  return d;
}

std::optional<Sample> variant_sample(const StudyReport& r, std::optional<size_t> v) {
  if (!v || r.variants[*v].stats.n == 0) return std::nullopt;
  return r.variants[*v].stats;
}

// "reduction: SE reduction ratio r, the hidden width max(C / r, min_channels)": the factor and
// its setting's help.
std::string factor_title(const std::string& f) {
  const FactorSpec* spec = find_study_factor(f);
  return spec ? f + ": " + spec->spec.setting.help : f;
}


std::string hours(double seconds) { return format_duration(seconds); }

void write_header(std::ostream& md, const StudyReport& r) {
  const Plan& plan = *r.plan;
  const TrainConfig& b = plan.study.base;
  const layers::ModelOptions& m = b.model;
  double total = 0;
  for (const RunResult& run : r.runs) total += run.state == RunState::Done ? run.wall_seconds : 0;
  md << "# " << r.word << " ablation study: " << plan.study.name << "\n\n";
  if (!plan.study.description.empty()) md << plan.study.description << "\n\n";
  md << "- **Data**: " << name_of(b.dataset);
  if (b.limit_train > 0) md << ", the first " << with_commas(b.limit_train) << " training images";
  md << (b.limit_test > 0 ? ", the first " + with_commas(b.limit_test) + " test images" : ", the full test set")
     << ", augmentation " << name_of(b.augment) << ".\n";
  md << "- **Model**: " << m.arch << "; the default variant's attention: " << layers::describe_all(m.attention)
     << ", position " << name_of(m.position) << ", stages " << factor_value("stages", m) << ".\n";
  md << "- **Training**: " << b.epochs << " epochs, batch " << b.batch_size << ", " << name_of(b.optimizer) << " lr " << b.lr
     << " (" << name_of(b.schedule) << ", warm-up " << b.warmup_epochs << " epochs), weight decay " << b.weight_decay
     << ", label smoothing " << b.label_smoothing << ".\n";
  md << "- **Study**: " << (plan.study.mode == StudyMode::Grid ? "full grid" : "one factor at a time (the SE paper's design)")
     << ", " << plan.variants.size() << " variants × " << plan.study.seeds.size() << " seeds = " << plan.runs.size()
     << " runs, " << r.finished << " finished; " << plan.study.jobs << " at a time with "
     << (plan.runs.empty() ? 0 : plan.runs[0].config.threads) << " thread(s) each; sum of run times "
     << hours(total) << ".\n\n";
  md << "How to read it: *test acc* is the final test accuracy (after the last epoch) in %, mean ± sample standard "
        "deviation over seeds. *Δ* is the difference of means in percentage points with its 95 % interval. The seed "
        "noise is pooled over all variants (every variant trains by the same recipe): s = "
     << (r.noise.df > 0 ? fmt("%.3f", 100 * r.noise.sd) + " pp with " + std::to_string(r.noise.df) + " degrees of freedom"
                        : std::string("unknown (needs 2+ seeds)"))
     << ". *Beyond noise* = a two-sided t-test with that pooled s gives p < 0.05 (the interval excludes 0); with "
        "many comparisons about 1 in 20 of them crosses that line by chance alone. "
     << (r.word == "attention" ? "Attention" : r.word) << " overhead is relative to the same network without " << r.word
     << ".";
  if (r.word == "SE")
    md << " Paper = the SE paper's ImageNet SE-ResNet-50 top-1 **error** (lower is better; no SE: "
       << fmt("%.2f", kPaperNoSETop1Error) << " %), a different dataset and scale: compare directions, not sizes.";
  md << "\n\n";
}

void write_variants_table(std::ostream& md, const StudyReport& r) {
  const auto base = variant_sample(r, r.baseline), def = variant_sample(r, r.default_variant);
  md << "## All variants\n\n";
  md << "| variant | seeds | test acc % | Δ vs no " << r.word << " (pp) | p | beyond noise | Δ vs default (pp) | params | "
     << "mult-adds | " << r.word << " params | " << r.word << " mult-adds | time/run |\n";
  md << "|---|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|\n";
  for (size_t i = 0; i < r.variants.size(); ++i) {
    const VariantResult& v = r.variants[i];
    const bool is_base = r.baseline && *r.baseline == i, is_def = r.default_variant && *r.default_variant == i;
    const DeltaCells d = is_base ? DeltaCells{} : delta_cells(v.stats, base, r.noise);
    const DeltaCells dd = is_def ? DeltaCells{} : delta_cells(v.stats, def, r.noise);
    md << "| " << r.plan->variants[i].name << " | " << v.stats.n << " | " << accuracy_cell(v.stats) << " | " << d.delta
       << " | " << d.p << " | " << d.verdict << " | " << dd.delta << " | "
       << (v.costs_known ? with_commas(v.params) : "—") << " | "
       << (v.costs_known ? fmt("%.2f M", static_cast<double>(v.macs) / 1e6) : "—") << " | "
       << (v.costs_known && !is_base ? fmt("%+.2f %%", v.se_params_percent) : "—") << " | "
       << (v.costs_known && !is_base ? fmt("%+.3f %%", v.se_macs_percent) : "—") << " | "
       << (v.stats.n ? hours(v.mean_seconds) : "—") << " |\n";
  }
  md << "\n";
}

void write_factor_section(std::ostream& md, const StudyReport& r, const FactorSection& s, const PlotFiles& plots) {
  const auto base = variant_sample(r, r.baseline), def = variant_sample(r, r.default_variant);
  const bool grid = r.plan->study.mode == StudyMode::Grid, paper = r.word == "SE";
  const bool kinds_paper = !paper && s.factor == "attention";  // a study across kinds: the companions' papers
  // The hidden widths are shown where the factor changes them (reduction, stages, ...).
  std::set<std::string> widths;
  for (const FactorGroup& g : s.groups)
    if (g.variants.size() == 1) widths.insert(r.variants[g.variants[0]].hidden_widths);
  const bool show_widths = widths.size() > 1;
  md << "### " << factor_title(s.factor) << "\n\n";
  if (grid) md << "Main effect: each value's runs pooled over every combination of the other factors.\n\n";
  md << "| " << s.factor << " | " << (show_widths ? "hidden widths | " : "") << "runs | test acc % | Δ vs no " << r.word
     << " (pp) | p | beyond noise | Δ vs default (pp) | " << r.word << " params |" << (paper ? " paper top-1 err % |" : "")
     << (kinds_paper ? " papers' ResNet-50 ImageNet top-1 acc % |" : "") << "\n";
  md << "|---|" << (show_widths ? "---|" : "") << "---:|---:|---:|---:|:---:|---:|---:|" << (paper ? "---:|" : "") << (kinds_paper ? "---|" : "") << "\n";
  for (const FactorGroup& g : s.groups) {
    const Sample a = group_sample(r, g);
    const DeltaCells d = delta_cells(a, base, r.noise);
    const DeltaCells dd = g.is_default && !grid ? DeltaCells{} : delta_cells(a, def, r.noise);
    const VariantResult* only = g.variants.size() == 1 ? &r.variants[g.variants[0]] : nullptr;
    const auto figure = paper_figure(r, s.factor, g.value);
    md << "| " << g.value << (g.is_default ? " (default)" : "") << " | ";
    if (show_widths) md << (only ? only->hidden_widths : "") << " | ";
    md << a.n << " | " << accuracy_cell(a) << " | " << d.delta << " | " << d.p << " | " << d.verdict << " | " << dd.delta
       << " | " << (only && only->costs_known ? fmt("%+.2f %%", only->se_params_percent) : "—") << " |";
    if (paper) md << " " << (figure ? fmt("%.2f", *figure) : "—") << " |";
    if (kinds_paper) {
      const std::string p = paper_attention_top1(g.value);
      md << " " << (p.empty() ? "—" : p) << " |";
    }
    md << "\n";
  }
  md << "\n";
  if (kinds_paper)
    md << "Papers' column: ResNet-50 on ImageNet, top-1 **accuracy** (higher is better), from each module's own "
          "paper (ECA-Net table 2; CBAM; Gather-Excite, whose theta-minus is `ge` here). The papers trained by "
          "different recipes, so their baselines differ (75.20, 75.44, 76.70): compare within a paper, and directions "
          "with this study, not sizes.\n\n";
  for (const auto& [f, png] : plots.versus)
    if (f == s.factor) md << "![accuracy vs " << s.factor << "](" << png << ")\n\n";
  for (const auto& [f, png] : plots.factors)
    if (f == s.factor) md << "![" << s.factor << ": difference from no " << r.word << "](" << png << ")\n\n";
  for (const auto& [f, png] : plots.curves)
    if (f == s.factor) md << "![" << s.factor << ": training curves](" << png << ")\n\n";
}

// One row per run; the model columns are the attention kind, every option any kind has (empty
// where the run's kind has no such option), position and stages.
void write_csv(const std::string& path, const StudyReport& r) {
  std::vector<std::string> options;
  for (const OptionSpec& spec : layers::all_attention_options()) options.push_back(spec.setting.key);
  std::ostringstream csv;
  csv << "run,variant,factor,seed,status,epochs,final_test_accuracy,best_test_accuracy,final_test_loss,wall_seconds,"
         "train_images_per_second,params,macs,attention";
  for (const std::string& o : options) csv << "," << o;
  csv << ",position,stages,run_dir\n";
  for (size_t i = 0; i < r.runs.size(); ++i) {
    const PlannedRun& p = r.plan->runs[i];
    const RunResult& x = r.runs[i];
    const Variant& v = r.plan->variants[p.variant];
    const bool done = x.state == RunState::Done;
    const char* status = done ? "finished" : x.state == RunState::Partial ? "partial" : "not started";
    csv << p.name << "," << v.name << "," << v.factor << "," << p.seed << "," << status << "," << x.epochs_done << ",";
    if (done)
      csv << fmt("%.6f", x.final_accuracy) << "," << fmt("%.6f", x.best_accuracy) << "," << fmt("%.6f", x.final_loss)
          << "," << fmt("%.1f", x.wall_seconds) << "," << fmt("%.1f", x.images_per_second) << "," << x.params << ","
          << x.macs;
    else
      csv << ",,,,,,";
    const layers::ModelOptions& m = v.model;
    csv << "," << m.attention.kind;
    for (const std::string& o : options) csv << "," << (m.attention.options.has(o) ? to_string(m.attention.options.at(o)) : "");
    csv << "," << name_of(m.position) << "," << factor_value("stages", m) << "," << p.dir << "\n";
  }
  write_file_atomically(path, csv.str(), "ablate");
}

}  // namespace

void write_report(const Plan& plan, std::FILE* log) {
  StudyReport r = gather_report(plan);
  const PlotFiles plots = write_report_plots(r, &r.warnings);
  write_csv(plan.dir + "/report.csv", r);

  std::ostringstream md;
  write_header(md, r);
  write_variants_table(md, r);
  if (!r.factors.empty()) md << "## By factor\n\n";
  for (const FactorSection& s : r.factors) write_factor_section(md, r, s, plots);
  md << "## Runs\n\n`report.csv` has one row per run; each run's directory is `runs/<variant>_seed-<seed>/` "
        "(config.json, metrics.csv, summary.json, curves.png, train.log).\n";
  std::vector<std::string> unfinished;
  for (size_t i = 0; i < r.runs.size(); ++i)
    if (r.runs[i].state != RunState::Done) unfinished.push_back(plan.runs[i].name);
  if (!unfinished.empty()) {
    md << "\nNot finished (" << unfinished.size() << "; re-run the same study to continue them):";
    for (size_t i = 0; i < unfinished.size(); ++i) md << (i ? ", " : " ") << "`" << unfinished[i] << "`";
    md << ".\n";
  }
  std::vector<std::string> notes = plan.warnings;
  notes.insert(notes.end(), r.warnings.begin(), r.warnings.end());
  if (!notes.empty()) {
    md << "\n## Notes\n\n";
    for (const auto& n : notes) md << "- " << n << "\n";
  }
  const std::string path = plan.dir + "/report.md";
  write_file_atomically(path, md.str(), "ablate");
  for (const auto& w : r.warnings) std::fprintf(log, "excite ablate: note: %s\n", w.c_str());
  std::fprintf(log, "excite ablate: report in %s (%d of %zu runs finished)\n", path.c_str(), r.finished, plan.runs.size());
}

}  // namespace excite::apps
