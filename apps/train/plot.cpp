#include "apps/train/plot.h"

#include <cstdio>
#include <cstdlib>

namespace excite::apps {

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

bool run_gnuplot(const std::string& script, std::string* why) {
  if (!gnuplot_available()) {
    if (why) *why = "gnuplot not found (apt-get install gnuplot-nox)";
    return false;
  }
  std::FILE* pipe = popen("gnuplot 2>/dev/null", "w");
  if (!pipe) {
    if (why) *why = "cannot start gnuplot";
    return false;
  }
  std::fwrite(script.data(), 1, script.size(), pipe);
  const int status = pclose(pipe);
  if (status != 0 && why) *why = "gnuplot exited with status " + std::to_string(status);
  return status == 0;
}

bool plot_training_curves(const std::string& run_dir, std::string* why) {
  const std::string csv = run_dir + "/metrics.csv";
  const std::string script =
      "set terminal pngcairo size 1100,420 font 'sans,10'\n"
      "set output '" + run_dir + "/curves.png'\n"
      "set datafile separator ','\n"
      "set key autotitle columnhead\n"
      "set multiplot layout 1,2\n"
      "set title 'loss'; set xlabel 'epoch'; set grid\n"
      "plot '" + csv + "' using 1:3 with linespoints title 'train', '' using 1:5 with linespoints title 'test'\n"
      "set title 'accuracy (%)'; set key bottom right\n"
      "plot '" + csv + "' using 1:($4*100) with linespoints title 'train', '' using 1:($6*100) with linespoints title 'test'\n"
      "unset multiplot\n";
  return run_gnuplot(script, why);
}

}  // namespace excite::apps
