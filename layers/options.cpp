#include "layers/options.h"

#include <algorithm>

namespace excite {

std::string flag_name(const std::string& key) {
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string to_string(const OptionValue& value) {
  struct Text {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      std::ostringstream s;
      s << d;
      return s.str();
    }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<int64_t>& list) const {
      std::string s = "[";
      for (size_t i = 0; i < list.size(); ++i) s += (i ? ", " : "") + std::to_string(list[i]);
      return s + "]";
    }
  };
  return std::visit(Text{}, value);
}

std::string type_name(const OptionValue& value) {
  static const char* names[] = {"true or false", "an integer", "a number", "a string", "a list of integers"};
  return names[value.index()];
}

void check_option(const OptionSpec& spec, const OptionValue& value, const std::string& owner) {
  const Setting& s = spec.setting;
  EXCITE_CHECK(value.index() == spec.initial.index(),
               owner << ": option '" << s.key << "' must be " << type_name(spec.initial) << ", got " << to_string(value));
  if (const auto* i = std::get_if<int64_t>(&value); i && spec.initial.index() == 1)
    EXCITE_CHECK(*i >= s.min, owner << ": option '" << s.key << "' must be at least " << s.min << ", got " << *i);
  if (const auto* text = std::get_if<std::string>(&value); text && !spec.choices.empty())
    EXCITE_CHECK(std::find(spec.choices.begin(), spec.choices.end(), *text) != spec.choices.end(),
                 owner << ": unknown " << s.key << " '" << *text << "' (expected " << join_names(spec.choices) << ")");
}

const OptionValue& OptionValues::at(const std::string& key) const {
  auto it = values_.find(key);
  EXCITE_CHECK(it != values_.end(), "options: no value for '" << key << "'");
  return it->second;
}

void refuse_unknown_options(const OptionValues& values, const std::vector<std::string>& known, const std::string& owner) {
  for (const auto& [key, value] : values.items())
    EXCITE_CHECK(std::find(known.begin(), known.end(), key) != known.end(),
                 owner << " takes no option '" << key << "' ("
                       << (known.empty() ? std::string("it has no options") : "its options: " + join_names(known, ", "))
                       << ")");
}

}  // namespace excite
