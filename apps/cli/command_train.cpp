// apps/cli/command_train.cpp — `excite train` and `excite eval`.
#include <cstdio>

#include "apps/cli/flags.h"
#include "apps/cli/commands.h"
#include "apps/cli/confusion.h"
#include "apps/cli/run_dir.h"
#include "apps/cli/slurm_flags.h"
#include "apps/train/dist/communicator.h"
#include "apps/train/evaluate.h"
#include "apps/train/model_factory.h"
#include "apps/train/progress.h"
#include "apps/train/train_data.h"
#include "apps/train/trainer.h"
#include "core/blas.h"
#include "layers/state_dict.h"

namespace excite::apps {

namespace {

// defaults, then the config file, then the flags given.
TrainConfig resolve(const std::string& config_path, const Overrides& overrides) {
  TrainConfig c = config_path.empty() ? TrainConfig{} : load_config_file(config_path);
  overrides.apply(c);
  return validated(c);
}

}  // namespace

Command add_train_command(CLI::App& app) {
  auto overrides = std::make_shared<Overrides>();
  auto config_path = std::make_shared<std::string>();
  auto resume = std::make_shared<std::string>();
  app.add_option("config", *config_path, "JSON config file (flags override it)")->check(CLI::ExistingFile);
  app.add_option("--resume", *resume, "continue the run in this directory from its last checkpoint")
      ->check(CLI::ExistingDirectory);
  add_data_flags(app, *overrides);
  add_model_flags(app, *overrides);
  add_train_flags(app, *overrides);
  // Data-parallel runs (apps/train/dist/): `mpirun -np K excite train ...`.
  auto dist_options = std::make_shared<dist::DistOptions>();
  app.add_flag("--sync-bn", dist_options->sync_bn, "under mpirun: BN statistics over the global batch (all ranks)");
  CLI::Option* dist_timeout = app.add_option("--dist-timeout", dist_options->timeout_seconds,
                                             "under mpirun: end the job when no step finishes for this many seconds (300)");
  auto slurm = std::make_shared<SlurmOptions>();
  auto emit = std::make_shared<std::string>();
  add_slurm_flags(app, *slurm, *emit, /*study=*/false);
  return [&app, overrides, config_path, resume, dist_options, dist_timeout, slurm, emit] {
    if (*emit == "slurm") {  // a batch script instead of training (apps/study/ablate_slurm.h)
      EXCITE_CHECK(resume->empty(), "train: --emit slurm writes a new run's script; a run's train.sbatch resumes it");
      slurm->sync_bn = dist_options->sync_bn;
      emit_train_slurm(resolve(*config_path, *overrides), *slurm, stdout);
      return 0;
    }
    // count_all() also counts the subcommand's own name (CLI11): `train --resume DIR` is 2.
    EXCITE_CHECK(resume->empty() ||
                     app.count_all() == app.get_option("--resume")->count() + app.count() + dist_timeout->count(),
                 "train: --resume takes no other flags but --dist-timeout (the run continues with its saved config)");
    dist::init();  // under mpirun: join the job (refuses in one line if this build has no MPI)
    EXCITE_CHECK(!dist_options->sync_bn || dist::built_with_mpi(),
                 "train: --sync-bn needs MPI, and this build of excite has none (install libopenmpi-dev and rebuild)");
    TrainConfig config = resume->empty() ? resolve(*config_path, *overrides) : TrainConfig{};
    RunSummary s = train(config, {.resume_dir = *resume,
                                  .log = stdout,
                                  .interactive = Progress::stdout_is_terminal(),
                                  .dist = *dist_options,
                                  .stop_on_signals = true});
    const bool root = dist::is_root();
    dist::finalize();
    if (s.interrupted != 0) return 128 + s.interrupted;  // 130 SIGINT, 143 SIGTERM (apps/train/interrupt.h)
    if (!root) return 0;
    std::printf("final test accuracy %.2f%% (best %.2f%%) after %d epochs, %s wall, %.0f img/s; run in %s\n",
                100 * s.final_test_accuracy, 100 * s.best_test_accuracy, s.epochs, format_duration(s.wall_seconds).c_str(),
                s.train_images_per_second, s.run_dir.c_str());
    return 0;
  };
}

Command add_eval_command(CLI::App& app) {
  auto overrides = std::make_shared<Overrides>();
  struct Args {
    std::string run, weights, confusion;
    bool json = false;
    int threads = 0;
  };
  auto a = std::make_shared<Args>();
  app.add_option("run", a->run, "run directory of excite train: its config, weights and classes (flags override)");
  app.add_option("--weights", a->weights, "safetensors weights (default: RUN_DIR/best.safetensors)")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", a->json, "print one JSON object");
  app.add_option("--threads", a->threads, "compute threads (0: all cores)");
  app.add_option("--confusion", a->confusion,
                 "confusion matrix CSV to write, and a PNG beside it (default with RUN_DIR: RUN_DIR/confusion.csv)");
  add_data_flags(app, *overrides);
  add_model_flags(app, *overrides);
  return [overrides, a] {
    EXCITE_CHECK(!a->run.empty() || !a->weights.empty(), "eval: give a run directory or --weights W.safetensors");
    TrainConfig config = a->run.empty() ? TrainConfig{} : read_run_config(a->run);
    overrides->apply(config);
    config = validated(config);
    const std::string weights = !a->weights.empty() ? a->weights : run_weights(a->run);
    if (a->threads > 0) set_num_threads(a->threads);
    TrainData data = load_test_data(config);
    layers::ModulePtr model = build_model(config.model, data.channels, static_cast<int64_t>(data.classes.size()));
    load_fitting_weights(*model, weights, "eval",
                         a->run.empty() ? "check --arch and the model flags against the run that saved them"
                                        : "the run's config.json does not describe these weights");
    data::Loader loader(*data.test, {.batch_size = 256, .workers = config.workers}, data.test_transforms);
    const EvalResult r = evaluate(*model, loader);
    const std::string csv = !a->confusion.empty() ? a->confusion : a->run.empty() ? "" : a->run + "/confusion.csv";
    std::string why;
    bool png = false;
    if (!csv.empty()) {
      png = write_confusion(r.confusion, class_names_or_numbers(data.classes, r.classes), csv, &why);
    }
    if (a->json) {
      std::printf("{\"images\": %lld, \"loss\": %.6f, \"accuracy\": %.6f, \"top5\": %.6f}\n",
                  static_cast<long long>(r.images), r.loss, r.accuracy, r.top5);
    } else {
      std::printf("%s\n%lld test images: loss %.4f, top-1 %.2f%%, top-5 %.2f%%\n", data.test->description().c_str(),
                  static_cast<long long>(r.images), r.loss, 100 * r.accuracy, 100 * r.top5);
      if (!csv.empty())
        std::printf("confusion matrix: %s%s\n", csv.c_str(), png ? " (and .png)" : (" (no PNG: " + why + ")").c_str());
    }
    return 0;
  };
}

}  // namespace excite::apps
