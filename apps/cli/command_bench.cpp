// apps/cli/command_bench.cpp — `excite bench`: the speed of a model's full training step (forward,
// loss, backward, SGD step) and of inference, as median images/s after warm-up, and the peak
// resident memory, and where the time goes by op kind (core/kernels/op_timer.h: each op times its
// forward and its backward; "other" is the rest of the step: the engine's bookkeeping, gradient
// accumulation, allocation). Random inputs and labels: speed does not depend on the values.
// Beside images/s: the instruction set the kernels ran (core/kernels/isa.h) and the achieved
// GFLOP/s of the whole step and of its convolutions, from the counted multiply-adds
// (layers/profile.h), as a fraction of this machine's FMA peak on that instruction set
// (core/kernels/fma_peak.h). A fraction above 100 % is a bug in the count or the timing.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "apps/cli/flags.h"
#include "apps/cli/commands.h"
#include "apps/train/model_factory.h"
#include "apps/optim/optim_sgd.h"
#include "core/blas.h"
#include "core/kernels/fma_peak.h"
#include "core/kernels/isa.h"
#include "core/kernels/op_timer.h"
#include "layers/profile.h"

namespace excite::apps {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

template <typename F>
double time_seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Mean milliseconds per step by op kind over the timed steps, plus "other"
// (the step's mean wall time minus everything the ops timed) and "total".
nlohmann::ordered_json breakdown_ms(const std::vector<double>& step_times) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (step_times.empty()) return j;
  const double steps = static_cast<double>(step_times.size());
  double timed = 0.0, total = 0.0;
  for (double t : step_times) total += t;
  for (int k = 0; k < static_cast<int>(OpKind::Count); ++k) {
    const double s = op_time_seconds(static_cast<OpKind>(k));
    timed += s;
    if (s > 0.0) j[op_kind_name(static_cast<OpKind>(k))] = 1e3 * s / steps;
  }
  j["other"] = 1e3 * (total - timed) / steps;
  j["total"] = 1e3 * total / steps;
  return j;
}

void print_breakdown(const char* what, const nlohmann::ordered_json& b) {
  if (b.empty()) return;
  const double total = b["total"].get<double>();
  std::printf("  %s time by op kind (ms per step, mean):\n", what);
  for (const auto& [name, ms] : b.items()) {
    if (name == "total") continue;
    std::printf("    %-14s %8.2f  %5.1f %%\n", name.c_str(), ms.get<double>(), 100.0 * ms.get<double>() / total);
  }
  std::printf("    %-14s %8.2f\n", "total", total);
}

// Multiply-adds per image (layers/profile.h: convolutions and linear layers) of the forward, and
// of a training step: forward, backward to the weights, and backward to the inputs of every layer
// but the first (its input, the batch, needs no gradient).
struct StepWork {
  double conv_fwd = 0, conv_train = 0, all_fwd = 0, all_train = 0;
};

StepWork step_work(layers::Module& model, int64_t C, int64_t H, int64_t W) {
  StepWork w;
  bool first = true;
  for (const layers::LayerProfile& r : layers::profile(model, {1, C, H, W}).layers) {
    if (r.macs == 0) continue;
    const double m = static_cast<double>(r.macs), train = first ? 2 * m : 3 * m;
    first = false;
    w.all_fwd += m;
    w.all_train += train;
    if (r.type == "Conv2d") {
      w.conv_fwd += m;
      w.conv_train += train;
    }
  }
  return w;
}

// GFLOP/s of `macs` multiply-adds per image over `images` images in `seconds`.
double gflops(double macs, double images, double seconds) { return seconds > 0 ? 2e-9 * macs * images / seconds : 0.0; }

double ms_of(const nlohmann::ordered_json& breakdown, const char* key) {
  return breakdown.contains(key) ? breakdown[key].get<double>() : 0.0;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto overrides = std::make_shared<Overrides>();
  struct Args {
    int batch = 128, infer_batch = 256, threads = 0, warmup = 3, iters = 10;
    std::vector<int> size;
    bool json = false, no_infer = false, no_train = false;
  };
  auto a = std::make_shared<Args>();
  add_model_flags(app, *overrides);
  app.add_option("--batch-size,--batch", a->batch, "training batch size (128)");
  app.add_option("--infer-batch", a->infer_batch, "inference batch size (256)");
  app.add_option("--threads", a->threads, "compute threads (0: all cores)");
  app.add_option("--input-size", a->size, "input height and width (32 32)")->expected(2);
  app.add_option("--warmup-steps,--warmup", a->warmup, "untimed steps first (3)");
  app.add_option("--iters", a->iters, "timed steps (10)");
  app.add_flag("--json", a->json, "print one JSON object");
  app.add_flag("--no-infer", a->no_infer, "skip the inference measurement");
  app.add_flag("--no-train", a->no_train, "skip the training measurement");
  return [overrides, a] {
    TrainConfig config;
    config.model.arch = "seresnet20";
    overrides->apply(config);
    config = validated(config);
    EXCITE_CHECK(a->batch >= 1 && a->infer_batch >= 1 && a->iters >= 1 && a->warmup >= 0,
                 "bench: --batch-size, --infer-batch and --iters must be at least 1, --warmup-steps at least 0");
    if (a->threads > 0) set_num_threads(a->threads);
    const int64_t C = config.model.in_channels > 0 ? config.model.in_channels : 3;
    const int64_t K = config.model.num_classes > 0 ? config.model.num_classes : 10;
    const int64_t H = a->size.empty() ? 32 : a->size[0], W = a->size.empty() ? 32 : a->size[1];
    manual_seed(0);
    layers::ModulePtr model = build_model(config.model, C, K);

    std::vector<double> train_times, infer_times;
    nlohmann::ordered_json train_breakdown, infer_breakdown;
    if (!a->no_train) {
      optim::SGD opt(model->parameters(), {.lr = 0.01f, .momentum = 0.9f, .weight_decay = 5e-4f});
      Tensor x = Tensor::normal({a->batch, C, H, W}, 0.f, 1.f);
      std::vector<int64_t> labels(static_cast<size_t>(a->batch));
      for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int64_t>(i) % K;
      model->train();
      reset_op_times();
      set_op_timing(a->warmup == 0);
      for (int i = 0; i < a->warmup + a->iters; ++i) {
        const double t = time_seconds([&] {
          Variable loss = cross_entropy((*model)(Variable(x)), labels);
          opt.zero_grad();
          loss.backward();
          ScopedOpTimer timer(OpKind::Optimizer);
          opt.step();
        });
        if (i >= a->warmup) train_times.push_back(t);
        if (i + 1 == a->warmup) {  // time the op kinds over the timed steps only
          reset_op_times();
          set_op_timing(true);
        }
      }
      train_breakdown = breakdown_ms(train_times);
      set_op_timing(false);
    }
    if (!a->no_infer) {
      Tensor x = Tensor::normal({a->infer_batch, C, H, W}, 0.f, 1.f);
      model->eval();
      NoGradGuard no_grad;
      reset_op_times();
      set_op_timing(a->warmup == 0);
      for (int i = 0; i < a->warmup + a->iters; ++i) {
        const double t = time_seconds([&] { (*model)(Variable(x)); });
        if (i >= a->warmup) infer_times.push_back(t);
        if (i + 1 == a->warmup) {
          reset_op_times();
          set_op_timing(true);
        }
      }
      infer_breakdown = breakdown_ms(infer_times);
      set_op_timing(false);
    }
    const double train_ips = train_times.empty() ? 0.0 : a->batch / median(train_times);
    const double infer_ips = infer_times.empty() ? 0.0 : a->infer_batch / median(infer_times);
    // Achieved GFLOP/s: the whole step over its median time, the convolutions over their mean
    // time per step (the op timers), against the FMA peak of this many threads on this ISA.
    const StepWork work = step_work(*model, C, H, W);
    const double peak = fma_peak_gflops(num_threads());
    const double train_gf = gflops(work.all_train, train_ips, 1.0);
    const double infer_gf = gflops(work.all_fwd, infer_ips, 1.0);
    const double train_conv_gf =
        gflops(work.conv_train, a->batch,
               1e-3 * (ms_of(train_breakdown, "conv_forward") + ms_of(train_breakdown, "conv_backward")));
    const double infer_conv_gf = gflops(work.conv_fwd, a->infer_batch, 1e-3 * ms_of(infer_breakdown, "conv_forward"));
    auto pct = [peak](double g) { return peak > 0 ? 100.0 * g / peak : 0.0; };
    if (a->json) {
      nlohmann::ordered_json j = {{"arch", config.model.arch}, {"se", config.model.attention.kind == "se"},
                          {"attention", config.model.attention.kind}, {"input", {C, H, W}},
                          {"batch", a->batch}, {"infer_batch", a->infer_batch}, {"threads", num_threads()},
                          {"train_images_per_second", train_ips}, {"infer_images_per_second", infer_ips},
                          {"peak_rss_mb", peak_rss_mb()}, {"blas_core", blas_core_name()}, {"isa", isa_name()},
                          {"fma_peak_gflops", peak}, {"macs_per_image", work.all_fwd},
                          {"train_macs_per_image", work.all_train}, {"train_gflops", train_gf},
                          {"train_conv_gflops", train_conv_gf}, {"infer_gflops", infer_gf},
                          {"infer_conv_gflops", infer_conv_gf},
                          {"train_breakdown_ms", train_breakdown}, {"infer_breakdown_ms", infer_breakdown}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("%s%s [%lld, %lld, %lld], %d threads, kernels %s (EXCITE_ISA), OpenBLAS %s kernels\n",
                  attention_note(config.model).c_str(), config.model.arch.c_str(), static_cast<long long>(C),
                  static_cast<long long>(H), static_cast<long long>(W), num_threads(), isa_name().c_str(),
                  blas_core_name());
      std::printf("  FMA peak of %d threads on %s: %.1f GFLOP/s; %.2f M multiply-adds per image forward, %.2f M per "
                  "training image\n",
                  num_threads(), isa_name().c_str(), peak, 1e-6 * work.all_fwd, 1e-6 * work.all_train);
      if (!a->no_train)
        std::printf("  training step (batch %d): %.1f images/s (median of %d), %.1f GFLOP/s = %.0f %% of peak; "
                    "convolutions %.1f GFLOP/s = %.0f %%\n",
                    a->batch, train_ips, a->iters, train_gf, pct(train_gf), train_conv_gf, pct(train_conv_gf));
      if (!a->no_infer)
        std::printf("  inference (batch %d):     %.1f images/s, %.1f GFLOP/s = %.0f %% of peak; convolutions %.1f "
                    "GFLOP/s = %.0f %%\n",
                    a->infer_batch, infer_ips, infer_gf, pct(infer_gf), infer_conv_gf, pct(infer_conv_gf));
      std::printf("  peak resident memory:     %.0f MB\n", peak_rss_mb());
      print_breakdown("training step", train_breakdown);
      print_breakdown("inference", infer_breakdown);
    }
    return 0;
  };
}

}  // namespace excite::apps
