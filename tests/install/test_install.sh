#!/usr/bin/env bash
# tests/install/test_install.sh BUILD_DIR SOURCE_DIR — the installable package end to end:
# `cmake --install` into a temporary prefix, then examples/train_predict built against it once
# with find_package(excite) and once with `pkg-config --cflags --libs excite`, each run (a short
# training slice). Exit 77 (CTest: skipped) when Fashion-MNIST is not installed.
set -euo pipefail
build=$1
src=$2
if [[ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz && -z "${EXCITE_DATA:-}" ]]; then
  echo "skipped: Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
# A sanitizer build's libraries need the sanitizer's runtime in whatever links them: the consumer
# is built with the build's compiler and its -fsanitize flags (none in a normal build).
cached() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
cxx=$(cached CMAKE_CXX_COMPILER)
sanitize=$(cached CMAKE_CXX_FLAGS | grep -oE -- '-fsanitize=[a-z,]+' | head -1 || true)
[[ $(cached EXCITE_SANITIZE) == ON ]] && sanitize=-fsanitize=address,undefined

cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"
for f in lib/cmake/excite/exciteConfig.cmake lib/cmake/excite/exciteConfigVersion.cmake lib/pkgconfig/excite.pc \
         lib/libexcite_core.a lib/libexcite_train.a include/excite/core/tensor.h include/excite/apps/train/trainer.h; do
  [[ -e "$prefix/$f" ]] || { echo "not installed: $f"; exit 1; }
done

echo "== find_package(excite)"
cmake -S "$src/examples/train_predict" -B "$tmp/with-cmake" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_EXE_LINKER_FLAGS="$sanitize" > "$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/with-cmake" -j2 > "$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }
"$tmp/with-cmake/train_predict" 512 "$tmp/a.safetensors"
[[ -s "$tmp/a.safetensors" ]]

echo "== pkg-config --cflags --libs excite"
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs excite)
echo "$flags"
"$cxx" -std=c++20 -O2 $sanitize "$src/examples/train_predict/main.cpp" -o "$tmp/train_predict" $flags
"$tmp/train_predict" 256 "$tmp/b.safetensors"
[[ -s "$tmp/b.safetensors" ]]
echo "ok"
