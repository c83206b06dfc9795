#include "apps/train/train_data.h"

#include <filesystem>

#include "core/error.h"
#include "data/cifar.h"
#include "data/idx.h"
#include "data/image_folder.h"
#include "data/normalize.h"
#include "data/transforms.h"

namespace excite::apps {

namespace {

// The first n examples of another dataset (--limit-train / --limit-test).
class FirstN : public data::Dataset {
 public:
  FirstN(std::shared_ptr<data::Dataset> base, int64_t n) : base_(std::move(base)), n_(std::min(n, base_->size())) {}
  int64_t size() const override { return n_; }
  data::Example get(int64_t i) const override {
    check_index(i, "limited dataset");
    return base_->get(i);
  }
  int64_t label(int64_t i) const override {
    check_index(i, "limited dataset");
    return base_->label(i);
  }
  const std::vector<std::string>& classes() const override { return base_->classes(); }
  int64_t channels() const override { return base_->channels(); }
  int64_t height() const override { return base_->height(); }
  int64_t width() const override { return base_->width(); }
  std::string description() const override {
    return base_->description() + " (first " + std::to_string(n_) + ")";
  }

 private:
  std::shared_ptr<data::Dataset> base_;
  int64_t n_;
};

std::shared_ptr<data::Dataset> limit(std::shared_ptr<data::Dataset> d, int64_t n) {
  if (n <= 0 || n >= d->size()) return d;
  return std::make_shared<FirstN>(std::move(d), n);
}

std::string folder_split(const std::string& root, const char* split) {
  const auto sub = std::filesystem::path(root) / split;
  return std::filesystem::is_directory(sub) ? sub.string() : root;
}

void load(const TrainConfig& c, TrainData& d, bool with_train) {
  using data::Split;
  const Augment aug = c.augment;
  const std::string not_for = "config: augment '" + name_of(aug) + "' does not apply to " + name_of(c.dataset);
  if (c.dataset == Dataset::FashionMnist || c.dataset == Dataset::Mnist) {
    const bool fashion = c.dataset == Dataset::FashionMnist;
    auto make = [&](Split s) -> std::shared_ptr<data::Dataset> {
      if (fashion) return std::make_shared<data::FashionMnist>(c.data_dir, s);
      return std::make_shared<data::Mnist>(c.data_dir, s);
    };
    if (with_train) d.train = make(Split::Train);
    d.test = make(Split::Test);
    const data::NormalizeStats stats = fashion ? data::fashion_mnist_stats() : data::mnist_stats();
    if (aug == Augment::None) d.train_transforms = data::Pipeline().normalize(stats);
    else if (aug == Augment::Default || aug == Augment::Flip) {
      d.train_transforms = data::Pipeline();
      if (fashion) d.train_transforms.then(data::RandomHorizontalFlip());
      d.train_transforms.normalize(stats);
    } else if (aug == Augment::CropFlip) d.train_transforms = data::fashion_mnist_train_transforms(stats, fashion);
    else EXCITE_FAIL(not_for);
    d.test_transforms = data::fashion_mnist_test_transforms(stats);
  } else if (c.dataset == Dataset::Cifar10 || c.dataset == Dataset::Cifar100) {
    const bool ten = c.dataset == Dataset::Cifar10;
    auto make = [&](Split s) -> std::shared_ptr<data::Dataset> {
      if (ten) return std::make_shared<data::Cifar10>(c.data_dir, s);
      return std::make_shared<data::Cifar100>(c.data_dir, s);
    };
    if (with_train) d.train = make(Split::Train);
    d.test = make(Split::Test);
    const data::NormalizeStats stats = ten ? data::cifar10_stats() : data::cifar100_stats();
    if (aug == Augment::None) d.train_transforms = data::Pipeline().normalize(stats);
    else if (aug == Augment::Flip) d.train_transforms = data::Pipeline().then(data::RandomHorizontalFlip()).normalize(stats);
    else if (aug == Augment::Default || aug == Augment::CropFlip) d.train_transforms = data::cifar_train_transforms(stats);
    else EXCITE_FAIL(not_for);
    d.test_transforms = data::cifar_test_transforms(stats);
  } else {  // folder
    const int64_t size = input_geometry(c)[1];
    const std::string val = !c.val_dir.empty() ? c.val_dir : folder_split(c.data_dir, "val");
    if (with_train) d.train = std::make_shared<data::ImageFolder>(folder_split(c.data_dir, "train"));
    d.test = std::make_shared<data::ImageFolder>(val);
    if (aug == Augment::Default || aug == Augment::ImageNet) d.train_transforms = data::imagenet_train_transforms(size);
    else if (aug == Augment::None) d.train_transforms = data::imagenet_test_transforms(size, size);
    else EXCITE_FAIL(not_for << " (image folders: default, imagenet, none)");
    d.test_transforms = data::imagenet_test_transforms(size, size * 8 / 7);
    d.height = d.width = size;
  }
  if (c.cutout > 0) d.train_transforms.then(data::Cutout({.size = c.cutout}));
  if (with_train) d.train = limit(d.train, c.limit_train);
  d.test = limit(d.test, c.limit_test);
  d.channels = d.test->channels();
  if (d.height == 0) {
    d.height = d.test->height();
    d.width = d.test->width();
  }
  d.classes = d.test->classes();
  if (with_train)
    EXCITE_CHECK(d.train->classes() == d.test->classes(),
                 "data: the training and test sets have different classes (" << d.train->num_classes() << " vs "
                                                                            << d.test->num_classes() << ")");
}

}  // namespace

TrainData load_train_data(const TrainConfig& config) {
  TrainData d;
  load(config, d, true);
  return d;
}

std::array<int64_t, 3> input_geometry(const TrainConfig& c) {
  switch (c.dataset) {
    case Dataset::FashionMnist:
    case Dataset::Mnist:
      return {1, 28, 28};
    case Dataset::Cifar10:
    case Dataset::Cifar100:
      return {3, 32, 32};
    case Dataset::Folder: {
      const int64_t size = c.input_size > 0 ? c.input_size : 224;
      return {data::ImageFolderOptions{}.channels, size, size};
    }
  }
  EXCITE_FAIL("data: unknown dataset " << static_cast<int>(c.dataset));
}

TrainData load_test_data(const TrainConfig& config) {
  TrainData d;
  load(config, d, false);
  return d;
}

}  // namespace excite::apps
