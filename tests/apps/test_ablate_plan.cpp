// Ablation studies without training: the study format, one-factor and grid expansion, names,
// threads per job, the fingerprint, the shipped configs, and every validation error.
#include <catch2/catch.hpp>

#include <fstream>

#include "apps/ablate_study.h"
#include "fixtures.h"

using namespace excite;
using namespace excite::apps;

namespace {

StudyConfig small_study() {
  StudyConfig s;
  s.name = "t";
  s.out = "/tmp/unused";
  s.base.model.arch = "seresnet8";
  s.base.model.min_channels = 1;
  s.seeds = {1, 2};
  s.factors.se = std::vector<bool>{false};
  s.factors.reduction = std::vector<int>{4, 16};
  s.factors.gate = std::vector<std::string>{"sigmoid", "tanh"};
  return s;
}

std::vector<std::string> variant_names(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& v : p.variants) out.push_back(v.name);
  return out;
}

StudyConfig parse(const std::string& text) { return study_from_json(nlohmann::json::parse(text), "test"); }

}  // namespace

TEST_CASE("one_factor: the default, the baseline, each value with the rest at the default - seed-major runs", "[ablate]") {
  const Plan p = make_plan(small_study(), 2);
  CHECK(variant_names(p) == std::vector<std::string>{"default", "no-se", "reduction-4", "gate-tanh"});
  CHECK(p.variants[1].model.se == false);
  CHECK(p.variants[2].model.reduction == 4);
  CHECK(p.variants[2].factor == "reduction");
  CHECK(p.variants[3].model.gate == "tanh");
  CHECK(p.variants[3].model.reduction == 16);
  REQUIRE(p.runs.size() == 8);
  CHECK(p.runs[0].name == "default_seed-1");
  CHECK(p.runs[3].name == "gate-tanh_seed-1");
  CHECK(p.runs[4].name == "default_seed-2");
  CHECK(p.runs[5].dir == "/tmp/unused/runs/no-se_seed-2");
  CHECK(p.runs[5].config.seed == 2);
  CHECK(p.runs[5].config.out == p.runs[5].dir);
  CHECK(p.runs[5].config.model.se == false);
}

TEST_CASE("grid: the full product, every no-SE combination collapsed into one baseline", "[ablate]") {
  StudyConfig s = small_study();
  s.mode = "grid";
  s.factors.se = std::vector<bool>{true, false};
  s.factors.se_stages = std::vector<std::vector<int>>{{2, 1}, {}};
  const Plan p = make_plan(s, 2);
  // 2 reductions x 2 gates x 2 stage sets with SE, plus one no-SE
  REQUIRE(p.variants.size() == 9);
  const std::vector<std::string> names = variant_names(p);
  CHECK(names[0] == "reduction-4_gate-sigmoid_stages-1+2");
  CHECK(names[1] == "reduction-4_gate-sigmoid_stages-all");
  CHECK(std::count(names.begin(), names.end(), "no-se") == 1);
  CHECK(p.variants[0].model.se_stages == std::vector<int>{1, 2});
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
                                  "factors": {"reduction": [4, 8], "se_stages": [[1], []]}})");
  CHECK(s.seeds == std::vector<uint64_t>{1, 2, 3});
  CHECK(s.base.epochs == 2);
  CHECK(s.base.model.arch == "seresnet20");
  CHECK(*s.factors.reduction == std::vector<int>{4, 8});
  CHECK(parse(R"({"seeds": [5, 7]})").seeds == std::vector<uint64_t>{5, 7});
  const StudyConfig back = study_from_json(to_json(s), "round trip");
  CHECK(to_json(back) == to_json(s));
  CHECK_THROWS_WITH(parse(R"({"factors": {"depth": [1]}})"), Catch::Contains("unknown factor 'depth'"));
  CHECK_THROWS_WITH(parse(R"({"factor": {}})"), Catch::Contains("unknown key 'factor'"));
  CHECK_THROWS_WITH(parse(R"({"base": {"epoch": 3}})"), Catch::Contains("unknown key 'epoch'"));
  CHECK_THROWS_WITH(parse(R"({"seeds": 0})"), Catch::Contains("at least 1 seed"));
  CHECK_THROWS_WITH(parse(R"({"factors": {"reduction": ["8"]}})"), Catch::Contains("is not an integer"));
  CHECK_THROWS_WITH(parse(R"({"factors": {"se_stages": [1, 2]}})"), Catch::Contains("list of stage numbers"));
}

TEST_CASE("invalid studies are refused before any run, naming the factor and value", "[ablate]") {
  auto refused = [](StudyConfig s, const std::string& message) {
    INFO(message);
    CHECK_THROWS_WITH(make_plan(s, 2), Catch::Contains(message));
  };
  StudyConfig s = small_study();
  s.factors.squeeze = std::vector<std::string>{"mean"};
  refused(s, "factor 'squeeze': unknown value 'mean'");
  s = small_study();
  s.factors.gate = std::vector<std::string>{"swish"};
  refused(s, "unknown value 'swish'");
  s = small_study();
  s.factors.se_position = std::vector<std::string>{"inside"};
  refused(s, "unknown value 'inside'");
  s = small_study();
  s.factors.reduction = std::vector<int>{0, 4};
  refused(s, "r = 0");
  s = small_study();
  s.factors.reduction = std::vector<int>{17};  // seresnet8's first stage has 16 channels
  refused(s, "reduction 17 is larger than the 16 channels of its narrowest SE module (layer1.0.se");
  s = small_study();
  s.factors.gate = std::vector<std::string>{};
  refused(s, "factor 'gate' has no values, so the study is empty");
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
  s.mode = "random";
  refused(s, "mode 'random' unknown");
  s = small_study();
  s.factors.reduction = std::vector<int>{8, 8};
  refused(s, "lists 8 twice");
  s = small_study();
  s.factors.se_stages = std::vector<std::vector<int>>{{4}};
  refused(s, "stage 4 does not exist (the model has stages 1..3");
  s = small_study();
  s.base.model.arch = "resnet8";
  refused(s, "the base model must be an SE model");
  s = small_study();
  s.base.model.se = false;
  refused(s, "the base model must be an SE model");
  s = small_study();
  s.base.epochs = 0;
  refused(s, "epochs must be at least 1");
}

TEST_CASE("the reduction limit is the narrowest SE'd channel count of each variant", "[ablate]") {
  // With SE only in stage 3 (64 channels), r = 32 is fine; with SE everywhere it is not.
  StudyConfig s = small_study();
  s.mode = "grid";
  s.factors = {};
  s.factors.reduction = std::vector<int>{32};
  s.factors.se_stages = std::vector<std::vector<int>>{{3}};
  CHECK(make_plan(s, 2).variants.size() == 1);
  s.factors.se_stages = std::vector<std::vector<int>>{{3}, {}};
  CHECK_THROWS_WITH(make_plan(s, 2), Catch::Contains("reduction 32 is larger than the 16 channels"));
  s.factors.reduction = std::vector<int>{16};  // r = C is allowed: hidden width C / r = 1
  CHECK(make_plan(s, 2).variants.size() == 2);
}

TEST_CASE("variants that build the same model are pointed out", "[ablate]") {
  StudyConfig s = small_study();
  s.base.model.min_channels = 8;  // seresnet8: 16/32/64 channels, so r = 8 and r = 16 both give width 8
  s.factors.reduction = std::vector<int>{8, 16};
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
  other.factors.gate->push_back("relu");
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
  CHECK(paper.study.base.dataset == "cifar10");
  CHECK(paper.warnings.empty());
}
