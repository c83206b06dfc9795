#include "apps/config.h"

#include <fstream>
#include <limits>
#include <set>

#include "core/error.h"

namespace excite::apps {

namespace {

// Every field is listed once, in visit(); the same list writes JSON and reads it.
struct Writer {
  nlohmann::json& j;
  template <typename T>
  void operator()(const char* key, T& value) { j[key] = value; }
};

// A value for an error message. dump() recurses once per nesting level, so a config nested a
// million levels deep overflowed the stack inside the message (found by fuzz/fuzz_config.cpp):
// scalars and flat lists are shown, anything nested is only named.
std::string shown(const nlohmann::json& v) {
  if (!v.is_structured()) return v.dump();
  for (const auto& e : v)
    if (e.is_structured()) return std::string("a nested ") + v.type_name();
  return v.dump();
}

// Whether an integer JSON value fits in T (a value outside T's range would be silently wrapped).
template <typename T>
bool fits(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  const int64_t i = v.get<int64_t>();
  if constexpr (std::is_unsigned_v<T>) return i >= 0;
  else return i >= std::numeric_limits<T>::min() && i <= std::numeric_limits<T>::max();
}

struct Reader {
  const nlohmann::json& j;
  const std::string& where;
  std::set<std::string>& seen;
  template <typename T>
  void operator()(const char* key, T& value) {
    seen.insert(key);
    if (!j.contains(key)) return;
    try {
      const nlohmann::json& v = j.at(key);
      if constexpr (std::is_same_v<T, bool>) {
        EXCITE_CHECK(v.is_boolean(), where << ": '" << key << "' must be true or false, got " << shown(v));
      } else if constexpr (std::is_integral_v<T>) {
        EXCITE_CHECK(v.is_number_integer(), where << ": '" << key << "' must be an integer, got " << shown(v));
        if constexpr (std::is_unsigned_v<T>)
          EXCITE_CHECK(v.is_number_unsigned() || v.get<int64_t>() >= 0,
                       where << ": '" << key << "' must not be negative, got " << shown(v));
        EXCITE_CHECK(fits<T>(v), where << ": '" << key << "' is out of range, got " << shown(v));
      } else if constexpr (std::is_floating_point_v<T>) {
        EXCITE_CHECK(v.is_number(), where << ": '" << key << "' must be a number, got " << shown(v));
      } else if constexpr (std::is_same_v<T, std::string>) {
        EXCITE_CHECK(v.is_string(), where << ": '" << key << "' must be a string, got " << shown(v));
      } else {
        EXCITE_CHECK(v.is_array(), where << ": '" << key << "' must be a list of integers, got " << shown(v));
        for (const auto& e : v)
          EXCITE_CHECK(e.is_number_integer() && fits<int>(e),
                       where << ": '" << key << "' must be a list of integers, got " << shown(v));
      }
      value = v.get<T>();
    } catch (const nlohmann::json::exception& e) {
      EXCITE_FAIL(where << ": '" << key << "': " << e.what());
    }
  }
};

template <typename V>
void visit_model(ModelConfig& m, V&& f) {
  f("arch", m.arch);
  f("num_classes", m.num_classes);
  f("in_channels", m.in_channels);
  f("se", m.se);
  f("reduction", m.reduction);
  f("min_channels", m.min_channels);
  f("squeeze", m.squeeze);
  f("gate", m.gate);
  f("se_bias", m.se_bias);
  f("se_position", m.se_position);
  f("se_stages", m.se_stages);
}

template <typename V>
void visit(TrainConfig& c, V&& f) {
  f("dataset", c.dataset);
  f("data_dir", c.data_dir);
  f("val_dir", c.val_dir);
  f("input_size", c.input_size);
  f("augment", c.augment);
  f("cutout", c.cutout);
  f("limit_train", c.limit_train);
  f("limit_test", c.limit_test);
  f("epochs", c.epochs);
  f("batch_size", c.batch_size);
  f("optimizer", c.optimizer);
  f("lr", c.lr);
  f("momentum", c.momentum);
  f("nesterov", c.nesterov);
  f("weight_decay", c.weight_decay);
  f("decay_bn_and_bias", c.decay_bn_and_bias);
  f("schedule", c.schedule);
  f("warmup_epochs", c.warmup_epochs);
  f("milestones", c.milestones);
  f("gamma", c.gamma);
  f("label_smoothing", c.label_smoothing);
  f("threads", c.threads);
  f("workers", c.workers);
  f("seed", c.seed);
  f("out", c.out);
  f("save_every_epoch", c.save_every_epoch);
}

void refuse_unknown(const nlohmann::json& j, const std::set<std::string>& known, const std::string& where) {
  for (auto& [key, value] : j.items()) {
    if (known.count(key)) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    EXCITE_FAIL(where << ": unknown key '" << key << "' (known keys: " << list << ")");
  }
}

bool one_of(const std::string& v, std::initializer_list<const char*> options) {
  for (const char* o : options)
    if (v == o) return true;
  return false;
}

}  // namespace

nlohmann::json to_json(const TrainConfig& config) {
  TrainConfig c = config;
  nlohmann::json j, model;
  visit(c, Writer{j});
  visit_model(c.model, Writer{model});
  j["model"] = model;
  return j;
}

void merge_json(TrainConfig& c, const nlohmann::json& j, const std::string& where) {
  EXCITE_CHECK(j.is_object(), where << ": a config must be a JSON object");
  std::set<std::string> seen{"model"};
  visit(c, Reader{j, where, seen});
  refuse_unknown(j, seen, where);
  if (j.contains("model")) {
    EXCITE_CHECK(j["model"].is_object(), where << ": 'model' must be an object");
    std::set<std::string> model_seen;
    visit_model(c.model, Reader{j["model"], where + " (model)", model_seen});
    refuse_unknown(j["model"], model_seen, where + " (model)");
  }
}

TrainConfig load_config_file(const std::string& path) {
  std::ifstream in(path);
  EXCITE_CHECK(in, "config: cannot open " << path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    EXCITE_FAIL("config: " << path << " is not valid JSON (" << e.what() << ")");
  }
  TrainConfig c;
  merge_json(c, j, "config " + path);
  return c;
}

void validate(const TrainConfig& c) {
  EXCITE_CHECK(one_of(c.dataset, {"fashion-mnist", "mnist", "cifar10", "cifar100", "folder"}),
               "config: dataset '" << c.dataset << "' unknown (fashion-mnist, mnist, cifar10, cifar100, folder)");
  EXCITE_CHECK(c.dataset != "folder" || !c.data_dir.empty(), "config: dataset 'folder' needs data_dir (--data)");
  EXCITE_CHECK(one_of(c.augment, {"default", "none", "flip", "crop-flip", "imagenet"}),
               "config: augment '" << c.augment << "' unknown (default, none, flip, crop-flip, imagenet)");
  EXCITE_CHECK(c.epochs >= 1, "config: epochs must be at least 1, got " << c.epochs);
  EXCITE_CHECK(c.batch_size >= 1, "config: batch_size must be at least 1, got " << c.batch_size);
  EXCITE_CHECK(c.lr > 0, "config: lr must be positive, got " << c.lr);
  EXCITE_CHECK(c.momentum >= 0 && c.momentum < 1, "config: momentum must be in [0, 1), got " << c.momentum);
  EXCITE_CHECK(c.weight_decay >= 0, "config: weight_decay must not be negative, got " << c.weight_decay);
  EXCITE_CHECK(c.label_smoothing >= 0 && c.label_smoothing < 1,
               "config: label_smoothing must be in [0, 1), got " << c.label_smoothing);
  EXCITE_CHECK(one_of(c.optimizer, {"sgd", "adamw"}), "config: optimizer '" << c.optimizer << "' unknown (sgd, adamw)");
  EXCITE_CHECK(one_of(c.schedule, {"cosine", "onecycle", "step", "constant"}),
               "config: schedule '" << c.schedule << "' unknown (cosine, onecycle, step, constant)");
  EXCITE_CHECK(c.warmup_epochs >= 0 && c.warmup_epochs <= c.epochs,
               "config: warmup_epochs must be in [0, epochs], got " << c.warmup_epochs);
  EXCITE_CHECK(c.gamma > 0, "config: gamma must be positive, got " << c.gamma);
  EXCITE_CHECK(c.threads >= 0 && c.workers >= 0, "config: threads and workers must not be negative");
  EXCITE_CHECK(c.cutout >= 0 && c.input_size >= 0 && c.limit_train >= 0 && c.limit_test >= 0,
               "config: cutout, input_size, limit_train and limit_test must not be negative");
  const ModelConfig& m = c.model;
  EXCITE_CHECK(m.num_classes >= 0 && m.in_channels >= 0, "config: num_classes and in_channels must not be negative");
  EXCITE_CHECK(m.reduction >= 1, "config: reduction must be at least 1, got " << m.reduction);
  EXCITE_CHECK(m.min_channels >= 1, "config: min_channels must be at least 1, got " << m.min_channels);
  EXCITE_CHECK(one_of(m.squeeze, {"avg", "max", "avgmax"}), "config: squeeze '" << m.squeeze << "' unknown (avg, max, avgmax)");
  EXCITE_CHECK(one_of(m.gate, {"sigmoid", "hard_sigmoid", "tanh", "relu"}),
               "config: gate '" << m.gate << "' unknown (sigmoid, hard_sigmoid, tanh, relu)");
  EXCITE_CHECK(one_of(m.se_position, {"standard", "pre", "post", "identity"}),
               "config: se_position '" << m.se_position << "' unknown (standard, pre, post, identity)");
}

}  // namespace excite::apps
