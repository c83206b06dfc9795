#!/usr/bin/env bash
# tests/fuzz/test_totals.sh SOURCE_DIR — `scripts/fuzz.sh --totals` on a ledger of known rows: a
# carried row counts its runs and its not-ok runs, single runs count one each, a failed run is not
# ok, a row without an execution count ("?", a build that never ran) adds nothing. The README's
# fuzzing totals come from this sum. Needs nothing installed (awk only).
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  printf 'date\ttarget\tbuild\tseconds\texecutions\tresult\truns\n'
  printf '2026-12-02T00:00:00Z\tnpy\tmixed\t800\t9000000\tcarried: 6 runs before this ledger (1 not ok), README totals\t6\n'
  printf '2026-12-02T01:00:00Z\tnpy\tubsan\t100\t1500000\tok\t1\n'
  printf '2026-12-02T02:00:00Z\tnpy\tasan+ubsan\t20\t30000\tFAILED:\t1\n'
  printf '2026-12-02T03:00:00Z\tidx\tasan+ubsan\t20\t?\tFAILED:\t1\n'
  printf '2026-12-02T04:00:00Z\tidx\tubsan\t60\t700000\tok\n'  # an old row without the runs column
} >"$tmp/ledger.tsv"
out=$(EXCITE_FUZZ_LEDGER=$tmp/ledger.tsv bash "$src/scripts/fuzz.sh" --totals)
echo "$out"
expect() {
  grep -qE "$1" <<<"$out" || { echo "FAILED: no line matching '$1'" >&2; exit 1; }
}
expect '^npy +8 +920 +10530000  2$'
expect '^idx +1 +60 +700000  0$'
[[ $(wc -l <<<"$out") -eq 3 ]] || { echo "FAILED: expected a header and two targets" >&2; exit 1; }
echo "fuzz totals: ok"
