// apps/cli/command_bench.cpp — `excite bench`: the speed of a model's full training step (forward,
// loss, backward, SGD step) and of inference, as median images/s after warm-up, and the peak
// resident memory, and where the time goes by op kind (core/kernels/op_timer.h: each op times its
// forward and its backward; "other" is the rest of the step: the engine's bookkeeping, gradient
// accumulation, allocation). Random inputs and labels: speed does not depend on the values.
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
#include "core/kernels/op_timer.h"

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
    if (a->json) {
      nlohmann::ordered_json j = {{"arch", config.model.arch}, {"se", config.model.attention.kind == "se"},
                          {"attention", config.model.attention.kind}, {"input", {C, H, W}},
                          {"batch", a->batch}, {"infer_batch", a->infer_batch}, {"threads", num_threads()},
                          {"train_images_per_second", train_ips}, {"infer_images_per_second", infer_ips},
                          {"peak_rss_mb", peak_rss_mb()}, {"blas_core", blas_core_name()},
                          {"train_breakdown_ms", train_breakdown}, {"infer_breakdown_ms", infer_breakdown}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("%s%s [%lld, %lld, %lld], %d threads, OpenBLAS %s kernels\n", attention_note(config.model).c_str(),
                  config.model.arch.c_str(), static_cast<long long>(C), static_cast<long long>(H),
                  static_cast<long long>(W), num_threads(), blas_core_name());
      if (!a->no_train) std::printf("  training step (batch %d): %.1f images/s (median of %d)\n", a->batch, train_ips, a->iters);
      if (!a->no_infer) std::printf("  inference (batch %d):     %.1f images/s\n", a->infer_batch, infer_ips);
      std::printf("  peak resident memory:     %.0f MB\n", peak_rss_mb());
      print_breakdown("training step", train_breakdown);
      print_breakdown("inference", infer_breakdown);
    }
    return 0;
  };
}

}  // namespace excite::apps
