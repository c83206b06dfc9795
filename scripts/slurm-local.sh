#!/usr/bin/env bash
# scripts/slurm-local.sh — a one-node Slurm cluster on this machine, for testing excite's Slurm
# scripts for real (Debian's slurm-wlm and munge), and the test that uses it.
#
#   sudo bash scripts/slurm-local.sh start      munged, slurmctld, slurmd on `hostname -s`
#   eval "$(bash scripts/slurm-local.sh env)"    SLURM_CONF for sbatch/squeue/sinfo in this shell
#   sudo bash scripts/slurm-local.sh stop       stops the daemons it started (by their pids)
#   sudo bash scripts/slurm-local.sh run-test [EXCITE]   start, a 4-run study as a job array,
#                                               check the merged report, re-submit (all skipped), list a
#                                               missing run; one 2-rank run via `train --emit slurm`; stop
#
# Everything lives under $EXCITE_SLURM_DIR (default /tmp/excite-slurm-$UID): a fresh munge key and
# socket, slurm.conf, state and spool directories, logs, pid files. Nothing system-wide is touched
# (the munge socket is our own: AuthInfo=socket=...). ProctrackType=proctrack/linuxproc and
# TaskPlugin=task/none: no cgroups needed. Needs root (slurmd runs jobs as their users).
# Exit status: 0 when the test passed; non-zero with a one-line reason otherwise.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${EXCITE_SLURM_DIR:-/tmp/excite-slurm-$(id -u)}"
host="$(hostname -s)"
conf="$dir/slurm.conf"

die() { echo "slurm-local: $*" >&2; exit 1; }

need() {
  for b in munged mungekey slurmctld slurmd sbatch squeue sinfo; do
    command -v "$b" >/dev/null || die "$b is missing (Debian: apt-get install slurm-wlm munge)"
  done
  [[ $(id -u) -eq 0 ]] || die "needs root (slurmd starts jobs as their users)"
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  need
  if alive "$dir/slurmctld.pid"; then echo "slurm-local: already running under $dir"; return 0; fi
  mkdir -p "$dir"/{munge,state,spool,log}
  chmod 700 "$dir/munge"
  rm -f "$dir/munge/munge.key"
  mungekey --create --keyfile="$dir/munge/munge.key" 2>/dev/null ||
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
  local cpus
  cpus="$(nproc)"
  cat > "$conf" <<CONF
# written by excite's scripts/slurm-local.sh: a one-node cluster for tests
ClusterName=excite-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=${EXCITE_SLURMCTLD_PORT:-16817}
SlurmdPort=${EXCITE_SLURMD_PORT:-16818}
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerParameters=sched_interval=1
MinJobAge=10
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$conf"
  slurmctld -f "$conf" -i
  slurmd -f "$conf"
  for _ in $(seq 1 100); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "slurm-local: up on $host ($cpus CPUs), SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.2
  done
  die "the node did not come up; see $dir/log/slurmctld.log and $dir/log/slurmd.log"
}

stop() {
  local f
  for f in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    if alive "$f"; then
      local pid
      pid="$(cat "$f")"
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$f"
  done
  echo "slurm-local: stopped"
}

run_test() {
  local excite="${1:-$here/build/excite}"
  [[ -x "$excite" ]] || die "no excite binary at $excite (build first)"
  start
  trap stop EXIT
  export SLURM_CONF="$conf"
  local study="$dir/study-$$"
  rm -rf "$study"
  "$excite" ablate "$here/tests/slurm/tiny-study.json" --out "$study" --emit slurm --cpus-per-task 1 --max-parallel 2
  grep -q '^#SBATCH --array=0-3%2$' "$study/slurm/study.sbatch" || die "the script has no 4-task array throttled to 2"
  local t0=$SECONDS
  sbatch --wait --quiet "$study/slurm/study.sbatch" || die "the array failed; logs in $study/slurm/logs"
  echo "slurm-local: the 4-task array ran in $((SECONDS - t0)) s"
  local report
  report="$("$excite" ablate --report-only "$study")"
  echo "$report" | tail -3
  echo "$report" | grep -q "all 4 runs finished" || die "the merged report does not list 4 finished runs"
  for i in 0 1 2 3; do
    [[ -f "$study/slurm/logs/task-$i.log" ]] || die "no log for task $i"
  done
  [[ "$(ls "$study"/runs/*/summary.json | wc -l)" -eq 4 ]] || die "not 4 summary.json files"
  # Re-submitted: every task finds its run finished and skips it.
  sbatch --wait --quiet "$study/slurm/study.sbatch" || die "the re-submitted array failed"
  [[ "$(cat "$study"/slurm/logs/task-*.log | grep -c 'is finished already')" -eq 4 ]] ||
    die "re-submitted tasks did not skip their finished runs"
  # A missing run is listed with its task's log.
  rm -rf "$study/runs/$(sed -n 2p "$study/slurm/tasks.tsv" | cut -f2)"
  "$excite" ablate --report-only "$study" | grep -q "1 of 4 runs missing or failed" ||
    die "the report does not list the removed run as missing"
  rm -rf "$study"
  # One training run over 2 MPI ranks as a batch job (mpirun inside the allocation).
  local run="$dir/train-$$"
  rm -rf "$run"
  "$excite" train --limit-train 256 --limit-test 128 --epochs 1 --batch 32 --workers 0 --out "$run" \
    --emit slurm --ranks 2 --cpus-per-task 1 --sync-bn
  # Under scripts/sanitize.sh the ranks record whole allocation stacks, so that LeakSanitizer can
  # tell OpenMPI's allocations at exit (scripts/lsan-suppressions.txt) from excite's.
  if [[ -n ${ASAN_OPTIONS:-} ]]; then export ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0; fi
  sbatch --wait --quiet "$run/train.sbatch" || die "the 2-rank training job failed; see $run/slurm-*.log"
  grep -q '"world_size": 2' "$run/summary.json" || die "the 2-rank job's summary.json does not say world_size 2"
  rm -rf "$run"
  echo "slurm-local: test passed"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$conf" ;;
  run-test) shift; run_test "$@" ;;
  *) echo "usage: $0 start|stop|env|run-test [EXCITE]" >&2; exit 2 ;;
esac
