#!/usr/bin/env bash
# scripts/setup.sh — installs what excite needs from Debian's archive (only what is missing),
# then configures and builds into build/. Safe to run again: it does nothing it need not do.
#
#   bash scripts/setup.sh            # packages + Release build
#   bash scripts/setup.sh --with-pytorch  # also Debian's python3-torch, for bench/compare_pytorch.py
#                                         # and tests/reference/make_fixtures.py (not needed to test)
#   EXCITE_BUILD_DIR=build-asan EXCITE_CMAKE_ARGS="-DEXCITE_SANITIZE=ON" bash scripts/setup.sh
#
# Not root and packages missing: prints the exact `sudo apt-get install ...` line and stops.
# Works on any Debian architecture (x86-64, aarch64, ...): the build finds the libraries in the
# machine's own multiarch directory and the kernels pick their instruction set at run time.
# Cross-building for aarch64 on an x86 host: scripts/cross-aarch64.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

with_pytorch=0
for arg in "$@"; do
  case $arg in
    --with-pytorch) with_pytorch=1 ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "excite setup: unknown argument '$arg' (known: --with-pytorch)" >&2; exit 2 ;;
  esac
done

packages=(
  g++ cmake make pkg-config
  libopenblas-openmp-dev   # GEMM; the OpenMP build on purpose, see core/blas.cpp
  libhwy-dev               # Google Highway: the SIMD layer of the kernels (core/kernels/isa.h)
  libstb-dev               # stb_image: JPEG/PNG/BMP decoding
  catch2                   # the test framework (2.13)
  zlib1g-dev               # .gz IDX files
  libcli11-dev             # the command line
  nlohmann-json3-dev       # configs, safetensors headers, JSON output
  dataset-fashion-mnist    # the default training data
  gnuplot-nox              # training and ablation plots (PNG)
  libonnx-dev libprotobuf-dev  # ONNX export (deploy/): the ONNX project's C++ classes and checker
  python3-opencv python3-numpy  # OpenCV's DNN module, the second ONNX runtime of tests/deploy
  openmpi-bin libopenmpi-dev  # data-parallel training: mpirun -np K excite train (apps/train/dist/)
  slurm-wlm munge          # studies as Slurm job arrays; scripts/slurm-local.sh tests them
)

# Node.js runs ONNX Runtime (npm onnxruntime-node, below) in tests/deploy. Debian's nodejs and
# npm only where no node/npm is on the PATH: a machine with another Node.js build (one that
# bundles npm) cannot take Debian's npm beside it.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if ((with_pytorch)); then packages+=(python3-torch); fi  # PyTorch 1.13 (oneDNN), for /usr/bin/python3

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "excite setup: missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "excite setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime for the export tests: the CPU library ships inside the npm package; its install
# script would download a GPU build, hence --ignore-scripts. Pinned by tools/ort/package-lock.json.
if [[ ! -d tools/ort/node_modules/onnxruntime-node ]]; then
  echo "excite setup: installing onnxruntime-node into tools/ort (npm ci --ignore-scripts)"
  (cd tools/ort && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
fi

build_dir=${EXCITE_BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release ${EXCITE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
