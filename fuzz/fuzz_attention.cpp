// fuzz/fuzz_attention.cpp — the attention options as `excite train` takes them on the command line
// (apps/cli/flags.h): --attention KIND with every kind's own flags (--reduction, --squeeze, --gate,
// --eca-kernel, --spatial-kernel, --extent, --theta, ...), --position, --stages and the other model flags,
// parsed by CLI11, then Overrides::apply and validated() (the kind's complete(): an option the
// kind does not take, an even or too wide ECA kernel, ...), then the round trip of the model
// options through JSON. A default-sized model (resnet8/14/20 with or without se, at most 100
// classes and 16 input channels) is built too, which asks every block's site whether the
// options fit it; larger models are left out only to keep each execution fast.
#include "apps/cli/flags.h"
#include "core/error.h"
#include "fuzz_args.h"
#include "layers/zoo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace excite;
  static CLI::App app;
  static apps::Overrides overrides;
  [[maybe_unused]] static const bool added = (apps::add_model_flags(app, overrides), true);
  if (!fuzz::parse(app, fuzz::arguments(data, size))) return 0;
  try {
    apps::TrainConfig c;
    overrides.apply(c);
    c = apps::validated(c);
    apps::TrainConfig again;
    apps::merge_json(again, apps::to_json(c), "round-trip");
    if (apps::to_json(apps::validated(again)) != apps::to_json(c)) __builtin_trap();
    const std::string& arch = c.model.arch;
    const bool small = arch == "resnet8" || arch == "seresnet8" || arch == "resnet14" || arch == "seresnet14" ||
                       arch == "resnet20" || arch == "seresnet20";
    if (small && c.model.num_classes <= 100 && c.model.in_channels <= 16) layers::make_model(c.model);
  } catch (const Error&) {
  }
  return 0;
}
