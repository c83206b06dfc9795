// data/loader.cpp — epoch order, per-batch generators, and the worker threads of one epoch.
#include "data/loader.h"

#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>
#include <utility>

#include "core/error.h"

namespace excite::data {

Loader::Loader(const Dataset& dataset, LoaderOptions options, Pipeline transforms)
    : dataset_(dataset), options_(options), transforms_(std::move(transforms)) {
  EXCITE_CHECK(options.batch_size > 0, "Loader: batch_size must be positive, got " << options.batch_size);
  EXCITE_CHECK(options.workers >= 0 && options.workers <= 64, "Loader: workers must lie in [0, 64], got "
                                                                  << options.workers);
  EXCITE_CHECK(options.prefetch >= 1, "Loader: prefetch must be at least 1, got " << options.prefetch);
  EXCITE_CHECK(dataset.size() > 0, "Loader: empty dataset (" << dataset.description() << ")");
  EXCITE_CHECK(num_batches() > 0, "Loader: drop_last with batch_size " << options.batch_size << " leaves no batch of "
                                                                       << dataset.description());
}

int64_t Loader::num_batches() const {
  const int64_t n = dataset_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<int64_t> Loader::order(int64_t epoch) const {
  std::vector<int64_t> order(static_cast<size_t>(dataset_.size()));
  std::iota(order.begin(), order.end(), 0);
  if (options_.shuffle) {  // Fisher-Yates
    Generator gen = Generator::derive(options_.seed, 2 * static_cast<uint64_t>(epoch));
    for (int64_t i = static_cast<int64_t>(order.size()) - 1; i > 0; --i)
      std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(gen.randint(i + 1))]);
  }
  return order;
}

std::vector<int64_t> Loader::batch_indices(const std::vector<int64_t>& order, int64_t b) const {
  const int64_t begin = b * options_.batch_size;
  const int64_t end = std::min<int64_t>(begin + options_.batch_size, static_cast<int64_t>(order.size()));
  return {order.begin() + begin, order.begin() + end};
}

Generator Loader::batch_generator(int64_t epoch, int64_t b) const {
  const uint64_t epoch_seed = Generator::derive(options_.seed, 2 * static_cast<uint64_t>(epoch) + 1).next_u64();
  return Generator::derive(epoch_seed, static_cast<uint64_t>(b));
}

Batch Loader::batch(int64_t epoch, int64_t b) const {
  EXCITE_CHECK(b >= 0 && b < num_batches(), "Loader: batch " << b << " out of range [0, " << num_batches() << ")");
  Generator gen = batch_generator(epoch, b);
  Batch out = collate(dataset_, transforms_, batch_indices(order(epoch), b), gen);
  out.index = b;
  return out;
}

// One epoch in flight. Workers claim batch numbers in order, but never more than `window` ahead
// of the consumer; finished batches (or their exceptions) wait in `ready` until consumed.
struct Loader::Run {
  const Loader& loader;
  int64_t epoch;
  std::vector<int64_t> order;
  int64_t num_batches;
  int64_t window;

  std::mutex mutex;
  std::condition_variable batch_ready;  // a worker finished a batch
  std::condition_variable slot_free;    // the consumer took one, or stop
  std::map<int64_t, std::pair<Batch, std::exception_ptr>> ready;
  int64_t next_claim = 0;
  int64_t next_consume = 0;
  bool stop = false;
  std::vector<std::thread> threads;

  Run(const Loader& l, int64_t e, int64_t first)
      : loader(l), epoch(e), order(l.order(e)), num_batches(l.num_batches()),
        window(int64_t{l.options_.workers} * l.options_.prefetch), next_claim(first), next_consume(first) {
    for (int w = 0; w < loader.options_.workers; ++w) threads.emplace_back([this] { work(); });
  }

  ~Run() {
    {
      std::lock_guard lock(mutex);
      stop = true;
    }
    slot_free.notify_all();
    for (auto& t : threads) t.join();
  }

  Batch build(int64_t b) const {
    Generator gen = loader.batch_generator(epoch, b);
    Batch out = collate(loader.dataset_, loader.transforms_, loader.batch_indices(order, b), gen);
    out.index = b;
    return out;
  }

  void work() {
    for (;;) {
      int64_t b;
      {
        std::unique_lock lock(mutex);
        slot_free.wait(lock, [&] { return stop || next_claim >= num_batches || next_claim < next_consume + window; });
        if (stop || next_claim >= num_batches) return;
        b = next_claim++;
      }
      std::pair<Batch, std::exception_ptr> result;
      try {
        result.first = build(b);
      } catch (...) {
        result.second = std::current_exception();
      }
      {
        std::lock_guard lock(mutex);
        ready.emplace(b, std::move(result));
      }
      batch_ready.notify_all();
    }
  }

  // The next batch in order; false at the end of the epoch.
  bool next(Batch& out) {
    if (threads.empty()) {  // workers == 0: build on this thread
      if (next_consume >= num_batches) return false;
      out = build(next_consume++);
      return true;
    }
    std::pair<Batch, std::exception_ptr> result;
    {
      std::unique_lock lock(mutex);
      if (next_consume >= num_batches) return false;
      batch_ready.wait(lock, [&] { return ready.count(next_consume) > 0; });
      auto it = ready.find(next_consume);
      result = std::move(it->second);
      ready.erase(it);
      ++next_consume;
    }
    slot_free.notify_all();
    if (result.second) std::rethrow_exception(result.second);
    out = std::move(result.first);
    return true;
  }
};

Loader::Iterator::Iterator(std::shared_ptr<Run> run) : run_(std::move(run)) { ++*this; }

Loader::Iterator& Loader::Iterator::operator++() {
  done_ = !run_->next(current_);
  if (done_) run_.reset();  // joins the workers now rather than when the iterator dies
  return *this;
}

void Loader::set_first_batch(int64_t b) {
  EXCITE_CHECK(b >= 0 && b <= num_batches(), "Loader: first batch " << b << " out of range [0, " << num_batches() << "]");
  first_batch_ = b;
}

Loader::Iterator Loader::begin() {
  const int64_t first = std::exchange(first_batch_, 0);
  return Iterator(std::make_shared<Run>(*this, epoch_++, first));
}

}  // namespace excite::data
