// data/batch.cpp — collate: get, transform, check sizes, write floats.
#include "data/batch.h"

#include <sys/mman.h>

#include "core/error.h"

namespace excite::data {

// A batch tensor is large (128 x 3 x 224 x 224 floats = 77 MB), fresh for every batch, and written
// once: without huge pages the kernel takes one page fault per 4 KB of it, which was the largest
// cost of the ImageNet-style pipeline. Where transparent huge pages are "madvise", ask for them;
// elsewhere this is a harmless no-op.
static void advise_huge_pages(Tensor& t) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(t.data());
  const uintptr_t end = begin + static_cast<uintptr_t>(t.numel()) * sizeof(float);
  const uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1), last = end & ~(kHuge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

Batch collate(const Dataset& dataset, const Pipeline& transforms, const std::vector<int64_t>& indices, Generator& gen) {
  EXCITE_CHECK(!indices.empty(), "collate: empty batch");
  const int64_t n = static_cast<int64_t>(indices.size());
  Batch batch;
  batch.indices = indices;
  batch.labels.reserve(indices.size());
  int64_t c = 0, h = 0, w = 0;
  // Sample by sample, in order: get, image steps, then normalise straight into the batch tensor
  // while the image is still in cache. The tensor is allocated once the first sample's size is known.
  for (int64_t i = 0; i < n; ++i) {
    Example example = dataset.get(indices[static_cast<size_t>(i)]);
    batch.labels.push_back(example.label);
    const Image image = transforms.prepare(std::move(example.image), gen);
    if (i == 0) {
      c = image.channels, h = image.height, w = image.width;
      batch.images = Tensor({n, c, h, w});
      advise_huge_pages(batch.images);
    }
    EXCITE_CHECK(image.height == h && image.width == w && image.channels == c,
                 "loader: sample " << indices[static_cast<size_t>(i)] << " of " << dataset.description() << " is "
                                   << image.shape_str() << " (H x W x C) after the transforms, but sample "
                                   << indices.front() << " of the same batch is " << h << "x" << w << "x" << c
                                   << "; a batch needs one size: add Resize + CenterCrop or RandomResizedCrop");
    transforms.finish(image, batch.images.data() + i * c * h * w, gen);
  }
  return batch;
}

}  // namespace excite::data
