#include "gradcheck.h"

#include <cmath>
#include <numeric>
#include <sstream>

namespace excite::testing {

namespace {

// sum(output * weights) in double, evaluated without recording a graph.
double weighted_sum(const VariableFn& f, const std::vector<Tensor>& inputs, const Tensor& weights) {
  NoGradGuard no_grad;
  std::vector<Variable> vars;
  for (const Tensor& t : inputs) vars.emplace_back(t, false);
  Tensor out = f(vars).data();
  double acc = 0.0;
  for (int64_t i = 0; i < out.numel(); ++i) acc += static_cast<double>(out.data()[i]) * weights.data()[i];
  return acc;
}

}  // namespace

GradCheckResult check_gradients(const VariableFn& f, const std::vector<Tensor>& inputs,
                                const GradCheckOptions& options) {
  Generator gen(1234);
  std::vector<Tensor> work;
  for (const Tensor& t : inputs) work.push_back(t.clone());

  // Analytic: backward of sum(out * w).
  std::vector<Variable> vars;
  for (size_t i = 0; i < work.size(); ++i) {
    bool skipped = false;
    for (size_t s : options.skip) skipped = skipped || s == i;
    vars.emplace_back(work[i].clone(), !skipped);
  }
  Variable out = f(vars);
  Tensor weights = Tensor::uniform(out.shape(), 0.5f, 1.5f, gen);
  Variable loss = sum(mul(out, Variable(weights)));
  loss.backward();

  GradCheckResult result;
  std::ostringstream report;
  for (size_t i = 0; i < work.size(); ++i) {
    if (!vars[i].requires_grad()) continue;
    const Tensor analytic = vars[i].grad().defined() ? vars[i].grad() : Tensor::zeros(work[i].shape());
    float worst = 0.f;
    int64_t worst_at = -1;
    double worst_numeric = 0, worst_analytic = 0;
    for (int64_t k = 0; k < work[i].numel(); ++k) {
      float& x = work[i].data()[k];
      const float saved = x;
      x = saved + options.eps;
      const double up = weighted_sum(f, work, weights);
      x = saved - options.eps;
      const double down = weighted_sum(f, work, weights);
      x = saved;
      const double numeric = (up - down) / (2.0 * options.eps);
      const double a = analytic.data()[k];
      const double excess = std::fabs(a - numeric) - (options.atol + options.rtol * std::fabs(numeric));
      if (excess > worst || std::isnan(a)) {
        worst = std::isnan(a) ? INFINITY : static_cast<float>(excess);
        worst_at = k;
        worst_numeric = numeric;
        worst_analytic = a;
      }
    }
    if (worst_at >= 0) {
      result.ok = false;
      report << "input " << i << " " << work[i].shape() << ": element " << worst_at << " analytic " << worst_analytic
             << " numeric " << worst_numeric << "\n";
    }
  }
  result.report = report.str();
  return result;
}

Tensor random_input(const Shape& shape, Generator& gen, float lo, float hi, float margin) {
  Tensor t(shape);
  for (float& v : t) {
    do v = gen.uniform(lo, hi);
    while (std::fabs(v) < margin);
  }
  return t;
}

Tensor spaced_input(const Shape& shape, Generator& gen) {
  Tensor t(shape);
  std::vector<int64_t> order(static_cast<size_t>(t.numel()));
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = t.numel() - 1; i > 0; --i) std::swap(order[i], order[gen.randint(i + 1)]);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = 0.05f * static_cast<float>(order[i] - t.numel() / 2);
  return t;
}

}  // namespace excite::testing
