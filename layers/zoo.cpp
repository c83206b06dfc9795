#include "layers/zoo.h"

#include <algorithm>

namespace excite::layers {

namespace {

struct ImageNetArch {
  int64_t depth;
  BlockType block;
  std::vector<int64_t> depths;
};

const std::vector<ImageNetArch>& imagenet_archs() {
  static const std::vector<ImageNetArch> archs = {
      {18, BlockType::Basic, {2, 2, 2, 2}},         {34, BlockType::Basic, {3, 4, 6, 3}},
      {50, BlockType::Bottleneck, {3, 4, 6, 3}},    {101, BlockType::Bottleneck, {3, 4, 23, 3}},
      {152, BlockType::Bottleneck, {3, 8, 36, 3}},
  };
  return archs;
}

std::string known_list() {
  std::string s;
  for (const std::string& a : known_archs()) s += (s.empty() ? "" : ", ") + a;
  return s;
}

// "resnet56" -> 56; -1 when the name is not resnet<digits>.
int64_t parse_depth(const std::string& name) {
  const std::string prefix = "resnet";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() || name.size() > prefix.size() + 5) return -1;
  int64_t d = 0;
  for (size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    d = d * 10 + (name[i] - '0');
  }
  return d;
}

std::shared_ptr<ResNet> named(const char* arch, ModelOptions options) {
  options.arch = arch;
  return make_model(options);
}

}  // namespace

std::vector<std::string> known_archs() {
  std::vector<std::string> out;
  for (int d : {8, 14, 20, 32, 44, 56, 110, 18, 34, 50, 101, 152}) {
    out.push_back("resnet" + std::to_string(d));
    out.push_back("seresnet" + std::to_string(d));
  }
  return out;
}

std::string default_attention(const std::string& arch) { return arch.rfind("se", 0) == 0 ? "se" : "none"; }

ResNetConfig resnet_config(const ModelOptions& o) {
  const bool se = o.arch.rfind("se", 0) == 0;
  const int64_t depth = parse_depth(se ? o.arch.substr(2) : o.arch);
  EXCITE_CHECK(depth > 0, "unknown model '" << o.arch << "' (known: " << known_list() << ")");
  ResNetConfig c;
  auto imagenet = std::find_if(imagenet_archs().begin(), imagenet_archs().end(),
                               [&](const ImageNetArch& a) { return a.depth == depth; });
  if (imagenet != imagenet_archs().end()) {
    c.stem = Stem::ImageNet;
    c.block = imagenet->block;
    c.depths = imagenet->depths;
    c.widths = {64, 128, 256, 512};
    c.num_classes = o.num_classes > 0 ? o.num_classes : 1000;
  } else {
    EXCITE_CHECK(depth >= 8 && (depth - 2) % 6 == 0,
                 "unknown model '" << o.arch << "': CIFAR-style depths are 6n + 2 (8, 14, 20, 32, 44, 56, 110, ...) "
                                   << "and ImageNet-style ones 18, 34, 50, 101, 152 (known: " << known_list() << ")");
    const int64_t n = (depth - 2) / 6;
    c.stem = Stem::Cifar;
    c.block = BlockType::Basic;
    c.depths = {n, n, n};
    c.widths = {16, 32, 64};
    c.num_classes = o.num_classes > 0 ? o.num_classes : 10;
  }
  if (o.num_classes < 0) c.num_classes = o.num_classes;  // refused by ResNet, naming the value
  c.in_channels = o.in_channels != 0 ? o.in_channels : 3;
  c.attention = o.attention;
  if (c.attention.kind.empty()) c.attention.kind = default_attention(o.arch);
  c.position = o.position;
  c.stages = o.stages;
  c.zero_init_residual = o.zero_init_residual;
  return c;
}

ModelOptions completed(const ModelOptions& o) {
  ModelOptions out = o;
  const ResNetConfig c = resnet_config(o);  // checks the arch
  check_resnet_config(c);
  out.attention = complete(c.attention);
  return out;
}

std::shared_ptr<ResNet> make_model(const ModelOptions& options) {
  return std::make_shared<ResNet>(resnet_config(completed(options)));
}

std::shared_ptr<ResNet> resnet20(ModelOptions o) { return named("resnet20", std::move(o)); }
std::shared_ptr<ResNet> seresnet20(ModelOptions o) { return named("seresnet20", std::move(o)); }
std::shared_ptr<ResNet> resnet34(ModelOptions o) { return named("resnet34", std::move(o)); }
std::shared_ptr<ResNet> seresnet34(ModelOptions o) { return named("seresnet34", std::move(o)); }
std::shared_ptr<ResNet> resnet50(ModelOptions o) { return named("resnet50", std::move(o)); }
std::shared_ptr<ResNet> seresnet50(ModelOptions o) { return named("seresnet50", std::move(o)); }

}  // namespace excite::layers
