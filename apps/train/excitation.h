// apps/train/excitation.h — the SE paper's "role of excitation" analysis (section 7.2, figs. 6-8):
// a trained model's gate values per class over a test split.
//
// analyze_excitation runs the loader through the model in eval mode without a graph, recording
// the gates of the chosen attention modules (default: the last block of each stage), and keeps,
// per block, per class and per channel, the mean and the standard deviation over images of the
// channel gate, the mean over all images, and for kinds with a spatial gate (CBAM) the mean map
// per class. write_excitation writes <dir>/excitation.json and <dir>/<block>.csv and, through
// gnuplot (apps/train/plot.h), <dir>/excitation.png (gate against channel index, one curve per
// class plus the all-class mean, one panel per block), <dir>/excitation_two_classes.png (mean ±
// std of two classes) and <dir>/<block>_spatial.png (the mean attention map per class).
// Leaves out: the paper's ImageNet class selection; any kind without a recorded gate.
#pragma once

#include <string>
#include <vector>

#include "data/loader.h"
#include "layers/attention.h"

namespace excite::apps {

struct BlockExcitation {
  std::string block;  // "layer3.0.se"
  int64_t channels = 0;
  std::vector<int64_t> images;                           // per class
  std::vector<std::vector<double>> mean, std;            // [class][channel], channel gate
  std::vector<double> all_mean;                          // [channel], over all images
  int64_t map_h = 0, map_w = 0;                          // spatial gate size (0: none)
  std::vector<std::vector<double>> spatial_mean;         // [class][h * w]
};

// The attention paths of the last block of each stage ("layer<s>.<last>.<child>").
std::vector<std::string> default_excitation_blocks(layers::Module& model);

std::vector<BlockExcitation> analyze_excitation(layers::Module& model, data::Loader& loader, int64_t classes,
                                                const std::vector<std::string>& blocks);

// Writes the CSV, JSON and (if gnuplot runs) PNG files; `plot_classes` picks the curves drawn
// (empty: all) and its first two the mean ± std figure. Returns a note when a plot failed, else "".
std::string write_excitation(const std::vector<BlockExcitation>& result, const std::vector<std::string>& class_names,
                             const std::vector<int64_t>& plot_classes, const std::string& dir);

}  // namespace excite::apps
