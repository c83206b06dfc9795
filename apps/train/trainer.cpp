#include "apps/train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <signal.h>
#include <unistd.h>

#include "apps/train/checkpoint.h"
#include "apps/train/dist/communicator.h"
#include "apps/train/dist/fault_hook.h"
#include "apps/train/dist/grad_sync.h"
#include "apps/train/dist/setup_vote.h"
#include "apps/train/dist/shard.h"
#include "apps/train/dist/sync_bn.h"
#include "apps/train/dist/watchdog.h"
#include "apps/train/evaluate.h"
#include "apps/train/interrupt.h"
#include "apps/train/metrics_log.h"
#include "apps/train/model_factory.h"
#include "apps/optim/optim_adamw.h"
#include "apps/optim/optim_sgd.h"
#include "apps/train/plot.h"
#include "apps/train/progress.h"
#include "apps/train/run_dir_lock.h"
#include "apps/optim/schedule.h"
#include "apps/train/train_data.h"
#include "core/atomic_file.h"
#include "core/blas.h"
#include "core/kernels/metrics.h"
#include "layers/profile.h"
#include "layers/state_dict.h"

namespace excite::apps {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// runs/<dataset>-<arch>-<time>; a model whose attention is not its arch's says so:
// "noSE-seresnet8" for attention none on an se arch, "eca-resnet20" for another kind.
std::string default_run_dir(const TrainConfig& c) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  const std::string& kind = c.model.attention.kind;
  const std::string prefix = kind == layers::default_attention(c.model.arch) ? "" : kind == "none" ? "noSE-" : kind + "-";
  return "runs/" + name_of(c.dataset) + "-" + prefix + c.model.arch + "-" + stamp;
}

// Makes the directory and proves it writable before any work starts.
void prepare_run_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  EXCITE_CHECK(!ec, "train: cannot create run directory " << dir << " (" << ec.message() << ")");
  write_file_atomically(dir + "/.write-test", "ok\n", "train");
  fs::remove(dir + "/.write-test");
}

// A run directory this call made, taken back when setup fails (an option the model can only check
// once it is built, such as a gather extent wider than the map; data that does not load): a
// mistake leaves no empty run behind. It then holds only the lock file, removed while the lock is
// still held (the guard is declared after the lock), so that no other process can take that lock
// first. A directory with anything else in it stays. Released once setup has passed.
class NewRunDir {
 public:
  explicit NewRunDir(std::string dir) : dir_(std::move(dir)) {}
  ~NewRunDir() {
    if (dir_.empty()) return;
    std::error_code ec;
    fs::remove(dir_ + "/.lock", ec);
    fs::remove(dir_, ec);  // only when empty
  }
  NewRunDir(const NewRunDir&) = delete;
  NewRunDir& operator=(const NewRunDir&) = delete;
  void release() { dir_.clear(); }

 private:
  std::string dir_;
};

// A process killed while writing a file (core/atomic_file.h) leaves its temporary
// "<name>.tmp<pid>" behind, as large as a checkpoint; a resumed run removes them.
void remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t at = name.rfind(".tmp");
    if (at != std::string::npos && at + 4 < name.size() &&
        name.find_first_not_of("0123456789", at + 4) == std::string::npos)
      fs::remove(entry.path(), ec);
  }
}

// A disk too full for the run's files is an error before the first step, not after an epoch of
// work. At the peak the run directory holds the checkpoint (weights and optimizer state), the
// new checkpoint written beside it before the rename, and the best weights; files a resumed run
// replaces already count. A margin covers metrics, plots, config and summary.
void check_free_space(const std::string& dir, const TrainConfig& c, const layers::Module& model) {
  int64_t weights = 64 * 1024;  // headers
  for (const NamedTensor& t : model.state_dict()) weights += 8 * (t.dtype == DType::I64) + 4 * t.value.numel();
  const int64_t params = 4 * model.num_parameters();
  const int64_t slots = c.optimizer == OptimizerKind::AdamW ? 2 : c.momentum > 0 ? 1 : 0;
  const int64_t checkpoint = weights + slots * params;
  int64_t need = 2 * checkpoint + weights + 256 * 1024;
  std::error_code ec;
  for (const char* f : {"/checkpoint.safetensors", "/best.safetensors"})
    if (const auto size = fs::file_size(dir + f, ec); !ec) need -= static_cast<int64_t>(size);
  const fs::space_info space = fs::space(dir, ec);
  if (ec) return;  // unknown: the writes themselves will tell
  EXCITE_CHECK(static_cast<int64_t>(space.available) >= need,
               "train: " << dir << " has " << space.available / 1024 << " KB free but the run's checkpoints need "
                         << need / 1024 << " KB; free some space or choose another --out");
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& c, layers::Module& model) {
  auto named = model.named_parameters();
  optim::Params params = c.decay_bn_and_bias ? optim::Params(named) : optim::Params(optim::split_decay(named));
  if (c.optimizer == OptimizerKind::AdamW)
    return std::make_unique<optim::AdamW>(
        params, optim::AdamWOptions{.lr = static_cast<float>(c.lr), .weight_decay = static_cast<float>(c.weight_decay)});
  return std::make_unique<optim::SGD>(params, optim::SGDOptions{.lr = static_cast<float>(c.lr),
                                                                .momentum = static_cast<float>(c.momentum),
                                                                .nesterov = c.nesterov && c.momentum > 0,
                                                                .weight_decay = static_cast<float>(c.weight_decay)});
}

optim::Schedule make_schedule(const TrainConfig& c, int64_t steps_per_epoch) {
  const int64_t total = steps_per_epoch * c.epochs;
  const int64_t warmup = static_cast<int64_t>(std::llround(c.warmup_epochs * static_cast<double>(steps_per_epoch)));
  const float lr = static_cast<float>(c.lr);
  if (c.schedule == ScheduleKind::OneCycle)
    return optim::one_cycle({.max_lr = lr,
                             .total_steps = total,
                             .pct_start = c.warmup_epochs > 0 ? c.warmup_epochs / c.epochs : 0.25});
  optim::Schedule after = optim::constant(lr);
  if (c.schedule == ScheduleKind::Cosine) after = optim::cosine({.base_lr = lr, .total_steps = std::max<int64_t>(total - warmup, 1)});
  if (c.schedule == ScheduleKind::Step) {
    std::vector<int64_t> milestones;
    for (int m : c.milestones) milestones.push_back(std::max<int64_t>(m * steps_per_epoch - warmup, 0));
    after = optim::multistep({.base_lr = lr, .milestones = milestones, .gamma = static_cast<float>(c.gamma)});
  }
  return warmup > 0 ? optim::with_warmup(after, {.steps = warmup}) : after;
}

nlohmann::json summary_json(const RunSummary& s, const TrainConfig& c) {
  return {{"final_test_accuracy", s.final_test_accuracy},
          {"best_test_accuracy", s.best_test_accuracy},
          {"final_test_loss", s.final_test_loss},
          {"epochs", s.epochs},
          {"wall_seconds", s.wall_seconds},
          {"train_images_per_second", s.train_images_per_second},
          {"params", s.params},
          {"macs", s.macs},
          {"dataset", name_of(c.dataset)},
          {"arch", c.model.arch},
          {"attention", c.model.attention.kind},
          {"se", c.model.attention.kind == "se"},
          {"seed", c.seed},
          {"threads", num_threads()},
          {"world_size", dist::size()}};
}

std::string epoch_line(const EpochMetrics& m, int epochs) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "epoch %d/%d  lr %.4f  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.0f img/s  %s", m.epoch,
                epochs, m.lr, m.train_loss, 100 * m.train_accuracy, m.test_loss, 100 * m.test_accuracy,
                m.images_per_second, format_duration(m.seconds).c_str());
  return buf;
}

}  // namespace

std::string config_fingerprint(const TrainConfig& config) { return config_fingerprint(to_json(config)); }

std::string config_fingerprint(nlohmann::json j) {
  j.erase("out");
  j.erase("workers");
  return json_fingerprint(j);
}

RunSummary train(TrainConfig config, const RunOptions& options) {
  const auto wall_start = Clock::now();
  const bool resuming = !options.resume_dir.empty();
  std::string saved_fingerprint;  // of config.json as written, maybe by an earlier excite
  // Data-parallel (apps/train/dist/): only rank 0 writes into the run directory and logs; every rank
  // must get through setup before any of them trains (the vote).
  const bool root = dist::is_root();
  std::FILE* const log = dist::root_log(options.log);
  dist::DistOptions dopt = options.dist;
  dist::SetupVote vote;
  // One writer per run directory (apps/train/run_dir_lock.h): a second train or a --resume of a
  // running run refuses, naming the holder, before anything is read, checked or written.
  std::optional<RunDirLock> lock;
  if (resuming && root) lock.emplace(options.resume_dir, "train");
  if (resuming) {
    const std::string saved = options.resume_dir + "/config.json";
    EXCITE_CHECK(fs::exists(saved), "train: --resume " << options.resume_dir << " has no config.json (not a run directory?)");
    config = load_config_file(saved);
    config.out = options.resume_dir;
    saved_fingerprint = config_fingerprint(load_json_file(saved, "train"));
    dist::apply_run_record_on_resume(options.resume_dir, dopt, log);
  }
  config = validated(config);
  EXCITE_CHECK(!config.out.empty() || !dist::distributed(),
               "train: under mpirun give --out DIR (every rank must name the same run directory)");
  EXCITE_CHECK(config.batch_size >= dist::size(), "train: --batch-size " << config.batch_size << " is smaller than the "
                                                                    << dist::size() << " ranks; each needs an image");
  if (config.out.empty()) config.out = default_run_dir(config);
  const std::string dir = config.out;
  const std::string checkpoint_path = dir + "/checkpoint.safetensors";
  const bool fresh_dir = root && !resuming && !fs::exists(dir);
  if (root) {
    prepare_run_dir(dir);
    if (!lock) lock.emplace(dir, "train");
  }
  NewRunDir made(fresh_dir ? dir : "");
  EXCITE_CHECK(resuming || !fs::exists(checkpoint_path),
               "train: " << dir << " already holds a run; continue it with --resume " << dir
                         << " or choose another --out");
  if (resuming && root) remove_stale_temporaries(dir);

  if (config.threads > 0) set_num_threads(config.threads);
  manual_seed(config.seed);

  // Everything that can fail on bad input fails here, before the first step.
  TrainData data = load_train_data(config);
  data.test = dist::shard_dataset(data.test, dist::rank(), dist::size());  // a share of the test set per rank
  layers::ModulePtr model = build_model(config.model, data.channels, static_cast<int64_t>(data.classes.size()));
  const layers::Profile prof = layers::profile(*model, {1, data.channels, data.height, data.width});
  data::Loader train_loader(*data.train, {.batch_size = config.batch_size, .shuffle = true, .drop_last = true,
                                          .workers = config.workers, .seed = config.seed},
                            data.train_transforms);
  data::Loader test_loader(*data.test, {.batch_size = 256, .workers = config.workers, .seed = config.seed},
                           data.test_transforms);
  const int64_t steps_per_epoch = train_loader.num_batches();
  EXCITE_CHECK(steps_per_epoch > 0, "train: " << data.train->size() << " training images do not fill one batch of "
                                               << config.batch_size << "; lower --batch-size");
  if (root) check_free_space(dir, config, *model);
  auto opt = make_optimizer(config, *model);
  const optim::Schedule schedule = make_schedule(config, steps_per_epoch);

  TrainingState state;
  state.config_fingerprint = config_fingerprint(config);
  MetricsLog metrics(dir);
  if (resuming && fs::exists(checkpoint_path)) {
    Checkpoint ck = load_checkpoint(checkpoint_path);
    // A run started by an earlier excite fingerprinted its config.json as that excite wrote it.
    EXCITE_CHECK(ck.state.config_fingerprint == state.config_fingerprint || ck.state.config_fingerprint == saved_fingerprint,
                 "train: the checkpoint in " << dir << " was made with another config; refusing to mix runs");
    layers::load_state_dict(*model, ck.model, {}, checkpoint_path);
    opt->load_state(ck.optimizer);
    const std::string fingerprint = state.config_fingerprint;
    state = ck.state;
    state.config_fingerprint = fingerprint;
    global_generator().set_state(state.rng);
  }
  vote.pass();  // every rank is ready (nothing written yet): from here on all of them step together
  made.release();
  if (root) {
    metrics.truncate_to(state.epoch);
    write_file_atomically(dir + "/config.json", to_json(config).dump(2) + "\n", "train");
    write_file_atomically(dir + "/classes.json", nlohmann::json(data.classes).dump(1) + "\n", "train");
    dist::write_run_record(dir, dist::size(), dopt.sync_bn);
  }
  dist::broadcast_module(*model);  // identical start (they already are: same seed, same checkpoint)
  dist::SyncBnScope sync_bn(dopt.sync_bn);
  dist::GradSync grad_sync(model->parameters());
  dist::Watchdog watchdog(dopt.timeout_seconds);  // times every collective from here on
  std::optional<InterruptGuard> interrupts;  // SIGINT/SIGTERM: stop at the next step boundary
  if (options.stop_on_signals) interrupts.emplace();

  std::fprintf(log, "excite train: %s, %s (%lld params, %.1f M multiply-adds/image), %d threads -> %s\n",
               data.train->description().c_str(), config.model.arch.c_str(), static_cast<long long>(prof.params),
               static_cast<double>(prof.macs) / 1e6, num_threads(), dir.c_str());
  if (dist::distributed())
    std::fprintf(log, "data-parallel: %d ranks, global batch %d (%d to %d images per rank), BN statistics %s\n",
                 dist::size(), config.batch_size, config.batch_size / dist::size(),
                 (config.batch_size + dist::size() - 1) / dist::size(), sync_bn.active() ? "synchronised" : "per rank");
  if (state.batch > 0)
    std::fprintf(log, "resuming in epoch %d after batch %lld (step %lld)\n", state.epoch + 1,
                 static_cast<long long>(state.batch), static_cast<long long>(state.step));
  else if (state.epoch > 0)
    std::fprintf(log, "resuming after epoch %d (step %lld)\n", state.epoch, static_cast<long long>(state.step));

  Progress progress(log, options.interactive && !dist::distributed());  // no bar in mpirun's pty
  RunSummary summary;
  summary.run_dir = dir;
  summary.params = prof.params;
  summary.macs = prof.macs;
  double train_seconds = 0;
  int64_t train_images = 0;
  bool plot_warned = false;
  model->train();
  const int last_epoch =
      options.stop_after_epochs > 0 ? std::min(config.epochs, state.epoch + options.stop_after_epochs) : config.epochs;
  for (int epoch = state.epoch; epoch < last_epoch; ++epoch) {
    const auto epoch_start = Clock::now();
    train_loader.set_epoch(epoch);
    progress.start_epoch(epoch + 1, config.epochs, steps_per_epoch);
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, done = 0;
    if (state.batch > 0) {  // resumed mid-epoch: its first batches are done, their sums saved
      train_loader.set_first_batch(state.batch);
      done = state.batch;
      if (root) {  // the saved sums are over all ranks: count them once
        loss_sum = state.loss_sum;
        correct = state.correct;
        seen = state.seen;
      }
      state.batch = state.correct = state.seen = 0;
      state.loss_sum = 0;
    }
    data::Batch share_storage;
    for (const data::Batch& global_batch : train_loader) {
      dist::maybe_inject_fault(state.step);  // tests only (EXCITE_DIST_FAULT)
      const data::Batch& b = dist::local_share(global_batch, share_storage);  // this rank's rows
      opt->set_lr(schedule(state.step));
      Variable logits = (*model)(Variable(b.images));
      Variable loss = cross_entropy(logits, b.labels, static_cast<float>(config.label_smoothing));
      const float loss_value = loss.item();
      EXCITE_CHECK(std::isfinite(loss_value),
                   "train: the loss became " << loss_value << " at epoch " << epoch + 1 << ", step " << done + 1
                                             << " (lower --lr?); "
                                             << (state.epoch > 0 ? "the last good checkpoint is " + checkpoint_path
                                                                 : std::string("no epoch had finished, so no checkpoint")));
      opt->zero_grad();
      if (dist::distributed())  // d(global mean loss) = (n_local / N) d(local mean loss), then summed
        loss.backward(Tensor::full(loss.shape(), static_cast<float>(b.size()) / static_cast<float>(global_batch.size())));
      else
        loss.backward();
      grad_sync.allreduce();
      opt->step();
      ++state.step;
      const int64_t n = static_cast<int64_t>(b.labels.size());
      loss_sum += static_cast<double>(loss_value) * static_cast<double>(n);
      correct += topk_correct(logits.data(), b.labels, 1);
      seen += n;
      progress.step(++done, seen, loss_sum / static_cast<double>(seen), static_cast<double>(correct) / static_cast<double>(seen));
      if (!interrupts) continue;
      maybe_raise_at_step(state.step);  // tests only (EXCITE_RAISE_AT_STEP)
      int sig = stop_signal();
      if (dist::distributed()) {  // every rank stops at the same step
        int64_t any = sig != 0;
        dist::allreduce_sum(&any, 1);
        if (any > 0 && sig == 0) sig = SIGTERM;
      }
      if (sig == 0) continue;
      TrainingState mid = state;  // mid-epoch: the batches done and the sums so far, over all ranks
      mid.batch = done;
      mid.loss_sum = loss_sum;
      mid.correct = correct;
      mid.seen = seen;
      dist::reduce_train_metrics(mid.loss_sum, mid.correct, mid.seen);
      mid.rng = global_generator().state();
      if (root) {
        save_checkpoint(checkpoint_path, {model->state_dict(), opt->state(), mid});
        if (options.interactive) std::fprintf(log, "\n");  // below the progress bar
        std::fflush(log);
        std::fprintf(stderr, "interrupted at epoch %d step %lld; continue with excite train --resume %s\n", epoch + 1,
                     static_cast<long long>(done), dir.c_str());
      }
      summary.interrupted = sig;
      summary.epochs = state.epoch;
      return summary;
    }
    dist::reduce_train_metrics(loss_sum, correct, seen);
    const double epoch_train_seconds = seconds_since(epoch_start);
    if (!sync_bn.active()) dist::broadcast_buffers(*model);  // rank 0's BN statistics, evaluated and saved
    const EvalResult test = dist::reduce_eval(evaluate(*model, test_loader));

    EpochMetrics m;
    m.epoch = epoch + 1;
    m.lr = opt->lr();
    m.train_loss = loss_sum / static_cast<double>(seen);
    m.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
    m.test_loss = test.loss;
    m.test_accuracy = test.accuracy;
    m.test_top5 = test.top5;
    m.seconds = seconds_since(epoch_start);
    m.images_per_second = static_cast<double>(seen) / epoch_train_seconds;
    train_seconds += epoch_train_seconds;
    train_images += seen;

    state.epoch = epoch + 1;
    state.rng = global_generator().state();
    if (test.accuracy > state.best_accuracy || state.epoch == 1) {
      state.best_accuracy = test.accuracy;
      if (root) layers::save_weights(*model, dir + "/best.safetensors");
    }
    if (!root) continue;  // rank 0 writes the epoch's files
    metrics.append(m);  // metrics first: a crash between the two leaves a row the resume cuts away
    save_checkpoint(checkpoint_path, {model->state_dict(), opt->state(), state});
    progress.end_epoch(epoch_line(m, config.epochs));
    std::string why;
    if (!plot_training_curves(dir, &why) && !plot_warned) {
      std::fprintf(stderr, "excite train: warning: no plot (%s)\n", why.c_str());
      plot_warned = true;
    }
  }

  if (!root || last_epoch < config.epochs) {  // other ranks, or stopped early on request: no final files
    summary.epochs = state.epoch;
    return summary;
  }
  const std::vector<EpochMetrics> rows = metrics.read();
  layers::save_weights(*model, dir + "/last.safetensors");
  EXCITE_CHECK(!rows.empty(), "train: no epoch finished in " << dir);
  summary.epochs = rows.back().epoch;
  summary.final_test_accuracy = rows.back().test_accuracy;
  summary.final_test_loss = rows.back().test_loss;
  for (const EpochMetrics& r : rows) summary.best_test_accuracy = std::max(summary.best_test_accuracy, r.test_accuracy);
  double total_seconds = 0;
  for (const EpochMetrics& r : rows) total_seconds += r.seconds;
  // Wall time of the whole run, including earlier sessions of a resumed run; images/s over the
  // epochs trained in this process.
  summary.wall_seconds = resuming ? total_seconds : seconds_since(wall_start);
  summary.train_images_per_second =
      train_seconds > 0 ? static_cast<double>(train_images) / train_seconds : rows.back().images_per_second;
  write_file_atomically(dir + "/summary.json", summary_json(summary, config).dump(2) + "\n", "train");
  return summary;
}

}  // namespace excite::apps
