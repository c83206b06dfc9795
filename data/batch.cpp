// data/batch.cpp — collate: get, transform, check sizes, write floats.
#include "data/batch.h"

#include "core/error.h"

namespace excite::data {

Batch collate(const Dataset& dataset, const Pipeline& transforms, const std::vector<int64_t>& indices, Generator& gen) {
  EXCITE_CHECK(!indices.empty(), "collate: empty batch");
  const int64_t n = static_cast<int64_t>(indices.size());
  Batch batch;
  batch.indices = indices;
  batch.labels.reserve(indices.size());
  std::vector<Image> images;
  images.reserve(indices.size());
  for (int64_t i = 0; i < n; ++i) {
    Example example = dataset.get(indices[static_cast<size_t>(i)]);
    batch.labels.push_back(example.label);
    images.push_back(transforms.prepare(std::move(example.image), gen));
    const Image& first = images.front();
    const Image& image = images.back();
    EXCITE_CHECK(image.height == first.height && image.width == first.width && image.channels == first.channels,
                 "loader: sample " << indices[static_cast<size_t>(i)] << " of " << dataset.description() << " is "
                                   << image.shape_str() << " (H x W x C) after the transforms, but sample "
                                   << indices.front() << " of the same batch is " << first.shape_str()
                                   << "; a batch needs one size: add Resize + CenterCrop or RandomResizedCrop");
  }
  const Image& first = images.front();
  batch.images = Tensor({n, first.channels, first.height, first.width});
  const int64_t stride = first.channels * first.height * first.width;
  for (int64_t i = 0; i < n; ++i) transforms.finish(images[static_cast<size_t>(i)], batch.images.data() + i * stride, gen);
  return batch;
}

}  // namespace excite::data
