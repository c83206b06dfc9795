// Ablation studies without training: the study format, one-factor and grid expansion, names,
// threads per job, the fingerprint, the shipped configs, and every validation error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "apps/study/ablate_runner.h"
#include "apps/study/ablate_study.h"
#include "fixtures.h"

using namespace excite;
using namespace excite::apps;

namespace {

StudyConfig small_study() {
  StudyConfig s;
  s.name = std::string("t");  // not = "t": gcc 12 -O3 warns falsely there (-Wrestrict)
  s.out = "/tmp/unused";
  s.base.model.attention.options.set("min_channels", int64_t{1});
  s.seeds = {1, 2};
  s.factors["attention"] = {"none"};
  s.factors["reduction"] = {int64_t{4}, int64_t{16}};
  s.factors["gate"] = {"sigmoid", "tanh"};
  return s;
}

std::vector<std::string> variant_names(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& v : p.variants) out.push_back(v.name);
  return out;
}

StudyConfig parse(const std::string& text) { return study_from_json(nlohmann::json::parse(text), "test"); }

}  // namespace

TEST_CASE("a factor two kinds share is one factor listing both: gate is SE's, ECA's, CBAM's and GE's", "[ablate]") {
  // Failed under ASan before Setting's keys were strings: the kinds' "gate" literals were not
  // merged there, their pointers differed, and SE's gate was listed apart from ECA's.
  for (const layers::AttentionKind* kind : layers::attention_kinds())
    for (const OptionSpec& own : kind->factors()) {
      const FactorSpec* f = find_study_factor(own.setting.key);
      REQUIRE(f != nullptr);
      CHECK(std::count(f->kinds.begin(), f->kinds.end(), kind->name()) == 1);
    }
  std::set<std::string> keys;
  for (const FactorSpec& f : study_factors()) CHECK(keys.insert(f.spec.setting.key).second);
  const FactorSpec* gate = find_study_factor("gate");
  REQUIRE(gate != nullptr);
  CHECK(gate->kinds == std::vector<std::string>{"se", "eca", "cbam", "cbam-channel", "cbam-spatial", "ge"});
}

TEST_CASE("one_factor: the default, the baseline, each value with the rest at the default - seed-major runs", "[ablate]") {
  const Plan p = make_plan(small_study(), 2);
  CHECK(variant_names(p) == std::vector<std::string>{"default", "no-se", "reduction-4", "gate-tanh"});
  CHECK(p.variants[1].model.attention.kind == "none");
  CHECK(p.variants[1].model.attention.options.empty());
  CHECK(p.variants[2].model.attention.options.at("reduction") == OptionValue(int64_t{4}));
  CHECK(p.variants[2].factor == "reduction");
  CHECK(p.variants[3].model.attention.options.at("gate") == OptionValue("tanh"));
  CHECK(p.variants[3].model.attention.options.at("reduction") == OptionValue(int64_t{16}));
  REQUIRE(p.runs.size() == 8);
  CHECK(p.runs[0].name == "default_seed-1");
  CHECK(p.runs[3].name == "gate-tanh_seed-1");
  CHECK(p.runs[4].name == "default_seed-2");
  CHECK(p.runs[5].dir == "/tmp/unused/runs/no-se_seed-2");
  CHECK(p.runs[5].config.seed == 2);
  CHECK(p.runs[5].config.out == p.runs[5].dir);
  CHECK(p.runs[5].config.model.attention.kind == "none");
}

TEST_CASE("grid: the full product, every no-SE combination collapsed into one baseline", "[ablate]") {
  StudyConfig s = small_study();
  s.mode = StudyMode::Grid;
  s.factors["attention"] = {"se", "none"};
  s.factors["stages"] = {std::vector<int64_t>{2, 1}, std::vector<int64_t>{}};
  const Plan p = make_plan(s, 2);
  // 2 reductions x 2 gates x 2 stage sets with SE, plus one no-SE
  REQUIRE(p.variants.size() == 9);
  const std::vector<std::string> names = variant_names(p);
  CHECK(names[0] == "reduction-4_gate-sigmoid_stages-1+2");
  CHECK(names[1] == "reduction-4_gate-sigmoid_stages-all");
  CHECK(std::count(names.begin(), names.end(), "no-se") == 1);
  CHECK(p.variants[0].model.stages == std::vector<int64_t>{1, 2});
  CHECK(p.runs.size() == 18);
}

TEST_CASE("jobs divide the cores: threads = max(1, cores / jobs), unless the base sets threads", "[ablate]") {
  StudyConfig s = small_study();
  s.jobs = 2;
  CHECK(make_plan(s, 2).runs[0].config.threads == 1);
  CHECK(make_plan(s, 8).runs[0].config.threads == 4);
  s.jobs = 3;
  CHECK(make_plan(s, 2).runs[0].config.threads == 1);
  s.base.threads = 2;
  CHECK(make_plan(s, 8).runs[0].config.threads == 2);
}

TEST_CASE("study files: seeds as a count or a list, unknown keys and factors refused, round trip", "[ablate]") {
  const StudyConfig s = parse(R"({"seeds": 3, "mode": "grid", "jobs": 2, "base": {"epochs": 2, "model": {"arch": "seresnet20"}},
                                  "factors": {"reduction": [4, 8], "se_stages": [[1], []], "se": [false]}})");
  CHECK(s.seeds == std::vector<uint64_t>{1, 2, 3});
  CHECK(s.base.epochs == 2);
  CHECK(s.base.model.arch == "seresnet20");
  CHECK(s.factors.at("reduction") == std::vector<OptionValue>{int64_t{4}, int64_t{8}});
  CHECK(s.factors.at("stages") == std::vector<OptionValue>{std::vector<int64_t>{1}, std::vector<int64_t>{}});  // se_stages
  CHECK(s.factors.at("attention") == std::vector<OptionValue>{"none"});  // "se": [false]
  CHECK(parse(R"({"seeds": [5, 7]})").seeds == std::vector<uint64_t>{5, 7});
  const StudyConfig back = study_from_json(to_json(s), "round trip");
  CHECK(to_json(back) == to_json(s));
  CHECK_THROWS_WITH(parse(R"({"factors": {"depth": [1]}})"), Catch::Contains("unknown factor 'depth'"));
  CHECK_THROWS_WITH(parse(R"({"factor": {}})"), Catch::Contains("unknown key 'factor'"));
  CHECK_THROWS_WITH(parse(R"({"base": {"epoch": 3}})"), Catch::Contains("unknown key 'epoch'"));
  CHECK_THROWS_WITH(parse(R"({"seeds": 0})"), Catch::Contains("at least 1 seed"));
  // A huge count is refused before a list of that many seeds is made (fuzz/fuzz_study.cpp checks it).
  CHECK_THROWS_WITH(parse(R"({"seeds": 1000000000000})"), Catch::Contains("more than a study may run"));
  CHECK_THROWS_WITH(parse(R"({"factors": {"reduction": ["8"]}})"), Catch::Contains("'reduction' must be an integer"));
  CHECK_THROWS_WITH(parse(R"({"factors": {"se_stages": [1, 2]}})"), Catch::Contains("'stages' must be a list of integers"));
  CHECK_THROWS_WITH(parse(R"({"mode": "random"})"), Catch::Contains("unknown study mode 'random'"));
}

TEST_CASE("invalid studies are refused before any run, naming the factor and value", "[ablate]") {
  auto refused = [](StudyConfig s, const std::string& message) {
    INFO(message);
    CHECK_THROWS_WITH(make_plan(s, 2), Catch::Contains(message));
  };
  StudyConfig s = small_study();
  s.factors["squeeze"] = {"mean"};
  refused(s, "factor 'squeeze': unknown value 'mean'");
  s = small_study();
  s.factors["gate"] = {"swish"};
  refused(s, "unknown value 'swish'");
  s = small_study();
  s.factors["position"] = {"inside"};
  refused(s, "unknown value 'inside'");
  s = small_study();
  s.factors["attention"] = {"cbam-2"};
  refused(s, "factor 'attention': unknown value 'cbam-2' (known: se, none, eca, cbam, cbam-channel, cbam-spatial, ge)");
  s = small_study();
  s.factors["reduction"] = {int64_t{0}, int64_t{4}};
  refused(s, "factor 'reduction': 0 is not allowed (at least 1)");
  s = small_study();
  s.factors["reduction"] = {int64_t{17}};  // seresnet8's first stage has 16 channels
  refused(s, "reduction 17 is larger than the 16 channels");
  refused(s, "(layer1.0.se in seresnet8, its narrowest SE module)");
  s = small_study();
  s.factors["gate"] = {};
  refused(s, "factor 'gate' has no values, so the study is empty");
  s = small_study();
  s.factors["depth"] = {int64_t{3}};
  refused(s, "unknown factor 'depth'");
  s = small_study();
  s.factors = {};
  refused(s, "no factors");
  s = small_study();
  s.seeds = {};
  refused(s, "'seeds' is empty");
  s = small_study();
  s.seeds = {1, 1};
  refused(s, "lists a seed twice");
  s = small_study();
  s.jobs = 0;
  refused(s, "jobs must be at least 1");
  s = small_study();
  s.factors["reduction"] = {int64_t{8}, int64_t{8}};
  refused(s, "lists 8 twice");
  s = small_study();
  s.factors["stages"] = {std::vector<int64_t>{4}};
  refused(s, "attention stage 4 does not exist (stages are 1 to 3");
  s = small_study();
  s.factors["stages"] = {std::vector<int64_t>{2, 2}};
  refused(s, "name stage 2 twice");
  s = small_study();
  s.base.model.arch = "resnet8";
  s.base.model.attention.options = {};
  refused(s, "the base model must have attention");
  s = small_study();
  s.base.model.attention = {.kind = "none"};
  refused(s, "the base model must have attention");
  s = small_study();
  s.base.model.arch = "resnet8";  // attention none, which takes no option min_channels
  refused(s, "attention 'none' takes no option 'min_channels'");
  s = small_study();
  s.base.epochs = 0;
  refused(s, "epochs must be at least 1");
  // A grid is bounded before it is expanded: 5 factors of many values multiply past the limit.
  s = small_study();
  s.mode = excite::apps::StudyMode::Grid;
  for (const char* f : {"reduction", "squeeze", "gate", "position", "stages"}) s.factors.erase(f);
  for (int64_t r = 1; r <= 16; ++r) s.factors["reduction"].push_back(r);
  s.factors["squeeze"] = {"avg", "max", "avgmax"};
  s.factors["gate"] = {"sigmoid", "hard_sigmoid", "tanh", "relu"};
  s.factors["position"] = {"standard", "pre", "post", "identity"};
  std::vector<OptionValue> stages;
  for (std::vector<int64_t> st : {std::vector<int64_t>{1}, {2}, {3}, {1, 2}, {1, 3}, {2, 3}, {}}) stages.push_back(st);
  s.factors["stages"] = stages;
  s.seeds.clear();
  for (uint64_t seed = 1; seed <= 20; ++seed) s.seeds.push_back(seed);
  refused(s, "runs, more than a study may (100000)");
}

TEST_CASE("the reduction limit is the narrowest SE'd channel count of each variant", "[ablate]") {
  // With SE only in stage 3 (64 channels), r = 32 is fine; with SE everywhere it is not.
  StudyConfig s = small_study();
  s.mode = StudyMode::Grid;
  s.factors = {};
  s.factors["reduction"] = {int64_t{32}};
  s.factors["stages"] = {std::vector<int64_t>{3}};
  CHECK(make_plan(s, 2).variants.size() == 1);
  s.factors["stages"] = {std::vector<int64_t>{3}, std::vector<int64_t>{}};
  CHECK_THROWS_WITH(make_plan(s, 2), Catch::Contains("reduction 32 is larger than the 16 channels"));
  s.factors["reduction"] = {int64_t{16}};  // r = C is allowed: hidden width C / r = 1
  CHECK(make_plan(s, 2).variants.size() == 2);
}

TEST_CASE("variants that build the same model are pointed out", "[ablate]") {
  StudyConfig s = small_study();
  s.base.model.attention.options.set("min_channels", int64_t{8});  // seresnet8: 16/32/64 channels: r 8 and 16 give width 8
  s.factors["reduction"] = {int64_t{8}, int64_t{16}};
  const Plan p = make_plan(s, 2);
  REQUIRE(p.warnings.size() == 1);
  CHECK_THAT(p.warnings[0], Catch::Contains("'default' and 'reduction-8' build the same model"));
}

TEST_CASE("the fingerprint follows what changes results, not where or how fast", "[ablate]") {
  const StudyConfig s = small_study();
  StudyConfig same = s;
  same.jobs = 4;
  same.out = "elsewhere";
  same.name = "renamed";
  same.base.threads = 2;
  same.base.workers = 4;
  CHECK(study_fingerprint(same) == study_fingerprint(s));
  StudyConfig other = s;
  other.base.epochs = 7;
  CHECK(study_fingerprint(other) != study_fingerprint(s));
  other = s;
  other.factors["gate"].push_back("relu");
  CHECK(study_fingerprint(other) != study_fingerprint(s));
  other = s;
  other.seeds.push_back(3);
  CHECK(study_fingerprint(other) != study_fingerprint(s));
}

TEST_CASE("the shipped configs: the default equals the built-in default, both plan", "[ablate]") {
  const std::string dir = testing::source_dir() + "/configs";
  StudyConfig file = load_study_file(dir + "/ablation-default.json");
  CHECK(to_json(file) == to_json(default_study()));
  const Plan p = make_plan(file, 2);
  CHECK(p.runs.size() == p.variants.size() * 3);
  CHECK(p.warnings.empty());
  const Plan paper = make_plan(load_study_file(dir + "/ablation-paper.json"), 8);
  CHECK(paper.study.base.model.arch == "seresnet56");
  CHECK(paper.study.base.dataset == Dataset::Cifar10);
  CHECK(paper.warnings.empty());
}

TEST_CASE("a study directory from before attention kinds holds the same study: docs/ablation-default and -se-longer", "[ablate]") {
  for (const char* name : {"ablation-default", "ablation-se-longer"}) {
    INFO(name);
    const std::string stored = testing::source_dir() + "/docs/" + name + "/study.json";
    const StudyConfig old = study_from_json(load_json_file(stored, "test").at("study"), stored);
    const StudyConfig now = load_study_file(testing::source_dir() + "/configs/" + name + ".json");
    CHECK(study_fingerprint(old) == study_fingerprint(now));
    // A study directory holding the old study.json is continued, not refused as another study.
    const std::string dir = testing::temp_dir("old-study") + "/study";
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(stored, dir + "/study.json");
    StudyConfig s = now;
    s.out = dir;
    CHECK_NOTHROW(prepare_study_dir(make_plan(s, 2), false));
  }
}
