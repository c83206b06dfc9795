// layers/none.cpp — the attention kind "none": no module at all, the plain residual block (a
// block with it registers no child, so its state dict is torchvision's). --no-se means this kind.
#include "layers/attention.h"

namespace excite::layers {

namespace {

class NoneKind final : public AttentionKind {
 public:
  std::string name() const override { return "none"; }
  std::string label() const override { return "no attention"; }
  std::string summary() const override { return "no attention module (the plain network)"; }
  std::vector<OptionSpec> options() const override { return {}; }
  OptionValues complete(const OptionValues& given) const override {
    refuse_unknown_options(given, {}, "attention 'none'");
    return {};
  }
  std::shared_ptr<AttentionModule> make(int64_t, const OptionValues&) const override { return nullptr; }
  AttentionCounts counts(const OptionValues&, const Shape&) const override { return {}; }
  std::string describe(const OptionValues&) const override { return "no attention"; }
};

}  // namespace

const AttentionKind& none_kind() {
  static const NoneKind kind;
  return kind;
}

}  // namespace excite::layers
