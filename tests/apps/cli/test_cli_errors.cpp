// The `excite` command on bad command lines: every subcommand given unknown flags, bad values or
// missing / broken files prints one line on stderr and exits with status 2 (no stack trace, no
// abort, no "internal error"). Runs the built binary (EXCITE_BINARY, set by tests/CMakeLists.txt)
// in a scratch directory, so a command that wrongly starts work leaves nothing in the source tree.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "apps/train/model_factory.h"
#include "core/npy.h"
#include "fixtures.h"
#include "layers/attention.h"
#include "layers/state_dict.h"

using namespace excite;
namespace fs = std::filesystem;
using testing::slurp;

namespace {

struct Result {
  int status = -1;  // exit status, or 128 + signal
  std::string out, err;
};

// Runs `excite <args>` (args already shell-quoted where needed) with cwd = dir.
Result run_excite(const std::string& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir + "' && OMP_NUM_THREADS=1 '" EXCITE_BINARY "' " + args +
                          " > stdout.txt 2> stderr.txt < /dev/null";
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  r.out = slurp(dir + "/stdout.txt");
  r.err = slurp(dir + "/stderr.txt");
  // Under scripts/sanitize.sh (ASan with allocator_may_return_null) a refused huge allocation
  // adds the runtime's own warning line before excite's error: not excite's output.
  for (size_t at; (at = r.err.find("==")) == 0 && r.err.find("AddressSanitizer failed to allocate") < r.err.find('\n');)
    r.err.erase(0, r.err.find('\n') + 1);
  return r;
}

// The contract: status 2, exactly one non-empty line on stderr that says "error".
void check_one_line_error(const std::string& dir, const std::string& args, const std::string& expected = "") {
  const Result r = run_excite(dir, args);
  INFO("excite " << args << "\nstatus " << r.status << "\nstderr: " << r.err << "\nstdout: " << r.out);
  CHECK(r.status == 2);
  REQUIRE(!r.err.empty());
  CHECK(r.err.back() == '\n');
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("error") != std::string::npos);
  CHECK(r.err.find("internal error") == std::string::npos);
  CHECK(r.err.find("terminate called") == std::string::npos);
  if (!expected.empty()) CHECK(r.err.find(expected) != std::string::npos);
}

// Files the commands are pointed at: garbage weights, a 2-d .npy, a non-image, invalid JSON.
struct Scratch {
  std::string dir = testing::temp_dir("cli-errors");
  Scratch() {
    std::ofstream(dir + "/garbage.safetensors") << "this is not a safetensors file at all";
    std::ofstream(dir + "/garbage.png") << "not a png";
    std::ofstream(dir + "/broken.json") << "{\"epochs\": 3,";
    std::ofstream(dir + "/unknown-key.json") << "{\"epoch\": 3}";
    std::ofstream(dir + "/bad-value.json") << "{\"lr\": -1}";
    std::ofstream(dir + "/classes.txt") << "a\nb\n";
    save_npy(dir + "/flat.npy", Tensor::zeros({2, 3}));
    save_npy(dir + "/input.npy", Tensor::zeros({1, 3, 32, 32}));
    fs::create_directories(dir + "/not-a-run");
  }
};

bool has_subcommand(const std::string& dir, const std::string& name) {
  const Result r = run_excite(dir, "--help");
  return r.out.find("\n  " + name + " ") != std::string::npos || r.out.find("\n  " + name + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("excite: no subcommand, an unknown subcommand, an unknown top-level flag") {
  Scratch s;
  check_one_line_error(s.dir, "");
  check_one_line_error(s.dir, "frobnicate");
  check_one_line_error(s.dir, "--frobnicate");
  const Result help = run_excite(s.dir, "--help");
  CHECK(help.status == 0);
  CHECK(help.out.find("train") != std::string::npos);
}

TEST_CASE("excite train: bad flags, values and files exit 2 with one line") {
  Scratch s;
  const std::string out = " --out '" + s.dir + "/run'";
  check_one_line_error(s.dir, "train --no-such-flag");
  check_one_line_error(s.dir, "train --epochs abc");
  check_one_line_error(s.dir, "train --epochs 0" + out, "epochs");
  check_one_line_error(s.dir, "train --epochs 99999999999" + out);
  check_one_line_error(s.dir, "train --no-bias=99999999999999999999999" + out,
                       "--no-bias=99999999999999999999999 (the number is out of range)");  // fuzz_attention
  check_one_line_error(s.dir, "train --lr -1" + out, "lr");
  check_one_line_error(s.dir, "train --lr nan" + out, "lr");
  check_one_line_error(s.dir, "train --batch 0" + out, "batch");
  check_one_line_error(s.dir, "train --momentum 1.5" + out, "momentum");
  check_one_line_error(s.dir, "train --dataset imagenet-22k");
  check_one_line_error(s.dir, "train --arch resnet7" + out);
  check_one_line_error(s.dir, "train --reduction 0" + out, "reduction");
  check_one_line_error(s.dir, "train --se-stages 1,x");
  check_one_line_error(s.dir, "train --seed -1" + out);
  check_one_line_error(s.dir, "train missing.json");
  check_one_line_error(s.dir, "train broken.json" + out, "not valid JSON");
  check_one_line_error(s.dir, "train unknown-key.json" + out, "unknown key 'epoch'");
  check_one_line_error(s.dir, "train bad-value.json" + out, "lr");
  check_one_line_error(s.dir, "train --resume no-such-dir");
  check_one_line_error(s.dir, "train --resume not-a-run", "config.json");
  check_one_line_error(s.dir, "train --resume not-a-run --epochs 3", "--resume");
  check_one_line_error(s.dir, "train --dataset cifar10 --data '" + s.dir + "/no-such-data'" + out);
  check_one_line_error(s.dir, "train --dataset folder" + out, "data");
  // Nothing was trained, and nothing was left in the working directory but our files.
  CHECK_FALSE(fs::exists(s.dir + "/runs"));
  CHECK_FALSE(fs::exists(s.dir + "/run/checkpoint.safetensors"));
}

TEST_CASE("excite eval: bad flags, values and files exit 2 with one line") {
  Scratch s;
  check_one_line_error(s.dir, "eval");  // --weights is required
  check_one_line_error(s.dir, "eval --weights missing.safetensors");
  check_one_line_error(s.dir, "eval --weights garbage.safetensors --no-such-flag");
  check_one_line_error(s.dir, "eval --weights garbage.safetensors --dataset mnist --data '" + s.dir + "/none'");
  check_one_line_error(s.dir, "eval --weights garbage.safetensors --threads x");
  if (fs::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
    check_one_line_error(s.dir, "eval --weights garbage.safetensors --limit-test 16", "garbage.safetensors");
}

TEST_CASE("excite summary: bad flags and values exit 2 with one line") {
  Scratch s;
  check_one_line_error(s.dir, "summary --no-such-flag");
  check_one_line_error(s.dir, "summary --arch seresnet21", "seresnet21");
  check_one_line_error(s.dir, "summary --input-size 32");
  check_one_line_error(s.dir, "summary --input-size 0 0", "smaller than the kernel");
  check_one_line_error(s.dir, "summary --input-size -32 32", "negative size");
  check_one_line_error(s.dir, "summary --input-size 3000000000 3000000000");
  check_one_line_error(s.dir, "summary --input-size 2000000000 2000000000", "more elements than fit");
  check_one_line_error(s.dir, "summary --squeeze median");
  check_one_line_error(s.dir, "summary --num-classes -1");
}

TEST_CASE("excite predict: bad flags, values and files exit 2 with one line") {
  Scratch s;
  check_one_line_error(s.dir, "predict --input input.npy --output o.npy");  // --weights is required
  check_one_line_error(s.dir, "predict --weights missing.safetensors --input input.npy --output o.npy");
  check_one_line_error(s.dir, "predict --weights garbage.safetensors --input missing.npy --output o.npy");
  check_one_line_error(s.dir, "predict --weights garbage.safetensors --input input.npy --output o.npy",
                       "garbage.safetensors");
  check_one_line_error(s.dir, "predict --weights garbage.safetensors --input input.npy", "--output");
  check_one_line_error(s.dir, "predict --weights garbage.safetensors", "either");
  check_one_line_error(s.dir, "predict --weights garbage.safetensors --dataset svhn garbage.png");
  check_one_line_error(s.dir, "predict --weights garbage.safetensors --bogus");
  // Real weights (a freshly initialised SE-ResNet-20, as a run would save them) so that the
  // errors below come from the input, not from the weights.
  layers::ModelOptions m;
  m.arch = "seresnet20";
  layers::save_weights(*apps::build_model(m, 3, 10), s.dir + "/w.safetensors");
  check_one_line_error(s.dir, "predict --weights w.safetensors --input flat.npy --output o.npy", "[N, C, H, W]");
  check_one_line_error(s.dir, "predict --weights w.safetensors --input input.npy --output o.npy --in-channels 1");
  check_one_line_error(s.dir, "predict --weights w.safetensors --arch resnet56 --input input.npy --output o.npy");
  check_one_line_error(s.dir, "predict --weights w.safetensors garbage.png", "garbage.png");
  check_one_line_error(s.dir, "predict --weights w.safetensors --classes missing.txt garbage.png", "missing.txt");
  check_one_line_error(s.dir, "predict --weights w.safetensors --classes classes.txt garbage.png", "classes.txt");
  check_one_line_error(s.dir, "predict --weights w.safetensors --input input.npy --output '" + s.dir +
                              "/no-such-dir/o.npy'", "o.npy");
}

TEST_CASE("excite bench: bad flags and values exit 2 with one line") {
  Scratch s;
  check_one_line_error(s.dir, "bench --no-such-flag");
  check_one_line_error(s.dir, "bench --batch 0", "batch");
  check_one_line_error(s.dir, "bench --iters 0", "iters");
  check_one_line_error(s.dir, "bench --iters many");
  check_one_line_error(s.dir, "bench --arch vgg16");
  check_one_line_error(s.dir, "bench --input-size 0 0 --iters 1 --warmup 0", "smaller than the kernel");
  check_one_line_error(s.dir, "bench --input-size 100000 100000 --iters 1 --warmup 0", "out of memory");
  check_one_line_error(s.dir, "bench --batch 2000000000 --iters 1 --warmup 0 --no-infer");
}

TEST_CASE("excite ablate: bad flags and files exit 2 with one line (when the command exists)") {
  Scratch s;
  if (!has_subcommand(s.dir, "ablate")) {
    WARN("this excite has no ablate command: test skipped");
    return;
  }
  check_one_line_error(s.dir, "ablate --no-such-flag");
  check_one_line_error(s.dir, "ablate missing-study.json");
  check_one_line_error(s.dir, "ablate broken.json");
}

TEST_CASE("excite: every setting's flag is its key's, older spellings still parse, --no-se is --attention none") {
  Scratch s;
  const Result help = run_excite(s.dir, "train --help");
  REQUIRE(help.status == 0);
  auto has_flag = [&](const std::string& flag) {
    INFO(flag);
    CHECK((help.out.find(flag + " ") != std::string::npos || help.out.find(flag + ",") != std::string::npos));
  };
  apps::TrainConfig c;
  auto check = [&](const Setting& setting, auto&) {
    has_flag(flag_name(setting.key));
    for (const std::string& alias : setting.aliases) has_flag(flag_name(alias));
  };
  visit_fields(c, check);
  visit_fields(c.model, check);
  for (const OptionSpec& spec : layers::all_attention_options()) check(spec.setting, spec);
  has_flag("--no-se");

  // The same model however it is spelled.
  const Result se_bias = run_excite(s.dir, "summary --arch seresnet50 --se-bias --json");
  const Result bias = run_excite(s.dir, "summary --arch seresnet50 --bias --json");
  CHECK(se_bias.status == 0);
  CHECK(se_bias.out == bias.out);
  CHECK(run_excite(s.dir, "summary --arch seresnet20 --no-se").out ==
        run_excite(s.dir, "summary --arch seresnet20 --attention none").out);
  CHECK(run_excite(s.dir, "summary --arch resnet20 --attention se").out.find("total: 277,850 parameters") != std::string::npos);
  CHECK(run_excite(s.dir, "summary --se-position pre --se-stages 2,3").out ==
        run_excite(s.dir, "summary --position pre --stages 2,3").out);
}

TEST_CASE("excite: an option the attention kind does not take, or an unknown kind, exits 2 with one line") {
  Scratch s;
  // (a tiny run, should one of these wrongly start training)
  const std::string out = " --epochs 1 --limit-train 64 --limit-test 64 --out '" + s.dir + "/run'";
  check_one_line_error(s.dir, "train --attention none --reduction 8" + out, "attention 'none' takes no option 'reduction'");
  check_one_line_error(s.dir, "train --no-se --squeeze max" + out, "takes no option 'squeeze'");
  check_one_line_error(s.dir, "summary --arch resnet20 --gate tanh", "resnet20 has no attention");
  check_one_line_error(s.dir, "summary --attention cbam-2", "unknown attention 'cbam-2'");
  check_one_line_error(s.dir, "summary --gate swish", "unknown gate 'swish'");
  check_one_line_error(s.dir, "summary --position inside", "--position: unknown position 'inside'");
  check_one_line_error(s.dir, "bench --stages 4 --iters 1", "attention stage 4 does not exist");
  CHECK_FALSE(fs::exists(s.dir + "/run"));
}

TEST_CASE("excite: the kinds of issue 15 refuse bad options in one line - eca, cbam, ge") {
  Scratch s;
  const std::string out = " --epochs 1 --limit-train 64 --limit-test 64 --out '" + s.dir + "/run'";
  check_one_line_error(s.dir, "summary --attention foo", "unknown attention 'foo' (expected se, none, eca, cbam, cbam-channel, cbam-spatial or ge)");
  check_one_line_error(s.dir, "train --attention eca --reduction 8" + out, "attention 'eca' takes no option 'reduction'");
  check_one_line_error(s.dir, "train --attention eca --eca-kernel 4" + out, "option 'eca_kernel' must be odd");
  check_one_line_error(s.dir, "train --attention eca --eca-kernel 33" + out, "eca_kernel 33 is wider than the 16 channels");
  check_one_line_error(s.dir, "summary --arch resnet8 --attention eca --eca-kernel 33", "eca_kernel 33 is wider than the 16 channels");
  check_one_line_error(s.dir, "train --attention cbam-spatial --reduction 4" + out, "attention 'cbam-spatial' takes no option 'reduction'");
  check_one_line_error(s.dir, "summary --attention cbam --spatial-kernel 6", "option 'spatial_kernel' must be odd");
  check_one_line_error(s.dir, "summary --arch resnet20 --attention cbam --spatial-kernel 11111",
                       "option 'spatial_kernel' must be at most 255");  // fuzz_attention: 4 GB of weights
  check_one_line_error(s.dir, "summary --attention ge --squeeze max", "attention 'ge' takes no option 'squeeze'");
  check_one_line_error(s.dir, "summary --attention ge --theta --extent 3", "option 'extent' must be a power of two");
  check_one_line_error(s.dir, "train --attention ge --extent 64" + out, "option 'extent' 64 does not fit the 28x28 map");
  check_one_line_error(s.dir, "analyze --out an", "give a run directory or --weights");
  check_one_line_error(s.dir, "analyze not-a-run --out an", "config.json not found");
  check_one_line_error(s.dir, "analyze --weights garbage.safetensors --attention none --out an", "the model has no attention");
  // The extent and the ECA width are checked when the model is built, after the run directory
  // was made: it is taken back, no empty run is left.
  CHECK_FALSE(fs::exists(s.dir + "/run"));
}

// A #SBATCH line cannot be quoted: values that would break the batch script are refused before
// anything is written (apps/study/ablate_slurm.h); a study too large to plan likewise.
TEST_CASE("excite: --emit slurm values that would break the script, and a study of 10^12 seeds, exit 2 with one line") {
  Scratch s;
  const std::string emit = " --out '" + s.dir + "/run' --emit slurm";
  check_one_line_error(s.dir, "train" + emit + " --partition 'a b'", "--partition: 'a b' is not a Slurm partition name");
  check_one_line_error(s.dir, "train" + emit + " --partition 'short\nrm -rf ~'", "--partition");
  check_one_line_error(s.dir, "train" + emit + " --time '1:00:00\n#SBATCH --mem=1T'", "--time");
  check_one_line_error(s.dir, "train" + emit + " --time soon", "is not an sbatch time limit");
  check_one_line_error(s.dir, "train --out '" + s.dir + "/a\nb' --emit slurm", "the run directory has a line break");
  CHECK_FALSE(fs::exists(s.dir + "/run"));
  std::ofstream(s.dir + "/huge.json") << R"({"seeds": 1000000000000, "factors": {"attention": ["none"]}})";
  check_one_line_error(s.dir, "ablate huge.json --dry-run", "is more than a study may run (100000 runs)");
}
