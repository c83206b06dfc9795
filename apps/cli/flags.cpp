#include "apps/cli/flags.h"

#include <string>

#include "layers/attention.h"

namespace excite::apps {

namespace {

// "--batch-size,--batch": the flag of the key, then those of its older names.
std::string flag_names(const Setting& s) {
  std::string names = flag_name(s.key);
  for (const std::string& alias : s.aliases) names.append(",").append(flag_name(alias));  // not "," + ...: gcc 12 -Wrestrict false positive
  return names;
}

std::string braced(const std::vector<std::string>& names) { return "{" + join_names(names, ",", ",") + "}"; }

// One flag writing into `field`; returns the option and, for enumerated settings, what turns
// the text given into the value (checked against the vocabulary, the error naming the flag).
template <typename T>
std::pair<CLI::Option*, std::function<void(T&)>> bind(CLI::App& app, const Setting& s, T& field) {
  if constexpr (std::is_same_v<T, bool>) {
    std::string names = flag_names(s) + ",!" + flag_name(std::string("no_") + s.key);
    return {app.add_flag(names, field, s.help), {}};
  } else if constexpr (Named<T>) {
    auto text = std::make_shared<std::string>();
    CLI::Option* option = app.add_option(flag_names(s), *text, s.help)->type_name("TEXT:" + braced(names_of<T>()));
    const std::string flag = flag_name(s.key);
    return {option, [text, flag](T& value) {
              try {
                value = parse_name<T>(*text);
              } catch (const Error& e) {
                EXCITE_FAIL(flag << ": " << e.what());
              }
            }};
  } else {
    CLI::Option* option = app.add_option(flag_names(s), field, s.help);
    if constexpr (std::is_unsigned_v<T>) option->check(CLI::NonNegativeNumber);  // CLI11 would wrap -1
    if constexpr (!std::is_arithmetic_v<T> && !std::is_same_v<T, std::string>) option->delimiter(',');  // lists
    return {option, {}};
  }
}

}  // namespace

// Binds every setting a visit function lists, writing into given_; apply copies the ones given.
template <typename Visit>
void Overrides::add_settings(CLI::App& app, Visit visit) {
  visit(*given_, [&](const Setting& s, auto& field) {
    using T = std::decay_t<decltype(field)>;
    auto bound = bind(app, s, field);  // (not a structured binding: lambdas below capture the parts)
    CLI::Option* option = bound.first;
    std::function<void(T&)> convert = bound.second;
    if (s.key == "attention") option->type_name("TEXT:" + braced(layers::attention_kind_names()));
    const T* given = &field;
    const std::string key = s.key;
    apply_.push_back([=](TrainConfig& c) {
      if (option->count() == 0) return;
      visit(c, [&](const Setting& t, auto& to) {
        if constexpr (std::is_same_v<std::decay_t<decltype(to)>, T>)
          if (key == t.key) {
            if (convert) convert(to);
            else to = *given;
          }
      });
    });
  });
}

// Every option of every attention kind, once; the help says which kinds take it.
void Overrides::add_attention_options(CLI::App& app) {
  for (const OptionSpec& spec : layers::all_attention_options()) {
    std::string kinds;
    for (const layers::AttentionKind* k : layers::attention_kinds())
      for (const OptionSpec& own : k->options())
        if (own.setting.key == spec.setting.key) kinds += (kinds.empty() ? "" : ", ") + k->name();
    const std::string help = std::string(spec.setting.help) + " [attention " + kinds + "]";
    std::visit(
        [&](auto initial) {
          using T = decltype(initial);
          auto value = std::make_shared<T>(initial);
          CLI::Option* option;
          if constexpr (std::is_same_v<T, bool>)
            option = app.add_flag(flag_names(spec.setting) + ",!" + flag_name(std::string("no_") + spec.setting.key), *value, help);
          else option = app.add_option(flag_names(spec.setting), *value, help);
          if constexpr (std::is_same_v<T, std::vector<int64_t>>) option->delimiter(',');
          if (!spec.choices.empty()) option->type_name("TEXT:" + braced(spec.choices));
          if constexpr (!std::is_same_v<T, bool>) option->default_str(to_string(initial));
          const std::string key = spec.setting.key;
          apply_.push_back([option, value, key](TrainConfig& c) {
            if (option->count() > 0) c.model.attention.options.set(key, *value);
          });
        },
        spec.initial);
  }
  const std::string no_se_help = "the same model without attention (older spelling of --attention none)";
  CLI::Option* no_se = app.add_flag("--no-se", no_se_help);
  apply_.push_back([no_se](TrainConfig& c) {
    if (no_se->count() > 0) c.model.attention.kind = "none";
  });
}

void Overrides::add(CLI::App& app, FlagGroup group) {
  switch (group) {
    case FlagGroup::Data:
      add_settings(app, [](TrainConfig& c, auto&& f) { visit_data_fields(c, f); });
      break;
    case FlagGroup::Model:
      add_settings(app, [](TrainConfig& c, auto&& f) { visit_fields(c.model, f); });
      add_attention_options(app);
      break;
    case FlagGroup::Training:
      add_settings(app, [](TrainConfig& c, auto&& f) { visit_training_fields(c, f); });
      break;
  }
}

void Overrides::apply(TrainConfig& c) const {
  for (const auto& f : apply_) f(c);
}

namespace {

// The `--name=value` whose number std::stoll cannot hold: what CLI11 was converting when its
// std::out_of_range escaped (a flag's explicit value, `--no-bias=99999999999999999999`).
std::string out_of_range_argument(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) continue;
    try {
      (void)std::stoll(a.substr(eq + 1));
    } catch (const std::out_of_range&) {
      return a;
    } catch (const std::invalid_argument&) {
    }
  }
  return "";
}

}  // namespace

void parse_command_line(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
  } catch (const std::logic_error& e) {  // std::out_of_range from std::stoll (CLI11's own errors are runtime_errors)
    const std::string arg = out_of_range_argument(argc, argv);
    if (!arg.empty()) throw CLI::ConversionError("Could not convert: " + arg + " (the number is out of range)");
    throw CLI::ConversionError(std::string("a flag's value does not convert to a number (") + e.what() + ")");
  }
}

}  // namespace excite::apps
