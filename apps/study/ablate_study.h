// apps/study/ablate_study.h — an ablation study: its config (JSON), its validation, and its plan
// (the variants and runs it stands for). Running the plan is apps/study/ablate_runner.h; the
// report, apps/study/report.h.
//
// A study file (configs/ablation-default.json is one):
//   {
//     "name": "se-ablation",                  optional; default: the file's stem
//     "description": "...",                   optional; free text, shown in the report
//     "out": "studies/se-ablation",           optional; default: studies/<name>
//     "mode": "one_factor",                   one_factor (the SE paper's) | grid
//     "seeds": 3,                             a count (seeds 1..N) or a list [1, 2, 5]
//     "jobs": 2,                              runs at once (see ablate_runner.h)
//     "base": { ...any train config keys... },   the default variant (must have attention)
//     "factors": {
//       "attention": ["none"],                adds the baseline without attention
//       "reduction": [2, 4, 8, 16, 32],       an option of the base's attention kind
//       "squeeze": ["avg", "max"],            avg | max | avgmax
//       "gate": ["sigmoid", "tanh", "relu"],  sigmoid | hard_sigmoid | tanh | relu
//       "position": ["standard", "pre", "post", "identity"],
//       "stages": [[1], [2], [3], []]         1-based stages carrying attention; [] = every stage
//     }
//   }
// The factors are what the model and the attention kinds declare (Setting::factor): attention,
// position and stages for every kind (layers/zoo.h), and each kind's own (SE: reduction, squeeze,
// gate; layers/se.h); study_factors() lists them, a new kind's come with it. The older names
// "se": [false] (attention none), "se_position" and "se_stages" are still read.
// one_factor: the default variant (base), plus each factor's values with every other factor at
// the base's setting (a value equal to the base's is the default variant itself).
// grid: the full product of the factors' values; the combinations without attention collapse
// into one baseline, and an option a combination's kind does not take is left out of it.
// Seeds, out, workers and threads of "base" are set per run by the study.
//
// Names are stable and readable: variants "default", "no-se" (the baseline without attention),
// "reduction-8", "gate-tanh", "position-pre", "stages-1+2", "attention-eca" (grid:
// "reduction-8_gate-tanh"); runs "<variant>_seed-<s>", each in <out>/runs/<run name>.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apps/train/config.h"

namespace excite::apps {

enum class StudyMode { OneFactor, Grid };

// The most runs a study may plan (seeds x variants): far above any study a machine finishes, low
// enough that a typo ("seeds": 1e9, a grid of many long lists) is refused before it is expanded.
constexpr size_t kMaxStudyRuns = 100000;

// Factor name -> the values the study lists (in its order).
using StudyFactors = std::map<std::string, std::vector<OptionValue>>;

struct StudyConfig {
  std::string name = "ablation-default";
  std::string description = "";
  std::string out = "";  // "": studies/<name>
  StudyMode mode = StudyMode::OneFactor;
  std::vector<uint64_t> seeds = {1, 2, 3};
  int jobs = 1;
  TrainConfig base;
  StudyFactors factors;
};

// A factor a study may vary: its spec (type, rule, choices) and whose it is.
struct FactorSpec {
  OptionSpec spec;
  bool attention_option = false;   // an option of some attention kinds (else a model setting)
  std::vector<std::string> kinds;  // attention_option: the kinds that take it
};
// Every factor, in canonical (report) order: attention, the kinds' options in registry order,
// then position and stages.
const std::vector<FactorSpec>& study_factors();
std::vector<std::string> study_factor_names();
const FactorSpec* find_study_factor(const std::string& name);  // by name or older name; nullptr if none

nlohmann::json to_json(const StudyConfig& study);
// Reads a study; unknown keys and wrong types are refused naming the key. `where` names the source.
StudyConfig study_from_json(const nlohmann::json& j, const std::string& where);
StudyConfig load_study_file(const std::string& path);  // name defaults to the file's stem
// The study shipped as configs/ablation-default.json (a test keeps the two equal).
StudyConfig default_study();
// Everything that changes results: not name, description, out, jobs, nor base.out/workers/threads/seed
// (and the base's model as completed, so that a study file and its study.json agree).
std::string study_fingerprint(const StudyConfig& study);
std::string study_output_dir(const StudyConfig& study);

struct Variant {
  std::string name;            // "default", "no-se", "reduction-8", ...
  std::string factor;          // one_factor: the factor varied ("" for the default); grid: ""
  layers::ModelOptions model;  // the base's model with this variant's settings, completed
};

struct PlannedRun {
  std::string name;    // "<variant>_seed-<s>"
  size_t variant = 0;  // index into Plan::variants
  uint64_t seed = 0;
  std::string dir;     // <out>/runs/<name>
  TrainConfig config;  // what `excite train` runs (threads set for the study's jobs)
};

struct Plan {
  StudyConfig study;  // base validated (its model completed)
  std::string dir;    // the study's directory
  std::vector<Variant> variants;
  std::vector<PlannedRun> runs;  // seed-major: every variant's first seed before any second seed
  std::vector<std::string> warnings;  // e.g. two variants that build the same model
};

// Validates the study (every check before any run starts) and expands it; throws excite::Error
// with a message naming the factor and value at fault. `cores`: the machine's, for threads.
Plan make_plan(const StudyConfig& study, int cores);

// The labels of the values a study lists for a factor (empty if it is not one of its factors).
std::vector<std::string> factor_values(const StudyFactors& factors, const std::string& factor);

// The value of `factor` in a model as names and reports write it ("8", "avg", "1+2", "all",
// "none"); "" when the model's attention kind does not take that option.
std::string factor_value(const std::string& factor, const layers::ModelOptions& model);
// What a study calls its attention: the label of its one kind ("SE"), else "attention".
std::string attention_word(const Plan& plan);

}  // namespace excite::apps

namespace excite {
template <>
struct Vocabulary<apps::StudyMode> {
  static constexpr const char* what = "study mode";
  static constexpr std::pair<apps::StudyMode, const char*> names[] = {{apps::StudyMode::OneFactor, "one_factor"},
                                                                      {apps::StudyMode::Grid, "grid"}};
};
}  // namespace excite
