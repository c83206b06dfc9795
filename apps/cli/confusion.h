// apps/cli/confusion.h — the confusion matrix `excite eval` leaves: a CSV (first row and column
// the class names, rows the true class, columns the predicted one, cells counts) and a PNG heat
// map of it drawn by gnuplot (apps/train/plot.h). Leaves out: computing it (apps/train/evaluate.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace excite::apps {

// Writes `csv_path` (atomically) and the PNG beside it (same name, .png). The PNG is a courtesy:
// false with the reason in *why when gnuplot is missing or fails; the CSV is always written.
bool write_confusion(const std::vector<int64_t>& confusion, const std::vector<std::string>& names,
                     const std::string& csv_path, std::string* why);

}  // namespace excite::apps
