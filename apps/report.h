// apps/report.h — the report of an ablation study, written into its directory (and regenerated
// by `excite ablate --report-only DIR`, from whatever runs have finished):
//   report.md    per variant the mean ± std of the final test accuracy over seeds, its difference
//                from the no-SE baseline (and from the default variant) with a 95 % interval and
//                whether it rises above the seed noise (apps/report_stats.h says how), params,
//                multiply-adds, SE overhead, training time; per factor the same beside the SE
//                paper's ImageNet figures (apps/report_paper.h); the plots.
//   report.csv   one row per planned run (finished or not).
//   *.png        accuracy vs reduction ratio, one bar chart per factor, training curves per
//                factor (apps/report_plots.cpp, through gnuplot; the data in plot-data/).
// Leaves out: running anything (apps/ablate_runner.h).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "apps/ablate_runner.h"
#include "apps/metrics_log.h"
#include "apps/report_stats.h"

namespace excite::apps {

struct RunResult {
  RunState state = RunState::New;
  int epochs_done = 0;
  double final_accuracy = 0, best_accuracy = 0, final_loss = 0;  // finished runs only
  double wall_seconds = 0, images_per_second = 0;
  int64_t params = 0, macs = 0;     // from summary.json
  std::vector<EpochMetrics> curve;  // metrics.csv, as far as the run got
};

struct VariantResult {
  std::vector<double> accuracy;  // final test accuracy of each finished run, in [0, 1]
  Sample stats;                  // of accuracy
  double mean_seconds = 0;       // training wall time per finished run
  bool costs_known = false;
  int64_t params = 0, macs = 0;  // per image
  double se_params_percent = 0, se_macs_percent = 0;  // over the same model without SE
  std::string hidden_widths;     // SE hidden width per stage, "1/2/4" ("-": no SE in that stage)
};

// The variants standing for one value of a factor: one_factor, one variant; grid, all the SE
// variants with that value (a main effect, averaged over the other factors).
struct FactorGroup {
  std::string value;
  bool is_default = false;
  std::vector<size_t> variants;
};

struct FactorSection {
  std::string factor;
  std::vector<FactorGroup> groups;
};

struct StudyReport {
  const Plan* plan = nullptr;
  std::vector<RunResult> runs;          // parallel to plan->runs
  std::vector<VariantResult> variants;  // parallel to plan->variants
  std::optional<size_t> baseline;       // the no-SE variant
  std::optional<size_t> default_variant;
  Noise noise;                          // pooled over every variant with 2+ finished seeds
  std::vector<FactorSection> factors;   // every factor but "se", in canonical order
  std::vector<std::string> warnings;
  int finished = 0;
};

// Reads every run directory of the plan; computes parameters and multiply-adds by building each
// variant (on the dataset's input shape), or takes them from the runs' summaries if the dataset
// cannot be read here.
StudyReport gather_report(const Plan& plan);
// All runs of a group's variants.
Sample group_sample(const StudyReport& report, const FactorGroup& group);
// The accuracy of a variant's runs per epoch, mean over the seeds that reached that epoch.
std::vector<double> mean_curve(const StudyReport& report, const std::vector<size_t>& variants,
                               double EpochMetrics::*field);

// PNGs into the study directory; returns the names written (a missing gnuplot is a warning).
struct PlotFiles {
  std::string reduction;                                      // "" if not drawn
  std::vector<std::pair<std::string, std::string>> factors;   // factor -> bar chart
  std::vector<std::pair<std::string, std::string>> curves;    // factor -> training curves
};
PlotFiles write_report_plots(const StudyReport& report, std::vector<std::string>* warnings);

// gather_report, the plots, report.md and report.csv; progress and warnings to `log`.
void write_report(const Plan& plan, std::FILE* log);

}  // namespace excite::apps
