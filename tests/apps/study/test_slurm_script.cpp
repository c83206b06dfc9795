// The text of the batch scripts (apps/study/ablate_slurm.h) and the checks of what they take from
// the user. A #SBATCH line cannot be quoted: a partition, time, directory or name with a line
// break would have put a line of the user's into the script, run by bash on the cluster (found
// while writing fuzz/fuzz_scaleout.cpp, whose line-count invariant checks it); such values are refused in one line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "apps/study/ablate_slurm.h"
#include "core/error.h"

using excite::apps::SlurmOptions;

namespace {

size_t lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("slurm script - a multi-rank run's script has the options on their lines, quoted paths, one exec each way",
          "[slurm]") {
  SlurmOptions o;
  o.partition = "short,long";
  o.time = "1-12:00:00";
  o.ranks = 4;
  o.sync_bn = true;
  const std::string s = excite::apps::train_slurm_script("/runs/it's", 2, o, "/opt/excite bin/excite");
  CHECK(s.rfind("#!/bin/bash\n", 0) == 0);
  CHECK(s.find("#SBATCH --partition=short,long\n") != std::string::npos);
  CHECK(s.find("#SBATCH --time=1-12:00:00\n") != std::string::npos);
  CHECK(s.find("#SBATCH --ntasks=4\n#SBATCH --cpus-per-task=2\n") != std::string::npos);
  CHECK(s.find("'/opt/excite bin/excite' train --resume '/runs/it'\\''s'\n") != std::string::npos);
  CHECK(s.find("train '/runs/it'\\''s/train-config.json' --sync-bn\n") != std::string::npos);
  SlurmOptions plain;
  CHECK(lines(excite::apps::train_slurm_script("/r", 1, plain, "excite")) + 2 == lines(s));
}

TEST_CASE("slurm script - values that would break a #SBATCH line are refused naming the flag", "[slurm]") {
  auto refused = [](SlurmOptions o, const std::string& message) {
    CHECK_THROWS_WITH(excite::apps::check_slurm_options(o), Catch::Contains(message));
    CHECK_THROWS_WITH(excite::apps::train_slurm_script("/r", 1, o, "excite"), Catch::Contains(message));
  };
  SlurmOptions o;
  o.partition = "debug\nrm -rf ~";
  refused(o, "--partition");
  o.partition = "a b";
  refused(o, "--partition");
  o.partition = "a,,b";
  refused(o, "--partition");
  o = {};
  o.time = "2:00:00\n#SBATCH --mem=1T";
  refused(o, "--time");
  o.time = "::";
  refused(o, "--time");
  o = {};
  o.ranks = 0;
  refused(o, "--ranks");
  o = {};
  o.time = "UNLIMITED";
  o.partition = "gpu_a100-80.q";
  CHECK_NOTHROW(excite::apps::check_slurm_options(o));
  CHECK_THROWS_WITH(excite::apps::train_slurm_script("/runs/a\nb", 1, {}, "excite"),
                    Catch::Contains("the run directory has a line break"));
  CHECK_THROWS_WITH(excite::apps::check_one_script_line("the study name", std::string("x\0y", 3)),
                    Catch::Contains("the study name"));
}
