// data/pipeline.cpp — running the three stages, and the recipe pipelines.
#include "data/pipeline.h"

#include "core/error.h"

namespace excite::data {

Pipeline& Pipeline::normalize(NormalizeStats stats) {
  EXCITE_CHECK(!normalized_, "Pipeline: normalize() given twice, or after a tensor step (" << describe() << ")");
  normalize_ = Normalize(std::move(stats));
  normalized_ = true;
  return *this;
}

Pipeline& Pipeline::add_image_step(std::shared_ptr<const ImageTransform> step) {
  EXCITE_CHECK(step != nullptr, "Pipeline: null image step");
  EXCITE_CHECK(!normalized_, "Pipeline: image step " << step->describe()
                                                     << " comes after normalisation; image steps (crop, flip, "
                                                        "resize) must come before normalize() and tensor steps");
  image_steps_.push_back(std::move(step));
  return *this;
}

Pipeline& Pipeline::add_tensor_step(std::shared_ptr<const TensorTransform> step) {
  EXCITE_CHECK(step != nullptr, "Pipeline: null tensor step");
  normalized_ = true;
  tensor_steps_.push_back(std::move(step));
  return *this;
}

Image Pipeline::prepare(Image image, Generator& gen) const {
  for (const auto& step : image_steps_) step->apply(image, gen);
  return image;
}

void Pipeline::finish(const Image& image, float* out, Generator& gen) const {
  normalize_.apply(image, out);
  for (const auto& step : tensor_steps_) step->apply(out, image.channels, image.height, image.width, gen);
}

Tensor Pipeline::operator()(Image image, Generator& gen) const {
  image = prepare(std::move(image), gen);
  Tensor out({image.channels, image.height, image.width});
  finish(image, out.data(), gen);
  return out;
}

std::string Pipeline::describe() const {
  std::string s;
  for (const auto& step : image_steps_) s += step->describe() + " -> ";
  s += normalize_.describe();
  for (const auto& step : tensor_steps_) s += " -> " + step->describe();
  return s;
}

Pipeline cifar_train_transforms(NormalizeStats stats) {
  return Pipeline()
      .then(RandomCrop({.size = 32, .padding = 4}))
      .then(RandomHorizontalFlip())
      .normalize(std::move(stats));
}

Pipeline cifar_test_transforms(NormalizeStats stats) { return Pipeline().normalize(std::move(stats)); }

Pipeline fashion_mnist_train_transforms(NormalizeStats stats, bool flip) {
  Pipeline p;
  p.then(RandomCrop({.size = 28, .padding = 2}));
  if (flip) p.then(RandomHorizontalFlip());
  return p.normalize(std::move(stats));
}

Pipeline fashion_mnist_test_transforms(NormalizeStats stats) { return Pipeline().normalize(std::move(stats)); }

Pipeline imagenet_train_transforms(int64_t size) {
  return Pipeline()
      .then(RandomResizedCrop({.size = size}))
      .then(RandomHorizontalFlip())
      .normalize(imagenet_stats());
}

Pipeline imagenet_test_transforms(int64_t size, int64_t resize) {
  return Pipeline().then(Resize(resize)).then(CenterCrop(size)).normalize(imagenet_stats());
}

Tensor load_image_tensor(const std::string& path, const Pipeline& transforms, int channels) {
  Generator gen(0);
  Tensor chw = transforms(load_image(path, channels), gen);
  return chw.reshape({1, chw.size(0), chw.size(1), chw.size(2)});
}

}  // namespace excite::data
