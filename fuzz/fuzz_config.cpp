// fuzz/fuzz_config.cpp — the JSON config path of `excite train CONFIG` (apps/train/config.cpp):
// load_config_file (parse + merge_json: unknown keys, wrong types), then validated(), then the
// round trip through to_json that the run directory's config.json relies on.
#include "apps/train/config.h"
#include "core/error.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static excite::fuzz::ScratchFile file("config.json");
  const std::string& path = file.write(data, size);
  try {
    const excite::apps::TrainConfig c = excite::apps::validated(excite::apps::load_config_file(path));
    excite::apps::TrainConfig again;
    excite::apps::merge_json(again, excite::apps::to_json(c), "round-trip");
    if (excite::apps::to_json(again) != excite::apps::to_json(c)) __builtin_trap();
  } catch (const excite::Error&) {
  }
  return 0;
}
