// fuzz/fuzz_args.h — the fuzzer's bytes as a command line, for the targets of parsers that take
// their input as flags (the attention options, the Slurm flags, the export options): one argument
// per line, parsed by CLI11 exactly as `excite` parses them. CLI11 refusing the arguments (a
// CLI::ParseError, which also covers --help) is an expected answer, like excite::Error.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "apps/cli/flags.h"

namespace excite::fuzz {

// One argument per '\n'-separated line (a NUL stays inside the argument: CLI11 sees its bytes),
// at most 64 arguments.
inline std::vector<std::string> arguments(const uint8_t* data, size_t size) {
  std::vector<std::string> args(1);
  for (size_t i = 0; i < size && args.size() <= 64; ++i) {
    if (data[i] == '\n')
      args.emplace_back();
    else
      args.back() += static_cast<char>(data[i]);
  }
  if (args.size() > 64) args.pop_back();
  return args;
}

// Parses `args` as the arguments after the program name; false when CLI11 refuses them.
// A target keeps one App for the process (building one, with every setting's flag, costs more
// than parsing): CLI11's parse() clears the previous results first, and Overrides applies only
// the flags given this time, so a reused App answers as a new one does. Plain storage bound to a
// flag (a struct of options) keeps the last value given, so the target resets it before parsing.
inline bool parse(CLI::App& app, std::vector<std::string> args) {
  std::vector<char*> argv = {const_cast<char*>("excite")};
  for (std::string& a : args) argv.push_back(a.data());
  try {
    apps::parse_command_line(app, static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError&) {
    return false;
  }
  return true;
}

}  // namespace excite::fuzz
