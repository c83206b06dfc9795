// The attention plug-in interface (layers/attention.h): the registry, the contract every kind
// keeps (checked for each registered kind, so a new kind is tested here without a line of this
// file changing), options refused in one line naming the kind, gates recorded for the analysis.
// The SE kind's own behaviour is tests/layers/test_se.cpp.
#include <catch2/catch.hpp>

#include <set>

#include "layers/layers.h"

using namespace excite;
using namespace excite::layers;

TEST_CASE("attention: the registry lists the kinds - unknown kinds are refused naming the known ones") {
  const std::vector<std::string> names = attention_kind_names();
  REQUIRE(names.size() >= 2);
  CHECK(names[0] == "se");  // SE, the first kind
  CHECK(names[1] == "none");
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  CHECK(attention_kind("se").label() == "SE");
  CHECK_THROWS_WITH(attention_kind("eca2"), Catch::Contains("unknown attention 'eca2'") && Catch::Contains("se, none, eca, cbam, cbam-channel, cbam-spatial or ge"));
  CHECK_NOTHROW(all_attention_options());  // kinds that share an option key give it one type
  std::set<std::string> keys;
  for (const OptionSpec& s : all_attention_options()) CHECK(keys.insert(s.setting.key).second);
}

TEST_CASE("attention: every kind keeps the contract - options, module, counts, gates") {
  const Shape input{2, 24, 5, 7};
  for (const AttentionKind* kind : attention_kinds()) {
    INFO("kind " << kind->name());
    CHECK(!kind->label().empty());
    CHECK(!kind->summary().empty());
    // Options: unique keys, complete() fills every one in, is idempotent, and keeps the defaults.
    const OptionValues defaults = kind->complete({});
    std::set<std::string> keys;
    for (const OptionSpec& spec : kind->options()) {
      CHECK(keys.insert(spec.setting.key).second);
      REQUIRE(defaults.has(spec.setting.key));
      CHECK(defaults.at(spec.setting.key) == spec.initial);
      CHECK_NOTHROW(check_option(spec, spec.initial, kind->name()));
    }
    CHECK(defaults.items().size() == keys.size());
    CHECK(kind->complete(defaults) == defaults);
    for (const OptionSpec& f : kind->factors()) CHECK(keys.count(f.setting.key) == 1);
    CHECK(!kind->describe(defaults).empty());
    CHECK(kind->unfit(defaults, {.channels = input[1], .height = input[2], .width = input[3]}).empty());

    // Every value of every text option (e.g. each squeeze, each gate) builds a module that keeps
    // the input's shape, costs what counts() says, and records its gate when asked.
    std::vector<OptionValues> settings = {defaults};
    for (const OptionSpec& spec : kind->options())
      for (const std::string& choice : spec.choices) {
        OptionValues o = defaults;
        o.set(spec.setting.key, choice);
        settings.push_back(kind->complete(o));
      }
    for (const OptionValues& o : settings) {
      INFO(kind->describe(o));
      auto module = kind->make(input[1], o);
      const AttentionCounts counts = kind->counts(o, input);
      if (!module) {  // "none": nothing to build, nothing to count
        CHECK(counts.params == 0);
        CHECK(counts.macs == 0);
        continue;
      }
      CHECK(&module->kind() == kind);
      CHECK(module->channels() == input[1]);
      CHECK(module->options() == o);
      CHECK(!module->structure().empty());
      CHECK(!module->kind().child_name().empty());
      const Profile p = profile(*module, input);
      CHECK(p.output == input);
      CHECK(counts.params == p.params);
      CHECK(counts.macs == p.macs);

      // Nothing is kept until recording is on; then the gates of the last forward pass (a kind
      // has a channel gate, a spatial gate, or both).
      Variable x(Tensor::normal(input, 0.f, 1.f));
      (*module)(x);
      CHECK_FALSE(module->channel_gate().defined());
      CHECK_FALSE(module->spatial_gate().defined());
      module->record_gates(true);
      (*module)(x);
      CHECK((module->channel_gate().defined() || module->spatial_gate().defined()));
      if (module->channel_gate().defined()) CHECK(module->channel_gate().shape() == Shape{input[0], input[1]});
      if (module->spatial_gate().defined()) CHECK(module->spatial_gate().shape() == Shape{input[0], 1, input[2], input[3]});
      module->record_gates(false);
      CHECK_FALSE(module->channel_gate().defined());
      CHECK_FALSE(module->spatial_gate().defined());
    }
  }
}

TEST_CASE("attention: options a kind does not take, wrong types and bad values are refused naming the kind") {
  auto refused = [](const AttentionOptions& a, const std::string& message) {
    INFO(message);
    CHECK_THROWS_WITH(complete(a), Catch::Contains(message));
  };
  OptionValues o;
  o.set("reduction", int64_t{4});
  refused({.kind = "none", .options = o}, "attention 'none' takes no option 'reduction' (it has no options)");
  o = {};
  o.set("depth", int64_t{4});
  refused({.kind = "se", .options = o},
          "attention 'se' takes no option 'depth' (its options: reduction, min_channels, squeeze, gate, bias)");
  o = {};
  o.set("reduction", std::string("four"));
  refused({.kind = "se", .options = o}, "attention 'se': option 'reduction' must be an integer, got four");
  o = {};
  o.set("reduction", int64_t{0});
  refused({.kind = "se", .options = o}, "attention 'se': option 'reduction' must be at least 1, got 0");
  o = {};
  o.set("squeeze", std::string("median"));
  refused({.kind = "se", .options = o}, "unknown squeeze 'median' (expected avg, max or avgmax)");
  refused({.kind = "cbam-2", .options = {}}, "unknown attention 'cbam-2'");
}

TEST_CASE("attention: one options value from the C++ struct to the module and back") {
  const SEOptions typed{.reduction = 4, .min_channels = 2, .squeeze = Squeeze::AvgMax, .gate = Gate::Tanh, .bias = true};
  const AttentionOptions a = se_attention(typed);
  CHECK(a.kind == "se");
  CHECK(std::get<int64_t>(a.options.at("reduction")) == 4);
  CHECK(std::get<std::string>(a.options.at("squeeze")) == "avgmax");
  CHECK(complete(a) == a);
  CHECK(describe_all(a) == "se (reduction 4, min_channels 2, squeeze avgmax, gate tanh, bias true)");
  auto module = make_attention(a, 16);
  REQUIRE(module);
  auto* se = dynamic_cast<SEModule*>(module.get());
  REQUIRE(se);
  CHECK(se->hidden() == 4);
  CHECK(se->se_options().gate == Gate::Tanh);
  CHECK(module->options() == a.options);
  CHECK(make_attention({.kind = "none"}, 16) == nullptr);
  CHECK(attention_kind("se").unfit(a.options, {.channels = 3}) ==
        "reduction 4 is larger than the 3 channels, where C / r would be below 1 and the hidden width only "
        "min_channels; use r <= 3");
}

TEST_CASE("attention: a model's gates, recorded for the excitation analysis") {
  auto model = make_model({.arch = "seresnet8", .num_classes = 3, .in_channels = 1});
  model->eval();
  const std::vector<NamedAttention> found = attention_modules(*model);
  REQUIRE(found.size() == 3);
  CHECK(found[0].path == "layer1.0.se");
  CHECK(found[2].module->channels() == 64);
  Variable x(Tensor::normal({3, 1, 12, 12}, 0.f, 1.f));
  (*model)(x);
  for (const NamedAttention& a : found) CHECK_FALSE(a.module->channel_gate().defined());
  record_gates(*model, true);
  {
    NoGradGuard no_grad;
    (*model)(x);
  }
  for (const NamedAttention& a : found) {
    INFO(a.path);
    REQUIRE(a.module->channel_gate().defined());
    CHECK(a.module->channel_gate().shape() == Shape{3, a.module->channels()});
    for (float g : a.module->channel_gate()) CHECK((g > 0.f && g < 1.f));  // sigmoid
  }
  record_gates(*model, false);
  for (const NamedAttention& a : found) CHECK_FALSE(a.module->channel_gate().defined());
  CHECK(attention_modules(*make_model({.arch = "resnet8"})).empty());
}
