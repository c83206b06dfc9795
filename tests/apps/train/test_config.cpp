// The config's one options path: every setting read and written under its key, the older
// spellings read as the new ones (a config.json from before attention kinds), options an
// attention kind does not take refused in one line, validated() completing the model.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "apps/train/config.h"
#include "fixtures.h"
#include "layers/attention.h"

using namespace excite;
using namespace excite::apps;

namespace {

TrainConfig parse(const std::string& text) {
  TrainConfig c;
  merge_json(c, nlohmann::json::parse(text), "test");
  return c;
}

}  // namespace

TEST_CASE("config: every setting under its key - the JSON round trip keeps everything") {
  TrainConfig c = parse(R"({"dataset": "cifar100", "batch_size": 32, "optimizer": "adamw", "schedule": "step",
                            "milestones": [2, 4], "augment": "crop-flip", "seed": 5,
                            "model": {"arch": "seresnet20", "reduction": 4, "squeeze": "max", "bias": true,
                                      "position": "pre", "stages": [3, 1], "zero_init_residual": true}})");
  CHECK(c.dataset == Dataset::Cifar100);
  CHECK(c.optimizer == OptimizerKind::AdamW);
  CHECK(c.schedule == ScheduleKind::Step);
  CHECK(c.augment == Augment::CropFlip);
  CHECK(c.model.position == layers::Position::Pre);
  CHECK(c.model.stages == std::vector<int64_t>{3, 1});
  CHECK(c.model.attention.kind.empty());  // the arch's, until validated
  CHECK(c.model.attention.options.at("squeeze") == OptionValue("max"));
  const TrainConfig v = validated(c);
  CHECK(v.model.attention.kind == "se");
  CHECK(v.model.attention.options.at("min_channels") == OptionValue(int64_t{8}));  // the kind's default
  CHECK(validated(v).model == v.model);
  TrainConfig again;
  merge_json(again, to_json(v), "round trip");
  CHECK(to_json(again) == to_json(v));
  // The top-level keys of a written config are exactly the settings table's, plus "model".
  std::set<std::string> keys{"model"};
  TrainConfig probe;
  visit_fields(probe, [&](const Setting& s, auto&) { keys.insert(s.key); });
  std::set<std::string> written;
  const nlohmann::json j = to_json(v);
  for (auto& [key, value] : j.items()) written.insert(key);
  CHECK(written == keys);
}

TEST_CASE("config: the older spellings read as the new ones") {
  // A config.json as excite wrote it before attention kinds.
  const TrainConfig old = load_config_file(testing::source_dir() + "/tests/fixtures/config_before_attention_kinds.json");
  const TrainConfig now = parse(R"({"dataset": "fashion-mnist", "limit_train": 256, "epochs": 2, "batch_size": 64,
      "lr": 0.1, "schedule": "step", "warmup_epochs": 0.5, "milestones": [1], "threads": 2, "workers": 1, "seed": 7,
      "out": "runs/x", "model": {"arch": "seresnet8", "attention": "se", "reduction": 16, "min_channels": 8,
      "squeeze": "avg", "gate": "sigmoid", "bias": false, "position": "standard", "stages": [2, 3]}})");
  CHECK(to_json(validated(old)) == to_json(validated(now)));
  // Older flags' words as keys; "se": false is attention none, and drops the SE keys written beside it.
  CHECK(parse(R"({"batch": 16, "warmup": 0.5, "data": "/d", "val_data": "/v"})").batch_size == 16);
  CHECK(parse(R"({"model": {"se": false, "reduction": 16, "se_bias": false}})").model.attention ==
        layers::AttentionOptions{.kind = "none"});
  // An arch without SE ignored the SE keys an old config.json always had.
  CHECK(validated(parse(R"({"model": {"arch": "resnet20", "se": true, "reduction": 16}})")).model.attention.kind == "none");
  CHECK_THROWS_WITH(parse(R"({"batch_size": 16, "batch": 16})"), Catch::Contains("'batch' is an older name of 'batch_size'"));
}

TEST_CASE("config: unknown keys and values, and options the attention kind does not take, are refused naming them") {
  CHECK_THROWS_WITH(parse(R"({"model": {"depth": 3}})"), Catch::Contains("unknown key 'depth'") && Catch::Contains("reduction"));
  CHECK_THROWS_WITH(parse(R"({"dataset": "svhn"})"), Catch::Contains("'dataset': unknown dataset 'svhn'"));
  CHECK_THROWS_WITH(parse(R"({"model": {"position": "inside"}})"), Catch::Contains("unknown position 'inside'"));
  CHECK_THROWS_WITH(validated(parse(R"({"model": {"attention": "none", "reduction": 8}})")),
                    Catch::Contains("attention 'none' takes no option 'reduction'"));
  CHECK_THROWS_WITH(validated(parse(R"({"model": {"arch": "resnet20", "gate": "tanh"}})")),
                    Catch::Contains("takes no option 'gate'") && Catch::Contains("resnet20 has no attention"));
  CHECK_THROWS_WITH(validated(parse(R"({"model": {"attention": "foo"}})")), Catch::Contains("unknown attention 'foo'"));
  CHECK_THROWS_WITH(validated(parse(R"({"model": {"attention": "eca", "reduction": 8}})")),
                    Catch::Contains("takes no option 'reduction'"));
  CHECK_THROWS_WITH(validated(parse(R"({"model": {"reduction": 0}})")),
                    Catch::Contains("option 'reduction' must be at least 1, got 0"));
  CHECK_THROWS_WITH(validated(parse(R"({"model": {"arch": "resnet7"}})")), Catch::Contains("unknown model 'resnet7'"));
  CHECK_THROWS_WITH(validated(parse(R"({"epochs": 0})")), Catch::Contains("epochs must be at least 1, got 0"));
  CHECK_THROWS_WITH(validated(parse(R"({"model": {"num_classes": -1}})")), Catch::Contains("num_classes must be at least 0"));
}
