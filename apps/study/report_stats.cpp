#include "apps/study/report_stats.h"

#include <cmath>

namespace excite::apps {

namespace {

// The continued fraction of I_x(a, b) (DLMF 8.17.22), evaluated by the modified Lentz method:
//   I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) * 1 / (1 + d1 / (1 + d2 / (1 + ...)))
//   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),  d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)).
// Converges fast for x < (a + 1) / (a + b + 2); the caller uses the symmetry otherwise.
double beta_fraction(double x, double a, double b) {
  const double tiny = 1e-300, eps = 1e-15;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  d = 1 / (std::fabs(d) < tiny ? tiny : d);
  double f = d;
  for (int m = 1; m <= 500; ++m) {
    for (int half = 0; half < 2; ++half) {
      const double num = half == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                                   : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      c = 1 + num / c;
      d = 1 / (std::fabs(d) < tiny ? tiny : d);
      if (std::fabs(c) < tiny) c = tiny;
      f *= c * d;
      if (half == 1 && std::fabs(c * d - 1) < eps) return f;
    }
  }
  return f;
}

}  // namespace

double incomplete_beta(double x, double a, double b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return std::exp(log_front) * beta_fraction(x, a, b) / a;
  return 1 - std::exp(log_front) * beta_fraction(1 - x, b, a) / b;  // I_x(a, b) = 1 - I_{1-x}(b, a)
}

double t_two_sided_p(double t, double df) {
  // P(|T| >= t) = I_{df / (df + t²)}(df / 2, 1 / 2)
  return incomplete_beta(df / (df + t * t), df / 2, 0.5);
}

double t_critical(double p_two_sided, double df) {
  double lo = 0, hi = 1e6;  // p falls from 1 to ~0 over [0, hi]: bisect
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    (t_two_sided_p(mid, df) > p_two_sided ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

Sample describe(const std::vector<double>& values) {
  Sample s;
  s.n = static_cast<int>(values.size());
  if (s.n == 0) return s;
  for (double v : values) s.mean += v;
  s.mean /= s.n;
  if (s.n < 2) return s;
  double ss = 0;
  for (double v : values) ss += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(ss / (s.n - 1));
  return s;
}

Noise pooled_noise(const std::vector<Sample>& variants) {
  double ss = 0;
  Noise noise;
  for (const Sample& s : variants) {
    if (s.n < 2) continue;
    ss += (s.n - 1) * s.sd * s.sd;
    noise.df += s.n - 1;
  }
  if (noise.df > 0) noise.sd = std::sqrt(ss / noise.df);
  return noise;
}

Comparison compare(const Sample& a, const Sample& b, const Noise& noise) {
  Comparison c;
  if (a.n == 0 || b.n == 0) return c;
  c.diff = a.mean - b.mean;
  if (noise.df < 1) return c;
  c.testable = true;
  const double se = noise.sd * std::sqrt(1.0 / a.n + 1.0 / b.n);
  c.ci95 = t_critical(0.05, noise.df) * se;
  if (se > 0) {
    c.t = c.diff / se;
    c.p = t_two_sided_p(std::fabs(c.t), noise.df);
  } else {
    c.p = c.diff == 0 ? 1 : 0;
  }
  c.beyond_noise = c.p < 0.05;
  return c;
}

}  // namespace excite::apps
