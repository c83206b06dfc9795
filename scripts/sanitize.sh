#!/usr/bin/env bash
# scripts/sanitize.sh — the test suite under a sanitizer, in a build directory of its own.
#
#   bash scripts/sanitize.sh                 # ASan + UBSan (EXCITE_SANITIZE), build-asan/, every test
#   bash scripts/sanitize.sh --thread        # ThreadSanitizer, build-tsan/, the tests that run threads
#   bash scripts/sanitize.sh [--thread] -R 'core/'   # further arguments go to ctest
#
# ASan + UBSan: any report fails the test that triggered it (ASan aborts on the first error,
# UBSan is told to halt too) and LeakSanitizer runs at every test process's exit. The gcc
# toolchain of the normal build is used. Suppressed: OpenMPI's allocations that outlive
# MPI_Finalize in the mpirun tests, and nothing else (scripts/lsan-suppressions.txt says how).
#
# ThreadSanitizer: libgomp is not TSan-aware (its barriers and task queues are invisible to
# TSan, so every parallel region would look like a race), so this build uses clang 14 with
# LLVM's OpenMP runtime (libomp) and its Archer tool (libarcher.so, loaded through
# OMP_TOOL_LIBRARIES), which tells TSan about OpenMP's synchronisation. Nothing is suppressed.
# OpenBLAS (Debian's OpenMP build, not instrumented) asks for libgomp.so.1: build-tsan/omp-shim/
# holds a libgomp.so.1 that is libomp itself (libomp implements libgomp's entry points; LLVM
# ships the same alias as libgomp.so), so the process has one OpenMP runtime and OpenBLAS's
# threads are libomp's too. ignore_noninstrumented_modules: accesses inside uninstrumented
# libraries (OpenBLAS, libstdc++'s compiled parts) are not reported; their synchronisation
# still is. A report makes the test process exit 66, so the test fails.
#
# allocator_may_return_null (both): the tests ask for absurd sizes on purpose (`excite bench
# --input-size 100000 100000`) and expect excite's "out of memory" error.
# Prints the build and test times at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=address
if [[ ${1:-} == --thread ]]; then
  mode=thread
  shift
fi

start=$(date +%s)
status=0
if [[ $mode == address ]]; then
  EXCITE_BUILD_DIR=build-asan EXCITE_CMAKE_ARGS="-DEXCITE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo" \
    bash scripts/setup.sh
  built=$(date +%s)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0}
  ctest --test-dir build-asan --output-on-failure -j2 "$@" || status=$?
  what="ASan + UBSan, build-asan/"
else
  # clang and LLVM's OpenMP with Archer, beside the packages of the normal build.
  extra=(clang-14 libomp-14-dev)
  missing=()
  for p in "${extra[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || { echo "excite sanitize: install ${missing[*]} (sudo apt-get install -y ${missing[*]})" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  archer=/usr/lib/llvm-14/lib/libarcher.so
  libomp=/usr/lib/llvm-14/lib/libomp.so.5
  [[ -e $archer && -e $libomp ]] || { echo "excite sanitize: $archer or $libomp missing (libomp-14-dev)" >&2; exit 1; }
  CXX=clang++-14 EXCITE_BUILD_DIR=build-tsan \
    EXCITE_CMAKE_ARGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread" \
    bash scripts/setup.sh
  mkdir -p build-tsan/omp-shim
  ln -sf "$libomp" build-tsan/omp-shim/libgomp.so.1
  export LD_LIBRARY_PATH=$PWD/build-tsan/omp-shim${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export OMP_TOOL_LIBRARIES=$archer
  export TSAN_OPTIONS=${TSAN_OPTIONS:-ignore_noninstrumented_modules=1:allocator_may_return_null=1:second_deadlock_stack=1}
  # The canary: a real race must be reported and synchronised OpenMP code must not be.
  clang++-14 -fopenmp -fsanitize=thread -g -O1 tests/tsan/canary.cpp -o build-tsan/tsan-canary
  canary=0
  OMP_NUM_THREADS=2 build-tsan/tsan-canary race >/dev/null 2>&1 || canary=$?
  [[ $canary -eq 66 ]] || { echo "excite sanitize: the TSan canary race was not reported (exit $canary)" >&2; exit 1; }
  OMP_NUM_THREADS=2 build-tsan/tsan-canary clean >/dev/null || { echo "excite sanitize: TSan reported synchronised OpenMP code: is Archer loaded?" >&2; exit 1; }
  built=$(date +%s)
  # The tests that run threads: loader workers, the parallel kernels (conv, batchnorm, pooling,
  # element-wise, softmax-xent), the autograd engine's gradient accumulation and the ops, whole
  # models forward and backward, the trainer end to end and the ablation runner (--jobs 2, child
  # processes). Left out: the fault tests (kills, full disks: processes, not threads) and the
  # parity tests of single ops, which run in the ASan build; both are many minutes under TSan;
  # and install/package, which builds a consumer of the installed library without TSan's flags
  # (so its link fails on the instrumented objects: a property of this build, not of the package).
  default_selection=(-E 'SIGKILL|full disk|cannot be written|NaN or inf|fuzz|hostile|bad flags|parity: (SGD|AdamW|LR)|install/package')
  [[ $# -gt 0 ]] && default_selection=()
  ctest --test-dir build-tsan --output-on-failure -j2 --timeout 1800 "${default_selection[@]}" "$@" || status=$?
  what="ThreadSanitizer with libomp + Archer, build-tsan/"
fi
done=$(date +%s)
echo "excite sanitize: build $((built - start)) s, tests $((done - built)) s ($what)"
exit $status
