#!/usr/bin/env bash
# scripts/fuzz.sh — builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan) into
# build-fuzz/ and runs each for a bounded time, starting from the seeds in fuzz/corpus/.
#
#   bash scripts/fuzz.sh            # 60 s per target
#   bash scripts/fuzz.sh 20         # 20 s per target (what CI runs)
#   bash scripts/fuzz.sh 600 npy    # one target, ten minutes
#   bash scripts/fuzz.sh --fast 3600 study   # a long campaign: UBSan only, no ASan (build-fuzz-fast/)
#
# Installs what it needs from Debian when missing (clang, its libFuzzer/sanitizer runtimes and
# OpenMP library, plus excite's own libraries); not root: prints the apt-get line and stops.
# These are not in scripts/setup.sh on purpose: building and using excite needs only g++.
#
# New inputs found go to build-fuzz/corpus/<target>/ (not into the committed seeds); a crash,
# hang (> 10 s; 30 s for images, 60 s for studies), leak, sanitizer report or single allocation above 256 MB stops that target and
# leaves the input in build-fuzz/artifacts/. Reproduce with: build-fuzz/fuzz_<target> <file>.
# EXCITE_FUZZ_SEED=n fixes libFuzzer's random seed (CI does, so that its runs repeat; 0 = random).
# --fast builds the targets without AddressSanitizer (fuzz/CMakeLists.txt: EXCITE_FUZZ_ASAN=OFF)
# for campaigns that count executions: a crash, hang or UBSan report is still found, a silent
# memory error, a leak or a single allocation over the limit is not (-malloc_limit_mb needs ASan's
# allocator; only -rss_limit_mb holds), so CI keeps the ASan build. Both grow the same corpus.
# Every run appends a line to fuzz/executions.tsv (date, target, build, seconds, executions,
# result, runs): the ledger the README's totals come from, kept in git so that a campaign's record
# outlives the machine it ran on (commit it with the runs); its first rows carry the totals of
# the runs before it (one row per target, `runs` > 1). `bash scripts/fuzz.sh --totals` sums it
# (tests/fuzz/test_totals.sh checks the sum; EXCITE_FUZZ_LEDGER=FILE points at another ledger).
# Exit status: 0 when every target ran its time clean, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=build-fuzz/corpus          # grown by both builds
ledger=${EXCITE_FUZZ_LEDGER:-fuzz/executions.tsv}  # one line per run of either build (in git)
if [[ ${1:-} == --totals ]]; then
  [[ -f $ledger ]] || { echo "excite fuzz: no runs recorded yet ($ledger)" >&2; exit 1; }
  printf "%-12s %6s %10s %14s  %s\n" target runs seconds executions "not ok"
  # A carried row says how many of its runs were not ok: "carried: R runs ... (B not ok)".
  awk -F'\t' 'NR > 1 && $5 ~ /^[0-9]+$/ {
      n[$2] += $5; s[$2] += $4; r[$2] += ($7 ~ /^[0-9]+$/ ? $7 : 1)
      if ($6 ~ /^carried/) { if (match($6, /\([0-9]+ not ok\)/)) bad[$2] += substr($6, RSTART + 1, RLENGTH - 9) + 0 }
      else if ($6 != "ok") bad[$2]++ }
    END { for (t in n) printf "%-12s %6d %10d %14d  %d\n", t, r[t], s[t], n[t], bad[t] }' "$ledger" | sort
  exit 0
fi
build=build-fuzz
asan=ON
sanitizers=asan+ubsan
if [[ ${1:-} == --fast ]]; then
  build=build-fuzz-fast
  asan=OFF
  sanitizers=ubsan
  shift
fi
seconds=${1:-60}
shift || true
all_targets=(idx idx_gz cifar safetensors npy config image attention study scaleout export)
targets=("${@:-${all_targets[@]}}")

packages=(
  clang                  # the compiler (clang 14 on bookworm)
  libclang-rt-14-dev     # libFuzzer and the sanitizer runtimes for clang 14
  libomp-dev             # clang's OpenMP (excite_core links OpenMP)
  cmake make
  libopenblas-openmp-dev libstb-dev zlib1g-dev nlohmann-json3-dev libcli11-dev  # as scripts/setup.sh
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "excite fuzz: missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "excite fuzz: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# One configure and build at a time per build directory: two campaigns started together (one
# target each, on a core each) raced in CMake's try_compile and one died (2026-12-02). The lock
# is released before fuzzing, so the campaigns themselves run side by side.
mkdir -p "$build"
exec 9>"$build/.build.lock"
flock 9
cmake -S fuzz -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DEXCITE_FUZZ_ASAN=$asan >/dev/null
if ! cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >"$build/build.log" 2>&1; then
  grep -E -A3 "error" "$build/build.log" | head -40 >&2
  echo "excite fuzz: the build failed, see $build/build.log" >&2
  exit 1
fi
flock -u 9
exec 9>&-

# Largest input per target: a few records / a small image, a little above the largest seed.
max_len() {
  case $1 in
    cifar) echo 10000 ;;
    image) echo 16384 ;;
    npy | safetensors | config | study) echo 12000 ;;  # past npy's 10000-byte header limit
    *) echo 4096 ;;
  esac
}

# Largest single allocation: 256 MB, except for images, where data/image.cpp allows headers up
# to 2^28 pixels (stb may allocate a few bytes per pixel before it finds the data missing).
malloc_limit() {
  case $1 in
    image) echo 2048 ;;
    *) echo 256 ;;
  esac
}

# Longest single input, seconds: 10, except where a small input legitimately does much work, which
# the instrumented build does 15-30x slower than the release one, more on a busy machine (each
# limit below was a false "hang" on 2026-12-02): studies, whose plan builds and runs every variant
# once (a SE-ResNet-50 CIFAR study of 10 variants: 0.96 s released, 17-33 s instrumented), and
# images, whose header may declare up to 2^28 pixels that stb then decodes (a 7.5 KB JPEG of
# 6688x255x3: 0.63 s in Debian's libstb, 10 s instrumented).
input_timeout() {
  case $1 in
    study) echo 60 ;;
    image) echo 30 ;;
    *) echo 10 ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One core per target: the targets that build a model (study, attention) ran its kernels on
# OpenMP threads that spent a third of fuzz_study's time waiting (perf, 2026-12-02).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
mkdir -p "$build/artifacts" "$build/logs" "$corpus"
[[ -f $ledger ]] || printf "date\ttarget\tbuild\tseconds\texecutions\tresult\truns\n" >"$ledger"
status=0
printf "%-12s %8s %12s %8s  %s\n" target seconds executions corpus result
for t in "${targets[@]}"; do
  mkdir -p "$corpus/$t"
  log=$build/logs/$t-$(date -u +%Y%m%dT%H%M%S)-$$.log  # one per run: campaigns of one target may overlap
  start=$(date +%s)
  if "$build/fuzz_$t" -max_total_time="$seconds" -seed="${EXCITE_FUZZ_SEED:-0}" -timeout="$(input_timeout "$t")" -rss_limit_mb=2048 -malloc_limit_mb="$(malloc_limit "$t")" \
      -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
      "$corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED: $(grep -m1 -E 'ERROR|runtime error|deadly signal' "$log" || echo 'see log') -> $log"
    status=1
  fi
  execs=$(grep -m1 -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  inputs=$(find "$corpus/$t" -type f | wc -l)
  elapsed=$(($(date +%s) - start))
  printf "%-12s %8s %12s %8s  %s\n" "$t" "$elapsed" "$execs" "$inputs" "$result"
  printf "%s\t%s\t%s\t%s\t%s\t%s\t1\n" "$(date -u +%FT%TZ)" "$t" "$sanitizers" "$elapsed" "$execs" "${result%% *}" >>"$ledger"
done
exit $status
