// apps/cli/command_summary.cpp — `excite summary`: a model's layers, output shapes, parameters and
// multiply-adds, and what its attention costs against the same model without it (any kind: the
// kind's label names it, "SE" for se).
#include <cstdio>
#include <set>
#include <vector>
#include <nlohmann/json.hpp>

#include "apps/cli/flags.h"
#include "apps/cli/commands.h"
#include "apps/train/model_factory.h"
#include "apps/train/progress.h"
#include "layers/attention.h"
#include "layers/profile.h"

namespace excite::apps {

namespace {

std::string human(int64_t n) {
  char buf[32];
  if (n >= 1000000000) std::snprintf(buf, sizeof buf, "%.2f G", static_cast<double>(n) / 1e9);
  else if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.2f M", static_cast<double>(n) / 1e6);
  else if (n >= 1000) std::snprintf(buf, sizeof buf, "%.1f k", static_cast<double>(n) / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  return buf;
}

// Each attention module's parameters and multiply-adds (its rows of the profile), per block.
struct BlockCost {
  std::string path;
  int64_t params = 0, macs = 0;
};
std::vector<BlockCost> attention_costs(layers::Module& model, const layers::Profile& p) {
  std::vector<BlockCost> out;
  for (const layers::NamedAttention& a : layers::attention_modules(model)) {
    BlockCost c{.path = a.path};
    std::set<std::string> seen;  // a module called twice (CBAM's MLP on avg and max) has two rows, one set of weights
    for (const auto& l : p.layers)
      if (l.name == a.path || l.name.rfind(a.path + ".", 0) == 0) {
        if (seen.insert(l.name).second) c.params += l.params;
        c.macs += l.macs;
      }
    out.push_back(c);
  }
  return out;
}

}  // namespace

Command add_summary_command(CLI::App& app) {
  auto overrides = std::make_shared<Overrides>();
  auto size = std::make_shared<std::vector<int>>();
  auto json = std::make_shared<bool>(false);
  auto all = std::make_shared<bool>(false);
  add_model_flags(app, *overrides);
  app.add_option("--input-size", *size, "input height and width (default: 32 32 for CIFAR models, 224 224 otherwise)")
      ->expected(2);
  app.add_flag("--json", *json, "print one JSON document");
  app.add_flag("--all", *all, "list every module, not just the leaves");
  return [overrides, size, json, all] {
    TrainConfig config;
    config.model.arch = "seresnet20";
    overrides->apply(config);
    const layers::ModelOptions m = validated(config).model;
    const bool attention = m.attention.kind != "none";
    const std::string word = layers::attention_kind(m.attention.kind).label();
    const bool cifar_style = is_cifar_style(m);
    const int64_t H = size->empty() ? (cifar_style ? 32 : 224) : (*size)[0];
    const int64_t W = size->empty() ? H : (*size)[1];
    const int64_t C = m.in_channels > 0 ? m.in_channels : 3;
    const int64_t K = m.num_classes > 0 ? m.num_classes : (cifar_style ? 10 : 1000);
    layers::ModulePtr model = build_model(m, C, K);
    const layers::Profile p = layers::profile(*model, {1, C, H, W});
    layers::ModulePtr baseline = build_model(without_attention(m), C, K);
    const layers::Profile b = layers::profile(*baseline, {1, C, H, W});
    const double se_params = p.params - b.params, se_macs = static_cast<double>(p.macs - b.macs);
    const std::vector<BlockCost> blocks = attention_costs(*model, p);

    if (*json) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& l : p.layers)
        rows.push_back({{"name", l.name}, {"type", l.type}, {"output", l.output.dims()}, {"params", l.params},
                        {"macs", l.macs}});
      // se_params_percent / se_macs_percent: the attention's overhead, whatever its kind (the
      // names are from when SE was the only one).
      nlohmann::json j = {{"arch", m.arch}, {"se", m.attention.kind == "se"}, {"attention", m.attention.kind},
                          {"input", {1, C, H, W}}, {"num_classes", K},
                          {"params", p.params}, {"macs", p.macs}, {"layers", rows},
                          {"baseline_params", b.params}, {"baseline_macs", b.macs},
                          {"se_params_percent", b.params ? 100.0 * se_params / b.params : 0.0},
                          {"se_macs_percent", b.macs ? 100.0 * se_macs / static_cast<double>(b.macs) : 0.0}};
      nlohmann::json per_block = nlohmann::json::array();
      for (const BlockCost& c : blocks) per_block.push_back({{"block", c.path}, {"params", c.params}, {"macs", c.macs}});
      j["attention_blocks"] = per_block;
      std::printf("%s\n", j.dump(2).c_str());
      return 0;
    }
    std::printf("%s%s, input [1, %lld, %lld, %lld], %lld classes\n\n", attention_note(m).c_str(), m.arch.c_str(),
                static_cast<long long>(C), static_cast<long long>(H), static_cast<long long>(W), static_cast<long long>(K));
    std::printf("%-36s %-18s %-20s %12s %12s\n", "layer", "type", "output", "params", "mult-adds");
    for (const auto& l : p.layers) {
      if (l.name.empty() || (!*all && !l.leaf && l.params == 0 && l.macs == 0)) continue;
      std::printf("%-36s %-18s %-20s %12s %12s\n", l.name.c_str(), l.type.c_str(), l.output.str().c_str(),
                  l.params ? with_commas(l.params).c_str() : "-", l.macs ? human(l.macs).c_str() : "-");
    }
    std::printf("\ntotal: %s parameters, %s multiply-adds per image\n", with_commas(p.params).c_str(), human(p.macs).c_str());
    if (!blocks.empty()) {
      std::printf("\n%s per block:\n%-36s %12s %12s\n", word.c_str(), "block", "params", "mult-adds");
      for (const BlockCost& c : blocks)
        std::printf("%-36s %12s %12s\n", c.path.c_str(), with_commas(c.params).c_str(), human(c.macs).c_str());
    }
    if (attention)
      std::printf("%s overhead vs the same model without %s: +%s parameters (+%.2f%%), +%s multiply-adds (+%.3f%%)\n",
                  word.c_str(), word.c_str(), with_commas(static_cast<int64_t>(se_params)).c_str(), b.params ? 100.0 * se_params / b.params : 0.0,
                  human(static_cast<int64_t>(se_macs)).c_str(), b.macs ? 100.0 * se_macs / static_cast<double>(b.macs) : 0.0);
    return 0;
  };
}

}  // namespace excite::apps
