// examples/train_predict/main.cpp — excite used as a library, from an installed package: build
// an SE-ResNet-8, train it one epoch on a slice of Fashion-MNIST, save its weights as
// safetensors, load them into a fresh model and predict a few test images.
//
//   train_predict [TRAIN_IMAGES (1024)] [OUT.safetensors (seresnet8.safetensors)]
//
// Fashion-MNIST is found as `excite train` finds it ($EXCITE_DATA, then standard places such as
// Debian's dataset-fashion-mnist). Built by examples/train_predict/CMakeLists.txt
// (find_package(excite)) or by hand: g++ -std=c++20 main.cpp $(pkg-config --cflags --libs excite).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "apps/optim/optim_sgd.h"
#include "autograd/ops.h"
#include "data/idx.h"
#include "data/loader.h"
#include "data/normalize.h"
#include "layers/state_dict.h"
#include "layers/zoo.h"

using namespace excite;

// The first n images of another dataset: how a program narrows a dataset down.
class Slice : public data::Dataset {
 public:
  Slice(const data::Dataset& base, int64_t n) : base_(base), n_(std::min(n, base.size())) {}
  int64_t size() const override { return n_; }
  data::Example get(int64_t i) const override { return base_.get(i); }
  int64_t label(int64_t i) const override { return base_.label(i); }
  const std::vector<std::string>& classes() const override { return base_.classes(); }
  int64_t channels() const override { return base_.channels(); }
  int64_t height() const override { return base_.height(); }
  int64_t width() const override { return base_.width(); }
  std::string description() const override { return "first " + std::to_string(n_) + " of " + base_.description(); }

 private:
  const data::Dataset& base_;
  int64_t n_;
};

int main(int argc, char** argv) {
  const int64_t n_train = argc > 1 ? std::atoll(argv[1]) : 1024;
  const std::string out = argc > 2 ? argv[2] : "seresnet8.safetensors";
  try {
    const data::FashionMnist train_full("", data::Split::Train), test_full("", data::Split::Test);
    const Slice train(train_full, n_train), test(test_full, 8);
    const data::Pipeline normalize = data::Pipeline().normalize(data::fashion_mnist_stats());

    manual_seed(0);
    auto model = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
    optim::SGD opt(optim::split_decay(model->named_parameters()),
                   {.lr = 0.05f, .momentum = 0.9f, .nesterov = true, .weight_decay = 5e-4f});
    data::Loader loader(train, {.batch_size = 64, .shuffle = true, .workers = 1}, normalize);
    model->train();
    double loss_sum = 0;
    int64_t seen = 0;
    for (const data::Batch& b : loader) {
      Variable loss = cross_entropy((*model)(Variable(b.images)), b.labels);
      opt.zero_grad();
      loss.backward();
      opt.step();
      loss_sum += static_cast<double>(loss.item()) * static_cast<double>(b.size());
      seen += b.size();
    }
    std::printf("trained one epoch on %s: mean loss %.4f\n", train.description().c_str(), loss_sum / seen);
    layers::save_weights(*model, out);

    // A fresh model from the saved file, in eval mode, on the first test images.
    auto loaded = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
    layers::load_weights(*loaded, out);
    loaded->eval();
    NoGradGuard no_grad;
    data::Loader test_loader(test, {.batch_size = 8, .workers = 0}, normalize);
    int64_t correct = 0;
    for (const data::Batch& b : test_loader) {
      const Tensor logits = (*loaded)(Variable(b.images)).data();
      for (int64_t i = 0; i < b.size(); ++i) {
        int64_t best = 0;
        for (int64_t j = 1; j < logits.size(1); ++j)
          if (logits[i * logits.size(1) + j] > logits[i * logits.size(1) + best]) best = j;
        correct += best == b.labels[i];
        std::printf("test image %lld: predicted %s, true %s\n", static_cast<long long>(b.indices[i]),
                    test.classes()[best].c_str(), test.classes()[b.labels[i]].c_str());
      }
    }
    std::printf("saved %s; %lld of %lld test images right\n", out.c_str(), static_cast<long long>(correct),
                static_cast<long long>(test.size()));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_predict: %s\n", e.what());
    return 1;
  }
}
