// apps/cli/confusion.cpp — see confusion.h.
#include "apps/cli/confusion.h"

#include <filesystem>

#include "apps/train/plot.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace excite::apps {

namespace {

// A class name as one CSV cell and gnuplot column header: no separators, no quotes.
std::string cell(std::string name) {
  for (char& c : name)
    if (c == ',' || c == '"' || c == '\'' || c == '\n') c = ' ';
  return name;
}

}  // namespace

bool write_confusion(const std::vector<int64_t>& confusion, const std::vector<std::string>& names,
                     const std::string& csv_path, std::string* why) {
  const size_t k = names.size();
  EXCITE_CHECK(confusion.size() == k * k, "eval: a confusion matrix of " << confusion.size() << " cells for " << k
                                                                          << " classes");
  std::string csv = "true\\predicted";
  for (const std::string& n : names) csv += "," + cell(n);
  csv += "\n";
  for (size_t t = 0; t < k; ++t) {
    csv += cell(names[t]);
    for (size_t p = 0; p < k; ++p) csv += "," + std::to_string(confusion[t * k + p]);
    csv += "\n";
  }
  write_file_atomically(csv_path, csv, "eval");
  const std::string png = std::filesystem::path(csv_path).replace_extension(".png").string();
  const int side = static_cast<int>(std::min<size_t>(1600, 300 + 40 * k));
  const std::string script =
      "set terminal pngcairo size " + std::to_string(side + 100) + "," + std::to_string(side) + " font 'sans,9'\n" +
      "set output '" + png + "'\n" +
      "set datafile separator ','\n"
      "set title 'confusion matrix (rows: true class, columns: predicted)'\n"
      "set yrange [] reverse\n"
      "set xtics rotate by 45 right\n"
      "set palette defined (0 'white', 1 '#08306b')\n"
      "set cbrange [0:*]\n"
      "plot '" + csv_path + "' matrix rowheaders columnheaders with image notitle" +
      (k <= 20 ? ", '' matrix rowheaders columnheaders using 1:2:(sprintf('%d', $3)) with labels notitle\n" : "\n");
  return run_gnuplot(script, why);
}

}  // namespace excite::apps
