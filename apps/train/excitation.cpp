#include "apps/train/excitation.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "apps/train/plot.h"
#include "core/error.h"

namespace excite::apps {

std::vector<std::string> default_excitation_blocks(layers::Module& model) {
  std::map<std::string, std::string> last;  // "layer3" -> its last block's attention path
  for (const layers::NamedAttention& a : layers::attention_modules(model))
    last[a.path.substr(0, a.path.find('.'))] = a.path;
  std::vector<std::string> out;
  for (const auto& [stage, path] : last) out.push_back(path);
  return out;
}

std::vector<BlockExcitation> analyze_excitation(layers::Module& model, data::Loader& loader, int64_t classes,
                                                const std::vector<std::string>& blocks) {
  std::vector<layers::AttentionModule*> modules;
  std::vector<BlockExcitation> out;
  const std::vector<layers::NamedAttention> found = layers::attention_modules(model);
  for (const std::string& b : blocks) {
    layers::AttentionModule* m = nullptr;
    std::string known;
    for (const layers::NamedAttention& a : found) {
      if (a.path == b) m = a.module;
      known += (known.empty() ? "" : ", ") + a.path;
    }
    EXCITE_CHECK(m, "--blocks: the model has no attention module '" << b << "' (it has: "
                                                                     << (known.empty() ? "none" : known) << ")");
    modules.push_back(m);
    BlockExcitation e;
    e.block = b;
    e.channels = m->channels();
    e.images.assign(static_cast<size_t>(classes), 0);
    e.mean.assign(static_cast<size_t>(classes), std::vector<double>(static_cast<size_t>(m->channels()), 0.0));
    e.std = e.mean;  // sums of squares until the end
    e.all_mean.assign(static_cast<size_t>(m->channels()), 0.0);
    out.push_back(std::move(e));
  }
  const bool was_training = model.is_training();
  model.eval();
  for (auto* m : modules) m->record_gates(true);
  NoGradGuard no_grad;
  int64_t total = 0;
  for (const data::Batch& batch : loader) {
    model(Variable(batch.images));
    for (size_t i = 0; i < modules.size(); ++i) {
      BlockExcitation& e = out[i];
      const Tensor& g = modules[i]->channel_gate();
      const Tensor& s = modules[i]->spatial_gate();
      EXCITE_CHECK(g.defined() || s.defined(), e.block << ": its attention records no gate");
      if (s.defined() && e.map_h == 0) {
        e.map_h = s.size(2), e.map_w = s.size(3);
        e.spatial_mean.assign(static_cast<size_t>(classes), std::vector<double>(static_cast<size_t>(e.map_h * e.map_w)));
      }
      for (size_t n = 0; n < batch.labels.size(); ++n) {
        const auto k = static_cast<size_t>(batch.labels[n]);
        if (i == 0) ++total;
        ++e.images[k];
        const int64_t row = static_cast<int64_t>(n);
        if (g.defined())
          for (int64_t c = 0; c < e.channels; ++c) {
            const double v = g[row * e.channels + c];
            e.mean[k][static_cast<size_t>(c)] += v;
            e.std[k][static_cast<size_t>(c)] += v * v;
            e.all_mean[static_cast<size_t>(c)] += v;
          }
        if (s.defined())
          for (int64_t p = 0; p < e.map_h * e.map_w; ++p) e.spatial_mean[k][static_cast<size_t>(p)] += s[row * e.map_h * e.map_w + p];
      }
    }
  }
  for (auto* m : modules) m->record_gates(false);
  model.train(was_training);
  for (BlockExcitation& e : out) {
    for (size_t k = 0; k < e.images.size(); ++k) {
      const double n = static_cast<double>(e.images[k]);
      for (size_t c = 0; c < e.mean[k].size(); ++c) {
        const double mean = n > 0 ? e.mean[k][c] / n : 0.0;
        e.std[k][c] = n > 0 ? std::sqrt(std::max(0.0, e.std[k][c] / n - mean * mean)) : 0.0;
        e.mean[k][c] = mean;
      }
      if (!e.spatial_mean.empty())
        for (double& v : e.spatial_mean[k]) v = n > 0 ? v / n : 0.0;
    }
    for (double& v : e.all_mean) v = total > 0 ? v / static_cast<double>(total) : 0.0;
  }
  return out;
}

namespace {

std::string file_stem(const std::string& block) {
  std::string s = block;
  for (char& c : s)
    if (c == '.') c = '_';
  return s;
}

}  // namespace

std::string write_excitation(const std::vector<BlockExcitation>& result, const std::vector<std::string>& names,
                             const std::vector<int64_t>& plot_classes, const std::string& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  nlohmann::json j = {{"classes", names}, {"blocks", nlohmann::json::array()}};
  for (const BlockExcitation& e : result) {
    std::ofstream csv(dir + "/" + file_stem(e.block) + ".csv");
    EXCITE_CHECK(csv, "--out: cannot write " << dir << "/" << file_stem(e.block) << ".csv");
    csv << "channel";
    for (const std::string& n : names) csv << "," << n << "_mean," << n << "_std";
    csv << ",all_mean\n";
    for (int64_t c = 0; c < e.channels; ++c) {
      csv << c;
      for (size_t k = 0; k < names.size(); ++k) csv << "," << e.mean[k][size_t(c)] << "," << e.std[k][size_t(c)];
      csv << "," << e.all_mean[size_t(c)] << "\n";
    }
    nlohmann::json b = {{"block", e.block}, {"channels", e.channels}, {"images", e.images},
                        {"mean", e.mean}, {"std", e.std}, {"all_mean", e.all_mean}};
    if (e.map_h) b["spatial"] = {{"height", e.map_h}, {"width", e.map_w}, {"mean", e.spatial_mean}};
    j["blocks"].push_back(b);
  }
  std::ofstream(dir + "/excitation.json") << j.dump(1) << "\n";
  if (!gnuplot_available()) return "gnuplot not found: no plots written";

  std::vector<int64_t> shown = plot_classes;
  if (shown.empty())
    for (int64_t k = 0; k < static_cast<int64_t>(names.size()); ++k) shown.push_back(k);
  std::string why, note;
  const std::string font = "set terminal pngcairo size " + std::to_string(420 * std::max<size_t>(1, result.size())) + ",420\n";
  std::string s = font + "set output '" + dir + "/excitation.png'\nset multiplot layout 1," +
                  std::to_string(std::max<size_t>(1, result.size())) + "\nset datafile separator ','\nset key below horizontal\n";
  for (const BlockExcitation& e : result) {
    const std::string csv = dir + "/" + file_stem(e.block) + ".csv";
    s += "set title '" + e.block + "'\nset xlabel 'channel index'\nset ylabel 'gate'\nset xrange [0:" +
         std::to_string(std::max<size_t>(1, e.all_mean.size()) - 1) + "]\nplot ";
    for (int64_t k : shown)
      s += "'" + csv + "' using 1:" + std::to_string(2 + 2 * k) + " with lines title '" + names[size_t(k)] + "', ";
    s += "'" + csv + "' using 1:" + std::to_string(2 + 2 * names.size()) + " with lines lw 3 lc 'black' title 'all'\n";
  }
  s += "unset multiplot\n";
  if (!run_gnuplot(s, &why)) note = why;
  if (shown.size() >= 2 && note.empty()) {
    std::string t = font + "set output '" + dir + "/excitation_two_classes.png'\nset multiplot layout 1," +
                    std::to_string(std::max<size_t>(1, result.size())) + "\nset datafile separator ','\nset key below horizontal\n";
    for (const BlockExcitation& e : result) {
      const std::string csv = dir + "/" + file_stem(e.block) + ".csv";
      t += "set title '" + e.block + " (mean +- std)'\nplot ";
      for (int i = 0; i < 2; ++i) {
        const int64_t k = shown[size_t(i)];
        t += "'" + csv + "' using 1:" + std::to_string(2 + 2 * k) + ":" + std::to_string(3 + 2 * k) +
             " with yerrorlines title '" + names[size_t(k)] + "'" + (i == 0 ? ", " : "\n");
      }
    }
    t += "unset multiplot\n";
    if (!run_gnuplot(t, &why)) note = why;
  }
  for (const BlockExcitation& e : result) {
    if (!e.map_h || !note.empty()) continue;
    const std::string dat = dir + "/" + file_stem(e.block) + "_spatial.dat";
    std::ofstream d(dat);
    for (size_t k = 0; k < names.size(); ++k) {
      for (int64_t y = 0; y < e.map_h; ++y) {
        for (int64_t x = 0; x < e.map_w; ++x) d << (x ? " " : "") << e.spatial_mean[k][size_t(y * e.map_w + x)];
        d << "\n";
      }
      d << "\n\n";
    }
    d.close();
    std::string m = "set terminal pngcairo size " + std::to_string(220 * names.size()) + ",240\nset output '" + dir +
                    "/" + file_stem(e.block) + "_spatial.png'\nset multiplot layout 1," + std::to_string(names.size()) +
                    "\nunset key\nunset colorbox\nset yrange [] reverse\n";
    for (size_t k = 0; k < names.size(); ++k)
      m += "set title '" + names[k] + "'\nplot '" + dat + "' index " + std::to_string(k) + " matrix with image\n";
    m += "unset multiplot\n";
    if (!run_gnuplot(m, &why)) note = why;
  }
  return note;
}

}  // namespace excite::apps
