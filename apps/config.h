// apps/config.h — everything a training run needs, as one struct that reads and writes JSON.
//
// A config file may set any subset of the keys; flags override the file; the defaults are the
// quick-start run (Fashion-MNIST, a small SE-ResNet, a schedule that reaches 92 % within 5
// minutes on 2 cores). from_json refuses unknown keys and wrong types, validate() refuses values
// that cannot work (negative LR, zero epochs, ...): both before any work starts. The run
// directory keeps the full config used (config.json), so a run can be resumed and compared.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace excite::apps {

struct ModelConfig {
  std::string arch = "seresnet8";
  int num_classes = 0;  // 0: from the dataset
  int in_channels = 0;  // 0: from the dataset
  // SE options (the seed's defaults)
  bool se = true;
  int reduction = 16;
  int min_channels = 8;
  std::string squeeze = "avg";     // avg | max | avgmax
  std::string gate = "sigmoid";    // sigmoid | hard_sigmoid | tanh | relu
  bool se_bias = false;
  std::string se_position = "standard";  // standard | pre | post | identity
  std::vector<int> se_stages = {};       // empty: every stage (1-based stage numbers)
};

struct TrainConfig {
  // data
  std::string dataset = "fashion-mnist";  // fashion-mnist | mnist | cifar10 | cifar100 | folder
  std::string data_dir = "";              // "": the flag, then $EXCITE_DATA, then standard places
  std::string val_dir = "";               // folder datasets: the validation folder ("" = <data_dir>/val)
  int input_size = 0;                     // folder datasets: crop size (0: 224)
  std::string augment = "default";        // default | none | flip | crop-flip | imagenet
  int cutout = 0;                         // cutout square size in pixels, 0 = off
  int64_t limit_train = 0;                // use only the first N training images (0 = all)
  int64_t limit_test = 0;                 // use only the first N test images (0 = all)
  // model
  ModelConfig model;
  // optimisation
  int epochs = 10;
  int batch_size = 128;
  std::string optimizer = "sgd";          // sgd | adamw
  double lr = 0.2;
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4;
  bool decay_bn_and_bias = false;         // false: no weight decay on BN parameters and biases
  std::string schedule = "cosine";        // cosine | onecycle | step | constant
  double warmup_epochs = 1.0;
  std::vector<int> milestones = {};       // step schedule: epochs at which lr *= gamma
  double gamma = 0.1;
  double label_smoothing = 0.1;
  // run
  int threads = 0;                        // 0: all cores
  int workers = 2;                        // loader threads
  uint64_t seed = 0;
  std::string out = "";                   // run directory ("" = runs/<dataset>-<arch>-<time>)
  bool save_every_epoch = true;
};

nlohmann::json to_json(const TrainConfig& c);
// Fills `c` from `j` (only the keys present); throws naming the key on unknown keys or wrong types.
void merge_json(TrainConfig& c, const nlohmann::json& j, const std::string& where);
TrainConfig load_config_file(const std::string& path);
void validate(const TrainConfig& c);

}  // namespace excite::apps
