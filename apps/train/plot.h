// apps/train/plot.h — PNG plots through gnuplot (Debian's gnuplot-nox), never a hand-written rasteriser.
//
// plot_training_curves writes <run_dir>/curves.png: loss (train, test) and accuracy (train, test)
// per epoch, read from metrics.csv. Plotting is a courtesy: if gnuplot is missing or fails, the
// functions return false and say why in *why; training results are never lost over a plot.
#pragma once

#include <string>

namespace excite::apps {

bool gnuplot_available();
// Runs a gnuplot script; false (with the reason) on failure.
bool run_gnuplot(const std::string& script, std::string* why);
bool plot_training_curves(const std::string& run_dir, std::string* why);

}  // namespace excite::apps
