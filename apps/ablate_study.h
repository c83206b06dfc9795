// apps/ablate_study.h — an SE ablation study: its config (JSON), its validation, and its plan (the
// variants and runs it stands for). Running the plan is apps/ablate_runner.h; the report,
// apps/report.h.
//
// A study file (configs/ablation-default.json is one):
//   {
//     "name": "se-ablation",                  optional; default: the file's stem
//     "description": "...",                   optional; free text, shown in the report
//     "out": "studies/se-ablation",           optional; default: studies/<name>
//     "mode": "one_factor",                   one_factor (the SE paper's) | grid
//     "seeds": 3,                             a count (seeds 1..N) or a list [1, 2, 5]
//     "jobs": 2,                              runs at once (see ablate_runner.h)
//     "base": { ...any train config keys... },   the default variant (must have SE)
//     "factors": {
//       "se": [false],                        adds the no-SE baseline
//       "reduction": [2, 4, 8, 16, 32],
//       "squeeze": ["avg", "max"],            avg | max | avgmax
//       "gate": ["sigmoid", "tanh", "relu"],  sigmoid | hard_sigmoid | tanh | relu
//       "se_position": ["standard", "pre", "post", "identity"],
//       "se_stages": [[1], [2], [3], []]      1-based stages carrying SE; [] = every stage
//     }
//   }
// one_factor: the default variant (base), plus each factor's values with every other factor at
// the base's setting (a value equal to the base's is the default variant itself).
// grid: the full product of the factors' values; the combinations with "se": false collapse into
// one no-SE baseline. Seeds, out, workers and threads of "base" are set per run by the study.
//
// Names are stable and readable: variants "default", "no-se", "reduction-8", "gate-tanh",
// "position-pre", "stages-1+2" (grid: "reduction-8_gate-tanh"); runs "<variant>_seed-<s>", each in
// <out>/runs/<run name>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/config.h"

namespace excite::apps {

struct StudyFactors {
  std::optional<std::vector<bool>> se;
  std::optional<std::vector<int>> reduction;
  std::optional<std::vector<std::string>> squeeze, gate, se_position;
  std::optional<std::vector<std::vector<int>>> se_stages;
};

struct StudyConfig {
  std::string name = "ablation-default";
  std::string description = "";
  std::string out = "";  // "": studies/<name>
  std::string mode = "one_factor";
  std::vector<uint64_t> seeds = {1, 2, 3};
  int jobs = 1;
  TrainConfig base;
  StudyFactors factors;
};

// The factor keys in their canonical (report) order.
const std::vector<std::string>& study_factor_names();

nlohmann::json to_json(const StudyConfig& study);
// Reads a study; unknown keys and wrong types are refused naming the key. `where` names the source.
StudyConfig study_from_json(const nlohmann::json& j, const std::string& where);
StudyConfig load_study_file(const std::string& path);  // name defaults to the file's stem
// The study shipped as configs/ablation-default.json (a test keeps the two equal).
StudyConfig default_study();
// Everything that changes results: not name, description, out, jobs, nor base.out/workers/threads/seed.
std::string study_fingerprint(const StudyConfig& study);
std::string study_output_dir(const StudyConfig& study);

struct Variant {
  std::string name;    // "default", "no-se", "reduction-8", ...
  std::string factor;  // one_factor: the factor varied ("" for the default); grid: ""
  ModelConfig model;   // the base's model with this variant's settings
};

struct PlannedRun {
  std::string name;    // "<variant>_seed-<s>"
  size_t variant = 0;  // index into Plan::variants
  uint64_t seed = 0;
  std::string dir;     // <out>/runs/<name>
  TrainConfig config;  // what `excite train` runs (threads set for the study's jobs)
};

struct Plan {
  StudyConfig study;
  std::string dir;  // the study's directory
  std::vector<Variant> variants;
  std::vector<PlannedRun> runs;  // seed-major: every variant's first seed before any second seed
  std::vector<std::string> warnings;  // e.g. two variants that build the same model
};

// Validates the study (every check before any run starts) and expands it; throws excite::Error
// with a message naming the factor and value at fault. `cores`: the machine's, for threads.
Plan make_plan(const StudyConfig& study, int cores);

// The values a study lists for a factor, as factor_value writes them (empty if it is not a factor).
std::vector<std::string> factor_values(const StudyFactors& factors, const std::string& factor);

// The value of `factor` in a model config, as it is written in names and reports ("8", "avg",
// "1+2", "all", "on"/"off").
std::string factor_value(const std::string& factor, const ModelConfig& model);

}  // namespace excite::apps
