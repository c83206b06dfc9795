// apps/study/report_stats.h — the statistics of an ablation report: mean and standard deviation over
// seeds, and whether a difference between two variants rises above the seed-to-seed noise.
//
// The test (what report.md states): a two-sided t-test on the difference of two variants' mean
// accuracies with the seed noise pooled over the whole study. Every variant is trained by the
// same recipe, so its seed-to-seed spread estimates the same noise; pooling the within-variant
// variances, s² = Σ (n_i - 1) s_i² / Σ (n_i - 1), gives that noise a useful number of degrees of
// freedom even with 2-3 seeds per variant (a Welch test per pair would have 1-4). Then
//   t = (mean_a - mean_b) / (s sqrt(1/n_a + 1/n_b)),  df = Σ (n_i - 1),
// p from Student's t distribution, and the 95 % interval mean_a - mean_b ± t_0.975(df) s sqrt(...).
// "Beyond noise" means p < 0.05, i.e. the interval excludes 0. Leaves out: corrections for many
// comparisons (the report says how many false alarms 0.05 allows).
#pragma once

#include <vector>

namespace excite::apps {

struct Sample {
  int n = 0;
  double mean = 0;
  double sd = 0;  // sample standard deviation (n - 1); 0 when n < 2
};

Sample describe(const std::vector<double>& values);

struct Noise {
  double sd = 0;  // pooled within-variant standard deviation
  int df = 0;     // its degrees of freedom, Σ (n_i - 1)
};

Noise pooled_noise(const std::vector<Sample>& variants);

struct Comparison {
  bool testable = false;  // both sides have runs and the noise has df >= 1
  double diff = 0;        // mean_a - mean_b
  double ci95 = 0;        // half-width of the 95 % interval of diff
  double t = 0, p = 1;
  bool beyond_noise = false;  // p < 0.05
};

Comparison compare(const Sample& a, const Sample& b, const Noise& noise);

// Student's t distribution with df degrees of freedom: P(|T| >= |t|), and the t with
// P(|T| >= t) = p_two_sided.
double t_two_sided_p(double t, double df);
double t_critical(double p_two_sided, double df);
// I_x(a, b), the regularized incomplete beta function (continued fraction, modified Lentz).
double incomplete_beta(double x, double a, double b);

}  // namespace excite::apps
