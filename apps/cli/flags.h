// apps/cli/flags.h — the command line, made from the settings table: one flag per setting of
// TrainConfig (apps/train/config.h), of the model (layers/zoo.h) and of every attention kind's
// options (layers/attention.h), named by the one rule (key "batch_size" <-> --batch-size), with
// the older spellings as aliases (--batch). A bool setting has --key and --no-key. A new
// attention kind's options become flags here without an edit.
//
// Flags override the config file: each flag writes into its own storage, and only the flags the
// user gave are applied on top of defaults + file (Overrides::apply). Values are checked once,
// where the config is (validated(), and the vocabulary tables for enumerated settings: a bad
// value is one line naming the flag); CLI11 only parses numbers and lists.
// --no-se is the older spelling of --attention none.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "apps/train/config.h"

namespace excite::apps {

enum class FlagGroup { Data, Model, Training };

class Overrides {
 public:
  void add(CLI::App& app, FlagGroup group);
  void apply(TrainConfig& c) const;

 private:
  template <typename Visit>
  void add_settings(CLI::App& app, Visit visit);
  void add_attention_options(CLI::App& app);

  std::shared_ptr<TrainConfig> given_ = std::make_shared<TrainConfig>();  // where CLI11 writes
  std::vector<std::function<void(TrainConfig&)>> apply_;
};

// --dataset, --data-dir, --val-dir, --input-size, --limit-train, --limit-test, --workers
inline void add_data_flags(CLI::App& app, Overrides& o) { o.add(app, FlagGroup::Data); }
// --arch, --num-classes, --in-channels, --attention, --position, --stages, --zero-init-residual,
// every attention kind's options (--reduction, --squeeze, ...), --no-se
inline void add_model_flags(CLI::App& app, Overrides& o) { o.add(app, FlagGroup::Model); }
// --epochs, --batch-size, --optimizer, --lr, ..., --threads, --seed, --out
inline void add_train_flags(CLI::App& app, Overrides& o) { o.add(app, FlagGroup::Training); }

// app.parse(argc, argv), every refusal a CLI::ParseError. CLI11 2.1 lets std::stoll's
// std::out_of_range escape its parse for `--no-bias=99999999999999999999` (it catches only
// invalid_argument there), which ended excite in std::terminate; found by fuzz_attention.
void parse_command_line(CLI::App& app, int argc, const char* const* argv);

}  // namespace excite::apps
