#include "apps/cli.h"

namespace excite::apps {

CLI::Option* Overrides::bind_flag(CLI::App& app, const std::string& flag, std::function<void(TrainConfig&)> set,
                                  const std::string& help) {
  CLI::Option* option = app.add_flag(flag, help);
  apply_.push_back([option, set](TrainConfig& c) {
    if (option->count() > 0) set(c);
  });
  return option;
}

void add_model_flags(CLI::App& app, Overrides& o) {
  using C = TrainConfig;
  o.bind<std::string>(app, "--arch", [](C& c) -> std::string& { return c.model.arch; },
                      "architecture: resnet20/32/44/56/110, resnet8, resnet18/34/50/101/152, se<any of these>");
  o.bind<int>(app, "--num-classes", [](C& c) -> int& { return c.model.num_classes; }, "classes (default: the dataset's)");
  o.bind<int>(app, "--in-channels", [](C& c) -> int& { return c.model.in_channels; }, "input channels (default: the dataset's)");
  o.bind<int>(app, "--reduction", [](C& c) -> int& { return c.model.reduction; }, "SE reduction ratio r (16)");
  o.bind<int>(app, "--min-channels", [](C& c) -> int& { return c.model.min_channels; }, "SE minimum hidden width (8)");
  o.bind<std::string>(app, "--squeeze", [](C& c) -> std::string& { return c.model.squeeze; }, "SE squeeze: avg | max | avgmax")
      ->check(CLI::IsMember({"avg", "max", "avgmax"}));
  o.bind<std::string>(app, "--gate", [](C& c) -> std::string& { return c.model.gate; },
                      "SE gate: sigmoid | hard_sigmoid | tanh | relu")
      ->check(CLI::IsMember({"sigmoid", "hard_sigmoid", "tanh", "relu"}));
  o.bind_flag(app, "--se-bias", [](C& c) { c.model.se_bias = true; }, "SE FC layers with bias");
  o.bind<std::string>(app, "--se-position", [](C& c) -> std::string& { return c.model.se_position; },
                      "where SE sits in a block: standard | pre | post | identity")
      ->check(CLI::IsMember({"standard", "pre", "post", "identity"}));
  o.bind<std::vector<int>>(app, "--se-stages", [](C& c) -> std::vector<int>& { return c.model.se_stages; },
                           "stages carrying SE, 1-based (default: all)")
      ->delimiter(',');
  o.bind_flag(app, "--no-se", [](C& c) { c.model.se = false; }, "the same model without SE");
}

void add_data_flags(CLI::App& app, Overrides& o) {
  using C = TrainConfig;
  o.bind<std::string>(app, "--dataset", [](C& c) -> std::string& { return c.dataset; },
                      "fashion-mnist | mnist | cifar10 | cifar100 | folder")
      ->check(CLI::IsMember({"fashion-mnist", "mnist", "cifar10", "cifar100", "folder"}));
  o.bind<std::string>(app, "--data", [](C& c) -> std::string& { return c.data_dir; },
                      "where the dataset is (default: $EXCITE_DATA, then standard places)");
  o.bind<std::string>(app, "--val-data", [](C& c) -> std::string& { return c.val_dir; },
                      "folder datasets: the validation folder");
  o.bind<int>(app, "--input-size", [](C& c) -> int& { return c.input_size; }, "folder datasets: input crop size");
  o.bind<int64_t>(app, "--limit-train", [](C& c) -> int64_t& { return c.limit_train; }, "use only N training images");
  o.bind<int64_t>(app, "--limit-test", [](C& c) -> int64_t& { return c.limit_test; }, "use only N test images");
  o.bind<int>(app, "--workers", [](C& c) -> int& { return c.workers; }, "loader threads (2)");
}

void add_train_flags(CLI::App& app, Overrides& o) {
  using C = TrainConfig;
  o.bind<int>(app, "--epochs", [](C& c) -> int& { return c.epochs; }, "epochs");
  o.bind<int>(app, "--batch", [](C& c) -> int& { return c.batch_size; }, "batch size");
  o.bind<std::string>(app, "--optimizer", [](C& c) -> std::string& { return c.optimizer; }, "sgd | adamw")
      ->check(CLI::IsMember({"sgd", "adamw"}));
  o.bind<double>(app, "--lr", [](C& c) -> double& { return c.lr; }, "peak learning rate");
  o.bind<double>(app, "--momentum", [](C& c) -> double& { return c.momentum; }, "SGD momentum");
  o.bind_flag(app, "--no-nesterov", [](C& c) { c.nesterov = false; }, "plain momentum instead of Nesterov");
  o.bind<double>(app, "--weight-decay", [](C& c) -> double& { return c.weight_decay; }, "weight decay");
  o.bind_flag(app, "--decay-bn-and-bias", [](C& c) { c.decay_bn_and_bias = true; },
              "apply weight decay to BN parameters and biases too");
  o.bind<std::string>(app, "--schedule", [](C& c) -> std::string& { return c.schedule; },
                      "cosine | onecycle | step | constant")
      ->check(CLI::IsMember({"cosine", "onecycle", "step", "constant"}));
  o.bind<double>(app, "--warmup", [](C& c) -> double& { return c.warmup_epochs; }, "linear warm-up, in epochs");
  o.bind<std::vector<int>>(app, "--milestones", [](C& c) -> std::vector<int>& { return c.milestones; },
                           "step schedule: epochs where lr *= gamma")
      ->delimiter(',');
  o.bind<double>(app, "--gamma", [](C& c) -> double& { return c.gamma; }, "step schedule factor");
  o.bind<double>(app, "--label-smoothing", [](C& c) -> double& { return c.label_smoothing; }, "label smoothing");
  o.bind<std::string>(app, "--augment", [](C& c) -> std::string& { return c.augment; },
                      "default | none | flip | crop-flip | imagenet")
      ->check(CLI::IsMember({"default", "none", "flip", "crop-flip", "imagenet"}));
  o.bind<int>(app, "--cutout", [](C& c) -> int& { return c.cutout; }, "cutout square size (0: off)");
  o.bind<int>(app, "--threads", [](C& c) -> int& { return c.threads; }, "compute threads (0: all cores)");
  o.bind<uint64_t>(app, "--seed", [](C& c) -> uint64_t& { return c.seed; }, "random seed")
      ->check(CLI::NonNegativeNumber);  // CLI11 would wrap -1 to 2^64 - 1
  o.bind<std::string>(app, "--out", [](C& c) -> std::string& { return c.out; }, "run directory");
}

}  // namespace excite::apps
