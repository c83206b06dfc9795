#!/usr/bin/env bash
# scripts/sanitize.sh — the whole test suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer (the EXCITE_SANITIZE CMake option) into build-asan/, then run.
#
#   bash scripts/sanitize.sh                 # build (packages as scripts/setup.sh) and run all tests
#   bash scripts/sanitize.sh -R 'core/'      # extra arguments go to ctest
#
# Any sanitizer report fails the test that triggered it: ASan aborts on the first error, UBSan
# is told to halt on the first one too (gcc's checks would otherwise print and carry on), and
# LeakSanitizer runs at every test process's exit. allocator_may_return_null: the tests ask for
# absurd sizes on purpose (`excite bench --input-size 100000 100000`) and expect excite's "out of
# memory" error, which needs malloc to fail as it does without ASan instead of aborting.
# Prints the build and test times at the end.
# The gcc toolchain of the normal build is used (libasan/libubsan come with g++).
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
EXCITE_BUILD_DIR=build-asan EXCITE_CMAKE_ARGS="-DEXCITE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo" \
  bash scripts/setup.sh
built=$(date +%s)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
ctest --test-dir build-asan --output-on-failure -j2 "$@" || status=$?
done=$(date +%s)
echo "excite sanitize: build $((built - start)) s, tests $((done - built)) s (ASan + UBSan, build-asan/)"
exit $status
