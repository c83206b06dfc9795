// apps/train/dist/run_record.cpp — distributed.json.
#include "apps/train/dist/run_record.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/train/dist/communicator.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace excite::dist {

RunRecord read_run_record(const std::string& run_dir) {
  RunRecord r;
  std::ifstream in(run_dir + "/distributed.json");
  if (!in) return r;
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    // Checked before get<int>(): a float out of int's range there is undefined behaviour (found
    // by fuzz_scaleout with "world_size": 2.2e89), and a rank count below 1 means nothing.
    const nlohmann::json& k = j.at("world_size");
    const int64_t ranks = k.is_number_integer() ? k.get<int64_t>() : 0;
    EXCITE_CHECK(ranks >= 1 && ranks <= (1 << 20), "'world_size' must be a rank count from 1 to 2^20, got " << k.dump());
    r.world_size = static_cast<int>(ranks);
    r.sync_bn = j.at("sync_bn").get<bool>();
    r.found = true;
  } catch (const std::exception& e) {
    EXCITE_FAIL("train: " << run_dir << "/distributed.json is damaged (" << e.what() << ")");
  }
  return r;
}

void write_run_record(const std::string& run_dir, int world_size, bool sync_bn) {
  write_file_atomically(run_dir + "/distributed.json",
                        nlohmann::json{{"world_size", world_size}, {"sync_bn", sync_bn}}.dump(2) + "\n", "train");
}

void apply_run_record_on_resume(const std::string& run_dir, DistOptions& options, std::FILE* log) {
  const RunRecord r = read_run_record(run_dir);
  if (!r.found) return;  // a run from before distributed training: K = 1, no --sync-bn
  options.sync_bn = options.sync_bn || r.sync_bn;
  if (r.world_size != size())
    std::fprintf(log,
                 "resuming a run trained on %d rank%s with %d: this works (the data order, global batch and "
                 "schedule do not depend on the rank count; sums change order%s)\n",
                 r.world_size, r.world_size == 1 ? "" : "s", size(),
                 options.sync_bn ? "" : ", and BN now normalises over per-rank batches of another size");
}

}  // namespace excite::dist
