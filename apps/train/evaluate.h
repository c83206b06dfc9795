// apps/train/evaluate.h — test loss and top-1/top-5 accuracy of a model over a loader, in eval mode
// and without recording a graph (the model's mode is restored afterwards), and the confusion
// matrix (counts, row = true class, column = predicted class).
#pragma once

#include "data/loader.h"
#include "layers/module.h"

namespace excite::apps {

struct EvalResult {
  double loss = 0, accuracy = 0, top5 = 0;
  int64_t images = 0;
  int64_t classes = 0;                // K, the logits' width
  std::vector<int64_t> confusion{};   // [K * K]: confusion[true * K + predicted]
};

EvalResult evaluate(layers::Module& model, data::Loader& loader);

}  // namespace excite::apps
