// excite — train, study and benchmark SE networks. See `excite --help` and the README.
//
// Errors: any bad flag, value or file gives one line on stderr and exit status 2.
#include <cstdio>
#include <map>
#include <string>

#include "apps/cli/commands.h"
#include "apps/cli/flags.h"
#include "apps/cli/thread_waiting.h"
#include "core/error.h"

// The message on one line: errors that list details (load_state_dict's missing keys) carry them
// on further lines, folded in here with "; ", and a very long message is cut short.
static std::string one_line(const char* message) {
  std::string line;
  for (const char* p = message; *p != '\0'; ++p) {
    if (*p != '\n') {
      line += *p;
      continue;
    }
    while (p[1] == ' ') ++p;
    if (!line.empty() && p[1] != '\0') line += line.back() == ':' ? " " : "; ";
  }
  constexpr size_t kMax = 600;
  if (line.size() > kMax) line = line.substr(0, kMax) + " ... (" + std::to_string(line.size() - kMax) + " more characters)";
  return line;
}

int main(int argc, char** argv) {
  excite::apps::choose_thread_waiting(argv);  // may re-execute once, see apps/cli/thread_waiting.h
  CLI::App app{"excite: train, study and benchmark Squeeze-and-Excitation networks"};
  app.require_subcommand(1);
  std::map<CLI::App*, excite::apps::Command> commands;
  auto add = [&](const char* name, const char* help, auto adder) {
    CLI::App* sub = app.add_subcommand(name, help);
    commands[sub] = adder(*sub);
  };
  add("train", "train a model (no flags: SE-ResNet on Fashion-MNIST)", excite::apps::add_train_command);
  add("eval", "evaluate saved weights on a test split", excite::apps::add_eval_command);
  add("summary", "layers, parameters and multiply-adds of a model", excite::apps::add_summary_command);
  add("predict", "run saved weights on images or an .npy array", excite::apps::add_predict_command);
  add("export", "a trained model (weights or a run directory) to an ONNX file", excite::apps::add_export_command);
  add("bench", "training and inference speed of a model", excite::apps::add_bench_command);
  add("ablate", "an ablation study: many runs, one report (no flags: the default SE study)",
      excite::apps::add_ablate_command);
  add("analyze", "the excitation analysis of a trained model: gate values per class and channel",
      excite::apps::add_analyze_command);
  try {
    excite::apps::parse_command_line(app, argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "excite: error: %s (see excite --help)\n", e.what());
    return 2;
  }
  try {
    for (auto& [sub, run] : commands)
      if (sub->parsed()) return run();
  } catch (const excite::Error& e) {
    std::fprintf(stderr, "excite: error: %s\n", one_line(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "excite: internal error: %s\n", one_line(e.what()).c_str());
    return 1;
  }
  return 0;
}
