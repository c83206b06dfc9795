#!/usr/bin/python3
"""Side-by-side speed of excite and PyTorch (Debian's python3-torch) on the same model.

Runs `excite bench --json` and the same measurement in PyTorch, in NCHW and in channels_last,
alternately, several rounds, each in its own process (so peak memory is each side's own), and
prints per round and overall the medians and the ratio of excite to PyTorch's best layout (the
faster of the two, per measurement). The shared machines here are noisy: only ratios measured in
one run mean anything.

    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet20 --threads 2 --rounds 5
    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet20 --threads 1
    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet8 --in-channels 1 --input-size 28
    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet20 --isa avx2   # excite's AVX2 kernels
    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet20 --as-avx2-machine  # both sides AVX2
    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet50 --input-size 224 --batch 8 --infer-batch 8 --no-train

PyTorch side: the torch twins of excite's models from tests/reference/make_fixtures.py (same
structure and parameter names), SGD with momentum 0.9 and weight decay 5e-4, cross-entropy.
Threads: make_fixtures.py sets torch.set_num_threads(1) when imported (its fixtures are
single-threaded), so the worker imports it first and sets the threads afterwards; it reports
torch.get_num_threads() and the script stops if that is not the number asked for (every
"2-thread" PyTorch figure before this check was a 1-thread one). --isa sets EXCITE_ISA for
excite (avx512, avx2, ...: the instruction set of its kernels; PyTorch keeps its own choice).
--as-avx2-machine is the nearest an AVX-512 host comes to an AVX2-only one: EXCITE_ISA=avx2 for
excite, ONEDNN_MAX_CPU_ISA=AVX2 for PyTorch's oneDNN, OPENBLAS_CORETYPE=Haswell for both.
"""
import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def torch_twins():
    """tests/reference/make_fixtures.py, the torch twins of the zoo. Importing it runs its
    module-level torch.set_num_threads(1): set the threads after this."""
    sys.path.insert(0, os.path.join(REPO, "tests", "reference"))
    import make_fixtures as mf
    return mf


def torch_model(arch, in_channels, classes):
    mf = torch_twins()
    se = {} if arch.startswith("se") else None
    depth = int(arch.removeprefix("se").removeprefix("resnet"))
    imagenet = {18: (False, (2, 2, 2, 2)), 34: (False, (3, 4, 6, 3)), 50: (True, (3, 4, 6, 3)),
                101: (True, (3, 4, 23, 3)), 152: (True, (3, 8, 36, 3))}
    if depth in imagenet:
        bottleneck, depths = imagenet[depth]
        return mf.ResNetTwin("imagenet", bottleneck, depths, (64, 128, 256, 512), in_channels, classes, se=se)
    n = (depth - 2) // 6
    return mf.ResNetTwin("cifar", False, (n, n, n), (16, 32, 64), in_channels, classes, se=se)


def torch_worker(a):
    """One PyTorch measurement, run in a child process; prints one JSON line."""
    import torch
    torch_twins()  # first: its import sets 1 thread
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(False)
    torch.manual_seed(0)
    model = torch_model(a.arch, a.in_channels, a.classes)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    result = {}
    if not a.no_train:
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        x = torch.randn(a.batch, a.in_channels, a.input_size, a.input_size).to(memory_format=fmt)
        y = torch.arange(a.batch) % a.classes
        model.train()
        times = []
        for i in range(a.warmup + a.iters):
            t0 = time.perf_counter()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if i >= a.warmup:
                times.append(time.perf_counter() - t0)
        result["train_images_per_second"] = a.batch / statistics.median(times)
    if not a.no_infer:
        x = torch.randn(a.infer_batch, a.in_channels, a.input_size, a.input_size).to(memory_format=fmt)
        model.eval()
        times = []
        with torch.no_grad():
            for i in range(a.warmup + a.iters):
                t0 = time.perf_counter()
                model(x)
                if i >= a.warmup:
                    times.append(time.perf_counter() - t0)
        result["infer_images_per_second"] = a.infer_batch / statistics.median(times)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["torch_threads"] = torch.get_num_threads()
    print(json.dumps(result))


def run_json(cmd, env=None):
    """Runs one measurement and returns its JSON line; a failed one ends the comparison with the
    child's last line of errors (not a traceback of this script)."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    except OSError as e:
        sys.exit(f"compare_pytorch: cannot run {cmd[0]}: {e.strerror} (build excite first: bash scripts/setup.sh)")
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or not lines:
        why = (p.stderr.strip().splitlines() or [f"exit status {p.returncode}, no output"])[-1]
        sys.exit(f"compare_pytorch: {os.path.basename(cmd[0])} {' '.join(cmd[1:3])} ... failed: {why}")
    return json.loads(lines[-1])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="seresnet20")
    ap.add_argument("--in-channels", type=int, default=3)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--input-size", type=int, default=32)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--infer-batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--no-train", action="store_true")
    ap.add_argument("--no-infer", action="store_true")
    ap.add_argument("--channels-last", action="store_true", help="(worker) PyTorch in NHWC")
    ap.add_argument("--layouts", default="nchw,channels_last",
                    help="PyTorch layouts to run, comma-separated (default both; the ratio is to the faster)")
    ap.add_argument("--isa", help="EXCITE_ISA for excite: avx512, avx2, sse4, neon, scalar (default: the best)")
    ap.add_argument("--as-avx2-machine", action="store_true",
                    help="both sides limited to AVX2: EXCITE_ISA=avx2, ONEDNN_MAX_CPU_ISA=AVX2, OPENBLAS_CORETYPE=Haswell")
    ap.add_argument("--omp-wait-policy", choices=["active", "passive"],
                    help="OMP_WAIT_POLICY for both sides (both use libgomp; unset: its default, spin ~300k "
                         "iterations before sleeping, which on a loaded machine burns the time slices of 2 threads)")
    ap.add_argument("--excite", default=os.path.join(REPO, "build", "excite"))
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.torch_worker:
        torch_worker(a)
        return
    if importlib.util.find_spec("torch") is None:
        sys.exit(f"compare_pytorch: no PyTorch for {sys.executable}: on Debian, bash scripts/setup.sh --with-pytorch "
                 f"(or apt-get install python3-torch) and run this script with /usr/bin/python3")

    common = ["--batch", str(a.batch), "--infer-batch", str(a.infer_batch), "--threads", str(a.threads),
              "--warmup", str(a.warmup), "--iters", str(a.iters)] + (["--no-train"] if a.no_train else []) + \
             (["--no-infer"] if a.no_infer else [])
    excite_cmd = [a.excite, "bench", "--arch", a.arch, "--in-channels", str(a.in_channels), "--num-classes",
                  str(a.classes), "--input-size", str(a.input_size), str(a.input_size), "--json"] + common
    torch_cmd = [sys.executable, os.path.abspath(__file__), "--torch-worker", "--arch", a.arch, "--in-channels",
                 str(a.in_channels), "--classes", str(a.classes), "--input-size", str(a.input_size)] + common
    layouts = [l.strip() for l in a.layouts.split(",") if l.strip()]
    for l in layouts:
        if l not in ("nchw", "channels_last"):
            sys.exit(f"compare_pytorch: unknown layout '{l}' (nchw, channels_last)")
    env = dict(os.environ)
    if a.omp_wait_policy:
        env["OMP_WAIT_POLICY"] = a.omp_wait_policy
    if a.as_avx2_machine:
        env.update({"ONEDNN_MAX_CPU_ISA": "AVX2", "DNNL_MAX_CPU_ISA": "AVX2", "OPENBLAS_CORETYPE": "Haswell"})
        a.isa = a.isa or "avx2"
    excite_env = dict(env)
    if a.isa:
        excite_env["EXCITE_ISA"] = a.isa
    keys = [k for k, skip in (("train_images_per_second", a.no_train), ("infer_images_per_second", a.no_infer))
            if not skip] + ["peak_rss_mb"]
    ex = {k: [] for k in keys}
    pt = {l: {k: [] for k in keys} for l in layouts}
    isa = None
    for r in range(a.rounds):
        e = run_json(excite_cmd, excite_env)
        isa = e.get("isa", "?")
        if r == 0:
            print(f"{a.arch} [{a.in_channels}, {a.input_size}, {a.input_size}], batch {a.batch} (inference "
                  f"{a.infer_batch}), {a.threads} threads on {cpu_model()}; excite kernels {isa}"
                  f" (FMA peak of {a.threads} threads on it: {e.get('fma_peak_gflops', 0):.0f} GFLOP/s), "
                  f"OpenBLAS {e.get('blas_core', '?')}; PyTorch {torch_version()} in {', '.join(layouts)}; "
                  f"{a.rounds} rounds, alternating"
                  + (f"; OMP_WAIT_POLICY={a.omp_wait_policy} for both" if a.omp_wait_policy else "")
                  + ("; AVX2 on both sides (ONEDNN_MAX_CPU_ISA=AVX2, OPENBLAS_CORETYPE=Haswell)"
                     if a.as_avx2_machine else "")
                  + f"; load average {os.getloadavg()[0]:.1f}")
        for k in keys:
            ex[k].append(e[k])
        line = [f"excite train {e.get('train_images_per_second', 0):.1f} infer {e.get('infer_images_per_second', 0):.1f}"
                f" ({e.get('train_gflops', 0):.0f}/{e.get('infer_gflops', 0):.0f} GFLOP/s)"]
        for l in layouts:
            t = run_json(torch_cmd + (["--channels-last"] if l == "channels_last" else []), env)
            if t.get("torch_threads") != a.threads:
                sys.exit(f"compare_pytorch: PyTorch ran {t.get('torch_threads')} threads, not the {a.threads} asked "
                         f"for: the comparison would be wrong")
            for k in keys:
                pt[l][k].append(t[k])
            line.append(f"{l} train {t.get('train_images_per_second', 0):.1f} infer "
                        f"{t.get('infer_images_per_second', 0):.1f}")
        print(f"  round {r + 1}: " + "; ".join(line))
    print(f"medians (load average now {os.getloadavg()[0]:.1f}; ratio = excite / PyTorch's best layout; "
          f"peak memory: excite's as a fraction of PyTorch's lowest):")
    for k in keys:
        me = statistics.median(ex[k])
        meds = {l: statistics.median(pt[l][k]) for l in layouts}
        if k == "peak_rss_mb":
            best = min(meds, key=meds.get)
            print(f"  {k:26s} excite {me:9.1f}  " + "  ".join(f"{l} {v:9.1f}" for l, v in meds.items())
                  + f"  excite uses {me / meds[best]:.2f}x of {best}'s")
        else:
            best = max(meds, key=meds.get)
            ratios = [e / max(pt[l][k][i] for l in layouts) for i, e in enumerate(ex[k])]
            print(f"  {k:26s} excite {me:9.1f}  " + "  ".join(f"{l} {v:9.1f}" for l, v in meds.items())
                  + f"  ratio to {best} {me / meds[best]:.2f} (median of per-round ratios to the best "
                    f"{statistics.median(ratios):.2f})")


def torch_version():
    try:
        out = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"], check=True,
                             capture_output=True, text=True).stdout
        return out.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


if __name__ == "__main__":
    main()
