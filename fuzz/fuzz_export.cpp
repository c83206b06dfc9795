// fuzz/fuzz_export.cpp — the options of `excite export` (apps/cli/export_flags.h): the command line
// (RUN_DIR, --weights, --onnx, --opset, --batch-norm, and the model and data flags it shares with
// `excite train`) parsed by CLI11, then the checked exporter options and the validated config;
// and, when the input starts with '[', a run directory's classes.json (apps/cli/run_dir.h), whose
// names become the model's "classes" metadata. The export itself (tracing, lowering, the ONNX
// checker) is not run: it takes milliseconds a model, and its inputs are models, tested in
// tests/deploy.
#include "apps/cli/export_flags.h"
#include "apps/cli/flags.h"
#include "apps/cli/run_dir.h"
#include "core/error.h"
#include "fuzz_args.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace excite;
  if (size > 0 && data[0] == '[') {
    static fuzz::ScratchDir run("export-run");
    try {
      const std::vector<std::string> names = apps::run_class_names(run.write("classes.json", data, size),
                                                                    apps::Dataset::Folder);
      if (apps::class_names_or_numbers(names, 10).size() != 10) __builtin_trap();
    } catch (const Error&) {
    }
    return 0;
  }
  static CLI::App app;
  static apps::ExportFlags flags;
  static apps::Overrides overrides;
  [[maybe_unused]] static const bool added = (apps::add_export_flags(app, flags), apps::add_data_flags(app, overrides),
                                              apps::add_model_flags(app, overrides), true);
  flags = apps::ExportFlags{};  // (fuzz_args.h: one App per process)
  if (!fuzz::parse(app, fuzz::arguments(data, size))) return 0;
  try {
    const deploy::OnnxExportOptions options = apps::export_options(flags);
    if (options.opset < 13 || options.opset > 17) __builtin_trap();
    apps::TrainConfig c;
    overrides.apply(c);
    c = apps::validated(c);
    const apps::InputSpec in = apps::input_spec(c);
    if (in.channels < 1 || in.height < 1 || in.width < 1) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
