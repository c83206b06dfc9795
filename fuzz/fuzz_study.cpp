// fuzz/fuzz_study.cpp — a study file (apps/study/ablate_study.h): JSON, study_from_json (unknown
// keys, wrong types, factors of every attention kind, the older names), make_plan (every check a
// study makes before its first run: a factor value its kind does not take, variants without
// attention options, seeds, jobs), and the round trip: the study written as JSON reads back with
// the same fingerprint and plans the same runs.
#include <nlohmann/json.hpp>

#include "apps/study/ablate_study.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace excite::apps;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return 0;  // not JSON: load_json_file's one-line error, fuzzed by fuzz_config
  }
  try {
    const StudyConfig study = study_from_json(j, "study.json");
    if (study.seeds.size() * (study.factors.size() + 1) > 4096) return 0;  // keep an execution fast
    // The plan runs each variant once on the dataset's input (an image folder's: input_size
    // squared); a huge crop is a slow forward pass, not a parser's case.
    if (study.base.dataset == Dataset::Folder && study.base.input_size > 64) return 0;
    const Plan plan = make_plan(study, 2);
    const StudyConfig again = study_from_json(to_json(study), "round-trip");
    if (study_fingerprint(again) != study_fingerprint(study)) __builtin_trap();
    if (make_plan(again, 2).runs.size() != plan.runs.size()) __builtin_trap();
  } catch (const excite::Error&) {
  }
  return 0;
}
