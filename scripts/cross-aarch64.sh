#!/usr/bin/env bash
# scripts/cross-aarch64.sh — cross-builds excite's kernel and autograd tests for aarch64 with
# Debian's g++-aarch64-linux-gnu and the arm64 multiarch libraries, and runs them under
# qemu-aarch64: the NEON (and scalar) targets of the SIMD kernels compared with their naive twins
# on an x86 host. Slow (emulation: tens of minutes) and not part of CI.
#
#   bash scripts/cross-aarch64.sh            # packages (as root, only the missing ones), build, run
#   EXCITE_CROSS_TESTS="test_core" bash scripts/cross-aarch64.sh
#
# OMP_NUM_THREADS=1: libgomp's spin-waiting workers are ~100x slower under qemu. The build goes to
# build-aarch64/ (only the test targets). On an aarch64 machine none of this is needed:
# scripts/setup.sh builds natively (no x86_64 paths are written into the build).
set -euo pipefail
cd "$(dirname "$0")/.."

host_packages=(g++-aarch64-linux-gnu qemu-user cmake make)
# (zlib for the top-level configure step; only core/ and autograd/ are configured, see EXCITE_FOLDERS)
arm64_packages=(libopenblas-openmp-dev:arm64 libhwy-dev:arm64 zlib1g-dev:arm64 libgomp1:arm64)

missing=()
for p in "${host_packages[@]}" "${arm64_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "cross-aarch64: missing packages. Install them with:" >&2
    echo "  sudo dpkg --add-architecture arm64 && sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "cross-aarch64: installing ${missing[*]}"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

build_dir=${EXCITE_CROSS_BUILD_DIR:-build-aarch64}
tests=${EXCITE_CROSS_TESTS:-test_core test_autograd}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DEXCITE_FOLDERS="core;autograd" \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/scripts/toolchain-aarch64-linux-gnu.cmake" >/dev/null
# shellcheck disable=SC2086
cmake --build "$build_dir" -j"$(nproc)" --target $tests

export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
status=0
for t in $tests; do
  echo "== $t under qemu-aarch64 ($(file -b "$build_dir/tests/$t" | cut -d, -f1-2))"
  start=$SECONDS
  # --success off, but the instruction-set WARN of test_isa is printed: which targets ran.
  qemu-aarch64 -L /usr/aarch64-linux-gnu "$build_dir/tests/$t" --warn NoTests || status=1
  echo "== $t: $((SECONDS - start)) s"
done
exit $status
