// apps/cli.h — the command-line flags shared by the subcommands, bound to TrainConfig fields.
//
// Flags override the config file: each flag writes into its own storage, and only the flags the
// user actually gave are applied on top of defaults + file (Overrides::apply). The SE flags
// (--reduction, --min-channels, --squeeze, --gate, --se-bias, --se-position, --se-stages,
// --no-se) are the same wherever a model is built.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

#include "apps/config.h"

namespace excite::apps {

class Overrides {
 public:
  template <typename T>
  CLI::Option* bind(CLI::App& app, const std::string& flag, std::function<T&(TrainConfig&)> field,
                    const std::string& help) {
    auto value = std::make_shared<T>();
    CLI::Option* option = app.add_option(flag, *value, help);
    apply_.push_back([option, value, field](TrainConfig& c) {
      if (option->count() > 0) field(c) = *value;
    });
    return option;
  }
  CLI::Option* bind_flag(CLI::App& app, const std::string& flag, std::function<void(TrainConfig&)> set,
                         const std::string& help);
  void apply(TrainConfig& c) const {
    for (const auto& f : apply_) f(c);
  }

 private:
  std::vector<std::function<void(TrainConfig&)>> apply_;
};

void add_model_flags(CLI::App& app, Overrides& o);  // --arch, --num-classes, --in-channels, SE flags
void add_data_flags(CLI::App& app, Overrides& o);   // --dataset, --data, --val-data, --input-size, ...
void add_train_flags(CLI::App& app, Overrides& o);  // --epochs, --batch, --lr, ..., --out

}  // namespace excite::apps
