// layers/attention_registry.cpp — the registry of attention kinds, and looking them up.
//
// Adding a kind: its file (layers/<kind>.cpp, with its test in tests/layers/) defines
// `const AttentionKind& <kind>_kind()`, and it gets one line in the list below (`KIND(<kind>)`
// names that accessor; the name users type is the kind's name(), which may differ: a kind
// "cbam-channel" would be KIND(cbam_channel)). The list's order is the order of help texts, of a
// study's factors and of reports.
#include <algorithm>
#include <map>

#include "layers/attention.h"

// One line per kind.
#define EXCITE_ATTENTION_KINDS(KIND) \
  KIND(se)                           \
  KIND(none)                         \
  KIND(eca)                          \
  KIND(cbam)                         \
  KIND(cbam_channel)                 \
  KIND(cbam_spatial)                 \
  KIND(ge)                           \
  // (end of the list)

namespace excite::layers {

#define EXCITE_DECLARE_KIND(name) const AttentionKind& name##_kind();
EXCITE_ATTENTION_KINDS(EXCITE_DECLARE_KIND)
#undef EXCITE_DECLARE_KIND

const std::vector<const AttentionKind*>& attention_kinds() {
#define EXCITE_LIST_KIND(name) &name##_kind(),
  static const std::vector<const AttentionKind*> kinds = {EXCITE_ATTENTION_KINDS(EXCITE_LIST_KIND)};
#undef EXCITE_LIST_KIND
  return kinds;
}

std::vector<std::string> attention_kind_names() {
  std::vector<std::string> names;
  for (const AttentionKind* k : attention_kinds()) names.push_back(k->name());
  return names;
}

const AttentionKind& attention_kind(const std::string& name) {
  for (const AttentionKind* k : attention_kinds())
    if (k->name() == name) return *k;
  EXCITE_FAIL("unknown attention '" << name << "' (expected " << join_names(attention_kind_names()) << ")");
}

std::vector<OptionSpec> all_attention_options() {
  std::vector<OptionSpec> out;
  std::map<std::string, std::string> first;  // key -> the kind that declared it first
  for (const AttentionKind* k : attention_kinds())
    for (const OptionSpec& spec : k->options()) {
      auto [at, fresh] = first.emplace(spec.setting.key, k->name());
      if (fresh) {
        out.push_back(spec);
        continue;
      }
      for (OptionSpec& seen : out)
        if (seen.setting.key == spec.setting.key) {
          EXCITE_CHECK(seen.initial.index() == spec.initial.index(),
                       "attention kinds '" << at->second << "' and '" << k->name() << "' give option '"
                                           << spec.setting.key << "' two types");
          for (const std::string& c : spec.choices)  // a shared text option accepts what either kind does
            if (std::find(seen.choices.begin(), seen.choices.end(), c) == seen.choices.end()) seen.choices.push_back(c);
        }
    }
  return out;
}

AttentionOptions complete(const AttentionOptions& a) {
  const AttentionKind& kind = attention_kind(a.kind);
  return {kind.name(), kind.complete(a.options)};
}

std::shared_ptr<AttentionModule> make_attention(const AttentionOptions& a, int64_t channels) {
  const AttentionKind& kind = attention_kind(a.kind);
  return kind.make(channels, kind.complete(a.options));
}

std::string describe_all(const AttentionOptions& a) {
  const AttentionKind& kind = attention_kind(a.kind);
  const OptionValues options = kind.complete(a.options);
  std::string s;
  for (const OptionSpec& spec : kind.options())
    s += (s.empty() ? "" : ", ") + spec.setting.key + " " + to_string(options.at(spec.setting.key));
  return s.empty() ? kind.name() : kind.name() + " (" + s + ")";
}

}  // namespace excite::layers
