// apps/cli/commands.h — the subcommands of `excite`. Each add_* registers its flags on the app and
// returns the function that runs it once the command line is parsed (and returns the exit code).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace excite::apps {

using Command = std::function<int()>;

Command add_train_command(CLI::App& app);    // excite train
Command add_eval_command(CLI::App& app);     // excite eval
Command add_summary_command(CLI::App& app);  // excite summary
Command add_predict_command(CLI::App& app);  // excite predict
Command add_bench_command(CLI::App& app);    // excite bench
Command add_ablate_command(CLI::App& app);   // excite ablate
Command add_analyze_command(CLI::App& app);  // excite analyze
Command add_export_command(CLI::App& app);   // excite export

}  // namespace excite::apps
