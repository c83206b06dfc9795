// apps/train/config.h — everything a training run needs, as one struct, and the table of its
// settings.
//
// Every setting is listed once, in the visit functions below (the model's in layers/zoo.h, an
// attention kind's in its own file): its JSON key, its flag (flag_name(key), "batch_size" <->
// "--batch-size", the one naming rule of layers/options.h), help, older spellings and rule. The
// JSON reader and writer here and the command line (apps/cli/flags.cpp) are made from that table,
// so a flag and its key never drift apart. Enumerated settings use one vocabulary table each
// (layers/vocabulary.h): dataset, augment, optimizer, schedule here; position, squeeze and gate
// in layers/; the attention kinds are the registry's names (layers/attention.h).
//
// A config file may set any subset of the keys; flags override the file; the defaults are the
// quick-start run (Fashion-MNIST, SE-ResNet-8, a schedule that reaches 92 % within 5 minutes on
// 2 cores). The model is the object "model": the keys of layers::ModelOptions plus the options of
// its attention kind ("model": {"arch": "seresnet8", "attention": "se", "reduction": 8}).
// Reading refuses unknown keys and wrong types, validated() refuses values that cannot work and
// completes the model (its attention kind from the arch, the kind's defaults): both before any
// work starts. The run directory keeps the full config used (config.json).
//
// Older spellings, still read (deprecated, see README): flags --batch, --warmup, --data,
// --val-data, --se-bias, --se-position, --se-stages (and the same words as keys: se_bias,
// se_position, se_stages, ...); --no-se and the key "se": false mean attention none; the key
// save_every_epoch is ignored (every epoch is checkpointed).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "layers/zoo.h"

namespace excite::apps {

enum class Dataset { FashionMnist, Mnist, Cifar10, Cifar100, Folder };
enum class Augment { Default, None, Flip, CropFlip, ImageNet };
enum class OptimizerKind { Sgd, AdamW };
enum class ScheduleKind { Cosine, OneCycle, Step, Constant };

struct TrainConfig {
  // data
  Dataset dataset = Dataset::FashionMnist;
  std::string data_dir = "";  // "": $EXCITE_DATA, then standard places
  std::string val_dir = "";   // folder datasets: the validation folder ("" = <data_dir>/val)
  int input_size = 0;         // folder datasets: crop size (0: 224)
  int64_t limit_train = 0;    // use only the first N training images (0 = all)
  int64_t limit_test = 0;     // use only the first N test images (0 = all)
  int workers = 2;            // loader threads
  // model
  layers::ModelOptions model = {.arch = "seresnet8"};
  // training
  int epochs = 10;
  int batch_size = 128;
  OptimizerKind optimizer = OptimizerKind::Sgd;
  double lr = 0.2;
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4;
  bool decay_bn_and_bias = false;  // false: no weight decay on BN parameters and biases
  ScheduleKind schedule = ScheduleKind::Cosine;
  double warmup_epochs = 1.0;
  std::vector<int> milestones = {};  // step schedule: epochs at which lr *= gamma
  double gamma = 0.1;
  double label_smoothing = 0.1;
  Augment augment = Augment::Default;
  int cutout = 0;  // cutout square size in pixels, 0 = off
  int threads = 0;  // 0: all cores
  uint64_t seed = 0;
  std::string out = "";  // run directory ("" = runs/<dataset>-<arch>-<time>)
};

template <typename F>
void visit_data_fields(TrainConfig& c, F&& f) {
  f(Setting{.key = "dataset", .help = "the dataset"}, c.dataset);
  f(Setting{.key = "data_dir", .help = "where the dataset is (default: $EXCITE_DATA, then standard places)",
            .aliases = {"data"}},
    c.data_dir);
  f(Setting{.key = "val_dir", .help = "folder datasets: the validation folder (default: <data_dir>/val)",
            .aliases = {"val_data"}},
    c.val_dir);
  f(Setting{.key = "input_size", .help = "folder datasets: input crop size (0: 224)", .min = 0}, c.input_size);
  f(Setting{.key = "limit_train", .help = "use only the first N training images (0: all)", .min = 0}, c.limit_train);
  f(Setting{.key = "limit_test", .help = "use only the first N test images (0: all)", .min = 0}, c.limit_test);
  f(Setting{.key = "workers", .help = "loader threads (2)", .min = 0}, c.workers);
}

template <typename F>
void visit_training_fields(TrainConfig& c, F&& f) {
  f(Setting{.key = "epochs", .help = "epochs", .min = 1}, c.epochs);
  f(Setting{.key = "batch_size", .help = "batch size", .aliases = {"batch"}, .min = 1}, c.batch_size);
  f(Setting{.key = "optimizer", .help = "the optimizer"}, c.optimizer);
  f(Setting{.key = "lr", .help = "peak learning rate"}, c.lr);
  f(Setting{.key = "momentum", .help = "SGD momentum"}, c.momentum);
  f(Setting{.key = "nesterov", .help = "Nesterov momentum (--no-nesterov: plain momentum)"}, c.nesterov);
  f(Setting{.key = "weight_decay", .help = "weight decay"}, c.weight_decay);
  f(Setting{.key = "decay_bn_and_bias", .help = "apply weight decay to BN parameters and biases too"},
    c.decay_bn_and_bias);
  f(Setting{.key = "schedule", .help = "the LR schedule (after the warm-up)"}, c.schedule);
  f(Setting{.key = "warmup_epochs", .help = "linear warm-up, in epochs", .aliases = {"warmup"}}, c.warmup_epochs);
  f(Setting{.key = "milestones", .help = "step schedule: epochs where lr *= gamma"}, c.milestones);
  f(Setting{.key = "gamma", .help = "step schedule factor"}, c.gamma);
  f(Setting{.key = "label_smoothing", .help = "label smoothing"}, c.label_smoothing);
  f(Setting{.key = "augment", .help = "training augmentation (default: per dataset)"}, c.augment);
  f(Setting{.key = "cutout", .help = "cutout square size (0: off)", .min = 0}, c.cutout);
  f(Setting{.key = "threads", .help = "compute threads (0: all cores)", .min = 0}, c.threads);
  f(Setting{.key = "seed", .help = "random seed"}, c.seed);
  f(Setting{.key = "out", .help = "run directory (default: runs/<dataset>-<arch>-<time>)"}, c.out);
}

// Every top-level setting (the model is its own object, layers/zoo.h).
template <typename F>
void visit_fields(TrainConfig& c, F&& f) {
  visit_data_fields(c, f);
  visit_training_fields(c, f);
}

nlohmann::json to_json(const TrainConfig& c);
// Fills `c` from `j` (only the keys present); throws naming the key on unknown keys or wrong types.
void merge_json(TrainConfig& c, const nlohmann::json& j, const std::string& where);
TrainConfig load_config_file(const std::string& path);
// A JSON file; an unreadable or invalid one throws naming `what` ("config", "ablate") and the path.
nlohmann::json load_json_file(const std::string& path, const std::string& what);
// FNV-1a of the JSON text as 16 hex digits: stable across builds and platforms.
std::string json_fingerprint(const nlohmann::json& j);
// One value of an option from JSON, of the spec's type (type errors name `key` and `where`), and back.
OptionValue option_from_json(const nlohmann::json& v, const OptionSpec& spec, const std::string& where,
                             const std::string& key);
nlohmann::json option_to_json(const OptionValue& value);
// `c` checked (every rule, once) and completed: the model's attention kind resolved from the arch
// when not given, the kind's options completed.
TrainConfig validated(TrainConfig c);

}  // namespace excite::apps

namespace excite {
template <>
struct Vocabulary<apps::Dataset> {
  static constexpr const char* what = "dataset";
  static constexpr std::pair<apps::Dataset, const char*> names[] = {{apps::Dataset::FashionMnist, "fashion-mnist"},
                                                                    {apps::Dataset::Mnist, "mnist"},
                                                                    {apps::Dataset::Cifar10, "cifar10"},
                                                                    {apps::Dataset::Cifar100, "cifar100"},
                                                                    {apps::Dataset::Folder, "folder"}};
};
template <>
struct Vocabulary<apps::Augment> {
  static constexpr const char* what = "augment";
  static constexpr std::pair<apps::Augment, const char*> names[] = {{apps::Augment::Default, "default"},
                                                                    {apps::Augment::None, "none"},
                                                                    {apps::Augment::Flip, "flip"},
                                                                    {apps::Augment::CropFlip, "crop-flip"},
                                                                    {apps::Augment::ImageNet, "imagenet"}};
};
template <>
struct Vocabulary<apps::OptimizerKind> {
  static constexpr const char* what = "optimizer";
  static constexpr std::pair<apps::OptimizerKind, const char*> names[] = {{apps::OptimizerKind::Sgd, "sgd"},
                                                                          {apps::OptimizerKind::AdamW, "adamw"}};
};
template <>
struct Vocabulary<apps::ScheduleKind> {
  static constexpr const char* what = "schedule";
  static constexpr std::pair<apps::ScheduleKind, const char*> names[] = {{apps::ScheduleKind::Cosine, "cosine"},
                                                                         {apps::ScheduleKind::OneCycle, "onecycle"},
                                                                         {apps::ScheduleKind::Step, "step"},
                                                                         {apps::ScheduleKind::Constant, "constant"}};
};
}  // namespace excite
