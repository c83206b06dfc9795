// apps/study/report_plots.cpp — the report's PNGs through gnuplot (apps/train/plot.h
// run_gnuplot), with the data they show in <study>/plot-data/ so anyone can redraw them:
//   accuracy-vs-<factor>.png   for a numeric factor (SE's reduction ratio r): mean ± std test
//                              accuracy against its values (log2 scale when they are powers of
//                              two), single runs, the baseline's band, and for an SE study the SE
//                              paper's ImageNet accuracy on the right axis
//   factor-<factor>.png        bars: difference from the baseline without attention (or from the
//                              default, without one) with 95 % intervals, single runs, the paper's
//                              difference (SE studies)
//   curves-<factor>.png        test accuracy and training loss per epoch, mean over seeds
#include <cmath>
#include <filesystem>
#include <fstream>

#include "apps/train/plot.h"
#include "apps/study/report.h"
#include "apps/study/report_paper.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace excite::apps {

namespace fs = std::filesystem;

namespace {

const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string num(double v) {
  if (!std::isfinite(v)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void write_data(const std::string& path, const std::string& text) { write_file_atomically(path, text, "ablate"); }


std::string preamble(const std::string& png, int width, int height) {
  return "set terminal pngcairo size " + std::to_string(width) + "," + std::to_string(height) +
         " font 'sans,11' noenhanced\nset output '" + png + "'\nset grid ytics lc rgb '#dddddd'\n"
         "set border 3\nset tics nomirror\n";
}

// The reference the bar charts measure from: the baseline without attention, else the default.
struct Reference {
  Sample sample;
  std::string name;
  double paper_error = NAN;
};

std::optional<Reference> reference(const StudyReport& r) {
  if (r.baseline && r.variants[*r.baseline].stats.n > 0)
    return Reference{r.variants[*r.baseline].stats, "no " + r.word, r.word == "SE" ? kPaperNoSETop1Error : NAN};
  if (r.default_variant && r.variants[*r.default_variant].stats.n > 0)
    return Reference{r.variants[*r.default_variant].stats, "the default", paper_figure(r, "attention", "se").value_or(NAN)};
  return std::nullopt;
}

std::string plot_versus(const StudyReport& r, const FactorSection& s, const std::string& data_dir,
                        std::vector<std::string>* warnings) {
  std::string means, seeds, xtics;
  double rmin = 1e9, rmax = 0, ymin = 1e9, ymax = -1e9, paper_min = 1e9, paper_max = -1e9;
  auto span = [](double& lo, double& hi, double v) { lo = std::min(lo, v), hi = std::max(hi, v); };
  int points = 0;
  for (const FactorGroup& g : s.groups) {
    const Sample a = group_sample(r, g);
    if (a.n == 0) continue;
    const double x = std::stod(g.value);
    span(rmin, rmax, x);
    ++points;
    const auto figure = paper_figure(r, s.factor, g.value);
    if (figure) span(paper_min, paper_max, 100 - *figure);
    means += g.value + " " + num(100 * a.mean) + " " + num(100 * a.sd) + " " + num(figure ? 100 - *figure : NAN) + "\n";
    span(ymin, ymax, 100 * (a.mean - a.sd));
    span(ymin, ymax, 100 * (a.mean + a.sd));
    for (size_t v : g.variants)
      for (double acc : r.variants[v].accuracy) {
        seeds += g.value + " " + num(100 * acc) + "\n";
        span(ymin, ymax, 100 * acc);
      }
    xtics += std::string(xtics.empty() ? "" : ", ") + "\"" + g.value + (g.is_default ? "\\n(default)" : "") + "\" " + g.value;
  }
  if (points < 2) return "";
  const std::string& f = s.factor;
  write_data(data_dir + "/" + f + ".dat", "# " + f + "  mean_acc_%  std_%  paper_top1_acc_%\n" + means);
  write_data(data_dir + "/" + f + "-seeds.dat", "# " + f + "  acc_%\n" + seeds);
  const std::string png = "accuracy-vs-" + f + ".png";
  bool powers_of_two = rmin >= 1;
  for (const FactorGroup& g : s.groups) {
    const long long v = std::stoll(g.value);
    powers_of_two = powers_of_two && v > 0 && (v & (v - 1)) == 0;
  }
  std::string script = preamble(r.plan->dir + "/" + png, 960, 560);
  std::string plot = "plot ";
  if (r.baseline && r.variants[*r.baseline].stats.n > 0) {
    const Sample b = r.variants[*r.baseline].stats;
    span(ymin, ymax, 100 * (b.mean - b.sd));
    span(ymin, ymax, 100 * (b.mean + b.sd));
    script += "set object 1 rect from graph 0, first " + num(100 * (b.mean - b.sd)) + " to graph 1, first " +
              num(100 * (b.mean + b.sd)) + " fc rgb '#e8e8e8' fs solid noborder behind\n";
    plot += num(100 * b.mean) + " with lines dt 2 lw 2 lc rgb '#555555' title 'no " + r.word + " (mean ± std)', ";
  }
  // Both axes span the same number of percentage points, so slopes compare directly.
  const double pad = std::max(0.1 * (ymax - ymin), 0.05), width = std::max(ymax - ymin + 2 * pad, paper_max - paper_min + 0.2);
  const double y_mid = (ymin + ymax) / 2, paper_mid = (paper_min + paper_max) / 2;
  const FactorSpec* spec = find_study_factor(f);
  script += "set title 'Test accuracy vs " + f + " (mean ± std over seeds)'\n" +
            (powers_of_two ? "set logscale x 2\nset xrange [" + num(rmin / 1.4) + ":" + num(rmax * 1.4) + "]\n"
                           : "set offsets graph 0.1, graph 0.1, 0, 0\n") +
            "set xtics (" + xtics + ")\n"
            "set yrange [" + num(y_mid - width / 2) + ":" + num(y_mid + width / 2) + "]\n"
            "set xlabel '" + (spec ? std::string(spec->spec.setting.help) : f) + "' offset 0,-0.7\n"
            "set ylabel 'test accuracy (%)'\nset key bmargin center horizontal maxcols 2 samplen 2\n";
  if (paper_max > 0) {
    script += "set y2range [" + num(paper_mid - width / 2) + ":" + num(paper_mid + width / 2) + "]\n"
              "set y2label 'SE paper: ImageNet top-1 accuracy (%), same pp scale' tc rgb '#c0392b'\n"
              "set y2tics tc rgb '#c0392b'\n";
  }
  plot += "'" + data_dir + "/" + f + "-seeds.dat' using 1:2 with points pt 7 ps 0.7 lc rgb '#9ec3e6' title 'single runs', "
          "'" + data_dir + "/" + f + ".dat' using 1:2:3 with yerrorlines lw 2 pt 7 ps 1.2 lc rgb '#1f5fa8' title '" + r.word +
          ", this study'";
  if (paper_max > 0)
    plot += ", '' using 1:4 axes x1y2 with linespoints dt 3 lw 1.5 pt 6 lc rgb '#c0392b' title 'SE paper, ImageNet (right axis)'";
  std::string why;
  if (!run_gnuplot(script + plot + "\n", &why)) {
    warnings->push_back("no " + png + ": " + why);
    return "";
  }
  return png;
}

std::string plot_factor_bars(const StudyReport& r, const FactorSection& s, const Reference& ref,
                             const std::string& data_dir, std::vector<std::string>* warnings) {
  std::string bars, seeds;
  int i = 0, with_runs = 0;
  for (const FactorGroup& g : s.groups) {
    const Sample a = group_sample(r, g);
    const Comparison c = compare(a, ref.sample, r.noise);
    const auto figure = paper_figure(r, s.factor, g.value);
    bars += std::to_string(i) + " \"" + g.value + (g.is_default ? " (default)" : "") + "\" " +
            (a.n ? num(100 * c.diff) : "NaN") + " " + (c.testable ? num(100 * c.ci95) : "0") + " " +
            num(figure ? ref.paper_error - *figure : NAN) + "\n";
    for (size_t v : g.variants)
      for (double acc : r.variants[v].accuracy) seeds += std::to_string(i) + " " + num(100 * (acc - ref.sample.mean)) + "\n";
    with_runs += a.n > 0;
    ++i;
  }
  if (with_runs == 0) return "";
  const std::string& name = s.factor;
  write_data(data_dir + "/factor-" + name + ".dat", "# index  value  delta_pp  ci95_pp  paper_delta_top1_pp\n" + bars);
  write_data(data_dir + "/factor-" + name + "-seeds.dat", "# index  delta_pp (single run - reference mean)\n" + seeds);
  const std::string png = "factor-" + name + ".png";
  std::string script = preamble(r.plan->dir + "/" + png, 100 * i + 560, 480);
  script += "set title '" + s.factor + ": test accuracy difference from " + ref.name + " (pp), mean and 95 % interval'\n"
            "set style fill solid 0.55 border -1\nset boxwidth 0.6\nset xrange [-0.7:" + num(i - 0.3) + "]\n"
            "set xzeroaxis lt -1 lw 1.5\nset ylabel 'Δ test accuracy (percentage points)'\n"
            "set offsets 0, 0, graph 0.1, graph 0.1\nset key bmargin center horizontal maxcols 4 samplen 2\n";
  const std::string d = "'" + data_dir + "/factor-" + name + ".dat'";
  script += "plot " + d + " using 1:3:xtic(2) with boxes lc rgb '#6fa8dc' title 'mean Δ (this study)', " + d +
            " using 1:3:4 with yerrorbars pt -1 lw 1.5 lc rgb '#222222' title '95 % interval', '" + data_dir +
            "/factor-" + name + "-seeds.dat' using 1:2 with points pt 7 ps 0.7 lc rgb '#1f3f6f' title 'single runs'" +
            (r.word == "SE" ? ", " + d + " using 1:5 with points pt 6 ps 1.8 lw 2 lc rgb '#c0392b' title 'SE paper: Δ ImageNet top-1 acc.'" : std::string()) + "\n";
  std::string why;
  if (!run_gnuplot(script, &why)) {
    warnings->push_back("no " + png + ": " + why);
    return "";
  }
  return png;
}

std::string plot_curves(const StudyReport& r, const FactorSection& s, const std::string& data_dir,
                        std::vector<std::string>* warnings) {
  struct Series {
    std::string title, file;
    size_t epochs = 0;
  };
  std::vector<Series> series;
  const std::string& name = s.factor;
  auto add = [&](const std::string& title, const std::vector<size_t>& variants) {
    const auto acc = mean_curve(r, variants, &EpochMetrics::test_accuracy);
    const auto loss = mean_curve(r, variants, &EpochMetrics::train_loss);
    if (acc.empty()) return;
    std::string text = "# epoch  test_acc_%  train_loss (mean over finished seeds)\n";
    for (size_t e = 0; e < acc.size(); ++e) text += std::to_string(e + 1) + " " + num(100 * acc[e]) + " " + num(loss[e]) + "\n";
    const std::string file = data_dir + "/curves-" + name + "-" + std::to_string(series.size()) + ".dat";
    write_data(file, text);
    series.push_back({title, file, acc.size()});
  };
  const std::string no_attention = "no " + r.word;
  if (r.baseline) add(no_attention, {*r.baseline});
  for (const FactorGroup& g : s.groups) add(g.value + (g.is_default ? " (default)" : ""), g.variants);
  size_t epochs = 0;
  for (const Series& x : series) epochs = std::max(epochs, x.epochs);
  if (series.size() < 2 || epochs < 2) return "";  // one epoch has no curve
  const std::string png = "curves-" + name + ".png";
  std::string script = preamble(r.plan->dir + "/" + png, 1100, 440);
  script += "set multiplot layout 1,2 title '" + s.factor + ": training curves, mean over seeds'\nset xlabel 'epoch'\n" +
            (epochs <= 20 ? "set xtics 1\n" : "") + "set key bottom right\nset ylabel 'test accuracy (%)'\n";
  auto plot_column = [&](int column) {
    std::string plot = "plot ";
    for (size_t k = 0; k < series.size(); ++k) {
      const bool dashed = series[k].title == no_attention;
      plot += std::string(k ? ", " : "") + "'" + series[k].file + "' using 1:" + std::to_string(column) +
              " with linespoints lw 2 pt 7 ps 0.6 " + (dashed ? "dt 2 lc rgb '#555555'" : std::string("lc rgb '") +
              kColors[(k - (r.baseline ? 1 : 0)) % 8] + "'") + " title '" + series[k].title + "'";
    }
    return plot + "\n";
  };
  script += plot_column(2) + "set ylabel 'training loss'\nset key top right\n" + plot_column(3) + "unset multiplot\n";
  std::string why;
  if (!run_gnuplot(script, &why)) {
    warnings->push_back("no " + png + ": " + why);
    return "";
  }
  return png;
}

}  // namespace

PlotFiles write_report_plots(const StudyReport& r, std::vector<std::string>* warnings) {
  PlotFiles files;
  if (!gnuplot_available()) {
    warnings->push_back("no plots: gnuplot not found (apt-get install gnuplot-nox), then `excite ablate --report-only`");
    return files;
  }
  const std::string data_dir = r.plan->dir + "/plot-data";
  fs::create_directories(data_dir);
  const auto ref = reference(r);
  for (const FactorSection& s : r.factors) {
    const FactorSpec* spec = find_study_factor(s.factor);
    if (spec && spec->spec.initial.index() == OptionValue(int64_t{0}).index()) {
      const std::string versus = plot_versus(r, s, data_dir, warnings);
      if (!versus.empty()) files.versus.emplace_back(s.factor, versus);
    }
    if (ref) {
      const std::string bars = plot_factor_bars(r, s, *ref, data_dir, warnings);
      if (!bars.empty()) files.factors.emplace_back(s.factor, bars);
    }
    const std::string curves = plot_curves(r, s, data_dir, warnings);
    if (!curves.empty()) files.curves.emplace_back(s.factor, curves);
  }
  return files;
}

}  // namespace excite::apps
