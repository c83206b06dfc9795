#include "apps/train/config.h"

#include <fstream>
#include <limits>
#include <set>

#include "core/error.h"

namespace excite::apps {

namespace {

using nlohmann::json;

// A value for an error message. dump() recurses once per nesting level, so a config nested a
// million levels deep overflowed the stack inside the message (found by fuzz/fuzz_config.cpp):
// scalars and flat lists are shown, anything nested is only named.
std::string shown(const json& v) {
  if (!v.is_structured()) return v.dump();
  for (const auto& e : v)
    if (e.is_structured()) return std::string("a nested ") + v.type_name();
  return v.dump();
}

// Whether an integer JSON value fits in T (a value outside T's range would be silently wrapped).
template <typename T>
bool fits(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  const int64_t i = v.get<int64_t>();
  if constexpr (std::is_unsigned_v<T>) return i >= 0;
  else return i >= std::numeric_limits<T>::min() && i <= std::numeric_limits<T>::max();
}

template <typename T>
struct is_int_list : std::false_type {};
template <typename I>
struct is_int_list<std::vector<I>> : std::is_integral<I> {};

// One value of a setting's type from JSON, every type check naming the key.
template <typename T>
void read_value(const json& v, const std::string& where, const std::string& key, T& value) {
  try {
    if constexpr (std::is_same_v<T, bool>) {
      EXCITE_CHECK(v.is_boolean(), where << ": '" << key << "' must be true or false, got " << shown(v));
    } else if constexpr (Named<T>) {
      EXCITE_CHECK(v.is_string(), where << ": '" << key << "' must be a string, got " << shown(v));
      try {
        value = parse_name<T>(v.get<std::string>());
      } catch (const Error& e) {
        EXCITE_FAIL(where << ": '" << key << "': " << e.what());
      }
      return;
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
      static_assert(is_int_list<T>::value, "a setting of a type the config cannot read");
      EXCITE_CHECK(v.is_array(), where << ": '" << key << "' must be a list of integers, got " << shown(v));
      for (const auto& e : v)
        EXCITE_CHECK(e.is_number_integer() && fits<int>(e),
                     where << ": '" << key << "' must be a list of integers, got " << shown(v));
    }
    value = v.get<T>();
  } catch (const json::exception& e) {
    EXCITE_FAIL(where << ": '" << key << "': " << e.what());
  }
}

struct Writer {
  json& j;
  template <typename T>
  void operator()(const Setting& s, T& value) {
    if constexpr (Named<T>) j[s.key] = name_of(value);
    else j[s.key] = value;
  }
};

// Reads the settings present in `j` (under their key or an older one) and notes every name it
// knows, so that what is left over can be refused.
struct Reader {
  const json& j;
  const std::string& where;
  std::set<std::string>& seen;
  template <typename T>
  void operator()(const Setting& s, T& value) {
    read(s, value);
  }
  // True if `j` has the setting.
  template <typename T>
  bool read(const Setting& s, T& value) {
    seen.insert(s.key);
    const char* found = j.contains(s.key) ? s.key.c_str() : nullptr;
    for (const std::string& alias : s.aliases) {
      seen.insert(alias);
      if (!j.contains(alias)) continue;
      EXCITE_CHECK(found == nullptr, where << ": '" << alias << "' is an older name of '" << s.key << "': give one of them");
      found = alias.c_str();
    }
    if (found) read_value(j.at(found), where, found, value);
    return found != nullptr;
  }
};

// The known keys for the message: the current names only.
template <typename Visit>
std::string known_keys(Visit visit, const std::vector<OptionSpec>& extra = {}) {
  std::set<std::string> keys;
  visit([&](const Setting& s, auto&) { keys.insert(s.key); });
  for (const OptionSpec& spec : extra) keys.insert(spec.setting.key);
  std::string list;
  for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
  return list;
}

void refuse_unknown(const json& j, const std::set<std::string>& seen, const std::string& where, const std::string& known) {
  for (auto& [key, value] : j.items())
    EXCITE_CHECK(seen.count(key), where << ": unknown key '" << key << "' (known keys: " << known << ")");
}

// The model object: ModelOptions' own settings and the options of any attention kind. A config
// written before attention kinds existed has "se" (true or false) and every SE key, whatever the
// arch: "se": false means attention none, and an arch without SE ignores the SE keys, as then.
void merge_model(layers::ModelOptions& m, const json& j, const std::string& where) {
  EXCITE_CHECK(j.is_object(), where << ": 'model' must be an object");
  std::set<std::string> seen{"se"};
  Reader reader{j, where, seen};
  visit_fields(m, reader);
  const std::vector<OptionSpec> specs = layers::all_attention_options();
  for (const OptionSpec& spec : specs)
    std::visit(
        [&](auto value) {
          if (reader.read(spec.setting, value)) m.attention.options.set(spec.setting.key, value);
        },
        spec.initial);
  refuse_unknown(j, seen, where, known_keys([&](auto f) { visit_fields(m, f); }, specs));
  if (j.contains("se")) {
    bool se = true;
    read_value(j.at("se"), where, "se", se);
    const bool arch_without_se = m.attention.kind.empty() && layers::default_attention(m.arch) == "none";
    if (!se || arch_without_se) m.attention = {.kind = "none"};
  }
}

}  // namespace

OptionValue option_from_json(const json& v, const OptionSpec& spec, const std::string& where, const std::string& key) {
  return std::visit(
      [&](auto value) -> OptionValue {
        read_value(v, where, key, value);
        return value;
      },
      spec.initial);
}

std::string json_fingerprint(const json& j) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : j.dump()) h = (h ^ ch) * 1099511628211ull;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

json option_to_json(const OptionValue& value) {
  return std::visit([](const auto& x) { return json(x); }, value);
}

json to_json(const TrainConfig& config) {
  TrainConfig c = config;
  json j, model;
  visit_fields(c, Writer{j});
  visit_fields(c.model, Writer{model});
  if (c.model.attention.kind.empty()) model["attention"] = layers::default_attention(c.model.arch);
  for (const auto& [key, value] : c.model.attention.options.items()) model[key] = option_to_json(value);
  j["model"] = model;
  return j;
}

void merge_json(TrainConfig& c, const json& j, const std::string& where) {
  EXCITE_CHECK(j.is_object(), where << ": a config must be a JSON object");
  std::set<std::string> seen{"model", "save_every_epoch"};
  visit_fields(c, Reader{j, where, seen});
  refuse_unknown(j, seen, where, "model, " + known_keys([&](auto f) { visit_fields(c, f); }));
  if (j.contains("save_every_epoch")) {
    bool ignored = true;
    read_value(j.at("save_every_epoch"), where, "save_every_epoch", ignored);
  }
  if (j.contains("model")) merge_model(c.model, j.at("model"), where + " (model)");
}

json load_json_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  EXCITE_CHECK(in, what << ": cannot open " << path);
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    EXCITE_FAIL(what << ": " << path << " is not valid JSON (" << e.what() << ")");
  }
}

TrainConfig load_config_file(const std::string& path) {
  TrainConfig c;
  merge_json(c, load_json_file(path, "config"), "config " + path);
  return c;
}

TrainConfig validated(TrainConfig c) {
  auto check_min = [](const Setting& s, auto& value) {
    using T = std::decay_t<decltype(value)>;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
      EXCITE_CHECK(static_cast<int64_t>(value) >= s.min,
                   "config: " << s.key << " must be at least " << s.min << ", got " << value);
  };
  visit_fields(c, check_min);
  visit_fields(c.model, check_min);
  EXCITE_CHECK(c.dataset != Dataset::Folder || !c.data_dir.empty(), "config: dataset 'folder' needs data_dir (--data-dir)");
  EXCITE_CHECK(c.lr > 0, "config: lr must be positive, got " << c.lr);
  EXCITE_CHECK(c.momentum >= 0 && c.momentum < 1, "config: momentum must be in [0, 1), got " << c.momentum);
  EXCITE_CHECK(c.weight_decay >= 0, "config: weight_decay must not be negative, got " << c.weight_decay);
  EXCITE_CHECK(c.label_smoothing >= 0 && c.label_smoothing < 1,
               "config: label_smoothing must be in [0, 1), got " << c.label_smoothing);
  EXCITE_CHECK(c.warmup_epochs >= 0 && c.warmup_epochs <= c.epochs,
               "config: warmup_epochs must be in [0, epochs], got " << c.warmup_epochs);
  EXCITE_CHECK(c.gamma > 0, "config: gamma must be positive, got " << c.gamma);
  try {
    c.model = layers::completed(c.model);
  } catch (const Error& e) {
    const bool plain_arch = c.model.attention.kind.empty() && layers::default_attention(c.model.arch) == "none";
    EXCITE_FAIL("config: " << e.what()
                           << (plain_arch && !c.model.attention.options.empty()
                                   ? " (" + c.model.arch + " has no attention: --attention KIND, or the arch se" +
                                         c.model.arch + ", adds it)"
                                   : std::string()));
  }
  return c;
}

}  // namespace excite::apps
