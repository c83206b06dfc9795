// apps/train/dist/shard.cpp — shares of batches and of the test set, and the metric reductions.
#include "apps/train/dist/shard.h"

#include <cstring>

#include "apps/train/dist/communicator.h"
#include "core/error.h"

namespace excite::dist {

Share share_of(int64_t n, int rank, int size) {
  return {n * rank / size, n * (rank + 1) / size};
}

data::Batch slice(const data::Batch& b, Share s) {
  EXCITE_CHECK(s.begin >= 0 && s.end <= b.size() && s.size() > 0,
               "dist: share [" << s.begin << ", " << s.end << ") of a batch of " << b.size()
                               << " (is --batch smaller than the number of ranks?)");
  if (s.begin == 0 && s.end == b.size()) return b;
  const Shape& shape = b.images.shape();
  const int64_t per = b.images.numel() / b.size();
  data::Batch out;
  out.images = Tensor({s.size(), shape[1], shape[2], shape[3]});
  std::memcpy(out.images.data(), b.images.data() + s.begin * per, static_cast<size_t>(s.size() * per) * sizeof(float));
  out.labels.assign(b.labels.begin() + s.begin, b.labels.begin() + s.end);
  out.indices.assign(b.indices.begin() + s.begin, b.indices.begin() + s.end);
  out.index = b.index;
  return out;
}

const data::Batch& local_share(const data::Batch& global, data::Batch& storage) {
  if (!distributed()) return global;
  storage = slice(global, share_of(global.size(), rank(), size()));
  return storage;
}

namespace {

class Shard : public data::Dataset {
 public:
  Shard(std::shared_ptr<data::Dataset> base, int64_t begin, int64_t end)
      : base_(std::move(base)), begin_(begin), n_(end - begin) {}
  int64_t size() const override { return n_; }
  data::Example get(int64_t i) const override {
    check_index(i, "test shard");
    return base_->get(begin_ + i);
  }
  int64_t label(int64_t i) const override {
    check_index(i, "test shard");
    return base_->label(begin_ + i);
  }
  const std::vector<std::string>& classes() const override { return base_->classes(); }
  int64_t channels() const override { return base_->channels(); }
  int64_t height() const override { return base_->height(); }
  int64_t width() const override { return base_->width(); }
  std::string description() const override { return base_->description(); }

 private:
  std::shared_ptr<data::Dataset> base_;
  int64_t begin_, n_;
};

}  // namespace

std::shared_ptr<data::Dataset> shard_dataset(std::shared_ptr<data::Dataset> base, int rank, int size) {
  if (size <= 1) return base;
  const Share s = share_of(base->size(), rank, size);
  return std::make_shared<Shard>(std::move(base), s.begin, s.end);
}

apps::EvalResult reduce_eval(const apps::EvalResult& local) {
  if (!distributed()) return local;
  const double n = static_cast<double>(local.images);
  double sums[4] = {local.loss * n, local.accuracy * n, local.top5 * n, n};
  allreduce_sum(sums, 4);
  apps::EvalResult r;
  r.images = static_cast<int64_t>(sums[3] + 0.5);
  if (sums[3] > 0) {
    r.loss = sums[0] / sums[3];
    r.accuracy = sums[1] / sums[3];
    r.top5 = sums[2] / sums[3];
  }
  return r;
}

void reduce_train_metrics(double& loss_sum, int64_t& correct, int64_t& seen) {
  if (!distributed()) return;
  allreduce_sum(&loss_sum, 1);
  int64_t counts[2] = {correct, seen};
  allreduce_sum(counts, 2);
  correct = counts[0];
  seen = counts[1];
}

}  // namespace excite::dist
