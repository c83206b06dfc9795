// layers/options.h — settings by name: what a flag and a JSON key carry to a layer.
//
// An options struct lists its fields once, in a visit function beside it, each with a Setting
// (its key, help, older spellings and rule):
//
//   template <typename F> void visit_fields(SEOptions& o, F&& f) {
//     f(Setting{.key = "reduction", .help = "...", .min = 1, .factor = true}, o.reduction);
//     f(Setting{.key = "squeeze", .help = "..."}, o.squeeze);   // an enum: its vocabulary's names
//     ...
//   }
//
// Every reader and writer is made from that one list: the JSON config (apps/train/config.cpp),
// the flags (apps/cli/flags.cpp: the flag of key `min_channels` is `--min-channels`, one rule for
// every setting), and, here, the conversion to and from OptionValues.
//
// OptionValues is the same settings as named values, for code that cannot know the struct: an
// attention kind's options travel from the command line and the JSON config to the kind as
// OptionValues (layers/attention.h), and the kind turns them into its struct once, with
// read_options<SEOptions>(values, "attention 'se'"), which fills in the defaults and refuses an
// unknown key, a wrong type or a value against the rule, naming the owner and the option.
// Field types: bool, integers, double, std::string, an enum with a Vocabulary (a text option),
// std::vector<int64_t>.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "layers/vocabulary.h"

namespace excite {

// How a setting is named and checked.
// Keys are strings, not `const char*`: two kinds that both declare "gate" must compare equal by
// content (a pointer comparison held only where the linker merged equal literals; ASan's
// instrumented literals are not merged, and a study then saw SE's gate as a different factor).
struct Setting {
  std::string key = "";                   // the JSON key; its flag is flag_name(key)
  const char* help = "";
  std::vector<std::string> aliases = {};  // older keys, still read (their flags still parsed)
  int64_t min = std::numeric_limits<int64_t>::min();  // integers: the smallest value allowed
  bool factor = false;                    // an ablation study may vary it
};

// The one naming rule: key "min_channels" <-> flag "--min-channels".
std::string flag_name(const std::string& key);

using OptionValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>>;
std::string to_string(const OptionValue& value);  // "8", "avg", "true", "[1, 2]"
std::string type_name(const OptionValue& value);  // "true or false", "an integer", ...

struct OptionSpec {
  Setting setting;
  OptionValue initial;                    // the default; its alternative is the option's type
  std::vector<std::string> choices = {};  // a text option's allowed names (an enum's vocabulary)
};

// Throws unless `value` has the spec's type and keeps its rule; `owner` names it ("attention 'se'").
void check_option(const OptionSpec& spec, const OptionValue& value, const std::string& owner);

// Named values, a key at most once, in key order.
class OptionValues {
 public:
  bool has(const std::string& key) const { return values_.count(key) > 0; }
  const OptionValue& at(const std::string& key) const;
  void set(const std::string& key, OptionValue value) { values_[key] = std::move(value); }
  void erase(const std::string& key) { values_.erase(key); }
  void clear() { values_.clear(); }
  bool empty() const { return values_.empty(); }
  const std::map<std::string, OptionValue>& items() const { return values_; }
  bool operator==(const OptionValues&) const = default;

 private:
  std::map<std::string, OptionValue> values_;
};

// A field's value as an OptionValue (an enum as its name), and back (the value already checked).
template <typename T>
OptionValue option_value(const T& field) {
  if constexpr (Named<T>) return name_of(field);
  else if constexpr (std::is_same_v<T, bool>) return field;
  else if constexpr (std::is_integral_v<T>) return static_cast<int64_t>(field);
  else return field;
}

template <typename T>
void assign_option(const OptionValue& value, T& field) {
  if constexpr (Named<T>) field = parse_name<T>(std::get<std::string>(value));
  else if constexpr (std::is_same_v<T, bool>) field = std::get<bool>(value);
  else if constexpr (std::is_integral_v<T>) field = static_cast<T>(std::get<int64_t>(value));
  else field = std::get<T>(value);
}

namespace options_detail {

template <typename T>
OptionSpec spec_of(const Setting& setting, const T& field) {
  if constexpr (Named<T>) return {setting, option_value(field), names_of<T>()};
  else return {setting, option_value(field), {}};
}

}  // namespace options_detail

// Throws naming the first key of `values` that is not in `known`: "<owner> takes no option 'k'".
void refuse_unknown_options(const OptionValues& values, const std::vector<std::string>& known, const std::string& owner);

// The options of T, with the defaults of T{}.
template <typename T>
std::vector<OptionSpec> option_specs() {
  T defaults{};
  std::vector<OptionSpec> out;
  visit_fields(defaults, [&](const Setting& s, auto& field) { out.push_back(options_detail::spec_of(s, field)); });
  return out;
}

// T from named values (T{}'s default where a key is absent), every value checked.
template <typename T>
T read_options(const OptionValues& values, const std::string& owner) {
  T out{};
  std::vector<std::string> known;
  visit_fields(out, [&](const Setting& s, auto& field) {
    known.push_back(s.key);
    if (!values.has(s.key)) return;
    check_option(options_detail::spec_of(s, field), values.at(s.key), owner);
    assign_option(values.at(s.key), field);
  });
  refuse_unknown_options(values, known, owner);
  return out;
}

// Every option of `options`, as named values.
template <typename T>
OptionValues write_options(T options) {
  OptionValues out;
  visit_fields(options, [&](const Setting& s, auto& field) { out.set(s.key, option_value(field)); });
  return out;
}

}  // namespace excite
