#!/usr/bin/env bash
# tests/tools/test_tool_arguments.sh SOURCE_DIR BENCH_CONV — the helper tools outside `excite` on
# bad arguments: scripts/setup.sh, bench_conv_bench (its flags' values too) and
# bench/compare_pytorch.py each end with one line saying what is wrong and a non-zero status (no
# traceback, no uncaught exception), and --help prints the usage. Installs and builds nothing:
# every case fails before that.
set -uo pipefail
src=$1 bench=$2
fails=0
# check WHAT EXPECTED_STATUS PATTERN -- COMMAND...: the status and a line of the output matching PATTERN.
check() {
  local what=$1 want=$2 pattern=$3
  shift 4
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [[ $status -ne $want ]] || ! grep -qE -- "$pattern" <<<"$out" || grep -q Traceback <<<"$out" ||
     grep -q "terminate called" <<<"$out"; then
    echo "FAILED: $what: status $status (want $want), output:" >&2
    echo "$out" >&2
    fails=$((fails + 1))
  else
    echo "ok: $what"
  fi
}
check "setup.sh, unknown argument" 2 "^excite setup: unknown argument '--bogus'" -- bash "$src/scripts/setup.sh" --bogus
check "setup.sh --help" 0 "--with-pytorch" -- bash "$src/scripts/setup.sh" --help
check "bench_conv_bench, not a number" 2 "^bench_conv_bench: 'x' is not a thread count" -- "$bench" x
check "bench_conv_bench, zero threads" 2 "^bench_conv_bench: '0' is not a thread count" -- "$bench" 0
check "bench_conv_bench, too many threads" 2 "is not a thread count" -- "$bench" 99999999999
check "bench_conv_bench --reps not a number" 2 "^bench_conv_bench: --reps takes a whole number" -- "$bench" 1 --reps x
check "bench_conv_bench --batch 0" 2 "^bench_conv_bench: --batch takes a whole number" -- "$bench" 1 --batch 0
check "bench_conv_bench --layer without a value" 2 "^bench_conv_bench: --layer takes a whole number" -- "$bench" 1 --layer
check "bench_conv_bench --layer past the table" 2 "^bench_conv_bench: --layer 8: the table has layers 0 to 7" -- "$bench" 1 --layer 8
check "bench_conv_bench --tile" 0 "^forward tile [0-9]+ x [0-9]+ .* % of the FMA peak" -- "$bench" --tile --reps 1
check "bench_conv_bench --help" 0 "^usage: bench_conv_bench" -- "$bench" --help
# With or without PyTorch installed: no PyTorch stops first; with it, the missing binary does.
check "compare_pytorch, no excite binary" 1 "^compare_pytorch: (no PyTorch|cannot run)" -- \
  /usr/bin/python3 "$src/bench/compare_pytorch.py" --excite /nonexistent/excite --rounds 1
check "compare_pytorch, a failing excite" 1 "^compare_pytorch: (no PyTorch|false bench .* failed)" -- \
  /usr/bin/python3 "$src/bench/compare_pytorch.py" --excite /bin/false --rounds 1
((fails == 0)) || exit 1
echo "tool arguments: ok"
