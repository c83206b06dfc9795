#!/usr/bin/python3
"""Side-by-side speed of excite and PyTorch (Debian's python3-torch) on the same model.

Runs `excite bench --json` and the same measurement in PyTorch alternately, several rounds, each
in its own process (so peak memory is each side's own), and prints per round and overall the
medians and their ratio. The shared machines here are noisy: only ratios measured in one run
mean anything.

    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet20 --threads 2 --rounds 5
    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet20 --threads 1
    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet8 --in-channels 1 --input-size 28
    /usr/bin/python3 bench/compare_pytorch.py --arch seresnet50 --input-size 224 --batch 8 --infer-batch 8 --no-train

PyTorch side: the torch twins of excite's models from tests/reference/make_fixtures.py (same
structure and parameter names), SGD with momentum 0.9 and weight decay 5e-4, cross-entropy, in
NCHW and, with --channels-last, in PyTorch's faster NHWC layout.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def torch_model(arch, in_channels, classes):
    sys.path.insert(0, os.path.join(REPO, "tests", "reference"))
    import make_fixtures as mf  # the torch twins of the zoo
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
    print(json.dumps(result))


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


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
    ap.add_argument("--channels-last", action="store_true", help="PyTorch side in NHWC (its faster layout here)")
    ap.add_argument("--omp-wait-policy", choices=["active", "passive"],
                    help="OMP_WAIT_POLICY for both sides (both use libgomp; unset: its default, spin ~300k "
                         "iterations before sleeping, which on a loaded machine burns the time slices of 2 threads)")
    ap.add_argument("--excite", default=os.path.join(REPO, "build", "excite"))
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.torch_worker:
        torch_worker(a)
        return

    common = ["--batch", str(a.batch), "--infer-batch", str(a.infer_batch), "--threads", str(a.threads),
              "--warmup", str(a.warmup), "--iters", str(a.iters)] + (["--no-train"] if a.no_train else []) + \
             (["--no-infer"] if a.no_infer else [])
    excite_cmd = [a.excite, "bench", "--arch", a.arch, "--in-channels", str(a.in_channels), "--num-classes",
                  str(a.classes), "--input-size", str(a.input_size), str(a.input_size), "--json"] + common
    torch_cmd = [sys.executable, os.path.abspath(__file__), "--torch-worker", "--arch", a.arch, "--in-channels",
                 str(a.in_channels), "--classes", str(a.classes), "--input-size", str(a.input_size)] + common + \
                (["--channels-last"] if a.channels_last else [])
    env = dict(os.environ)
    if a.omp_wait_policy:
        env["OMP_WAIT_POLICY"] = a.omp_wait_policy
    layout = "channels_last" if a.channels_last else "NCHW"
    print(f"{a.arch} [{a.in_channels}, {a.input_size}, {a.input_size}], batch {a.batch} (inference {a.infer_batch}), "
          f"{a.threads} threads; PyTorch {layout}; {a.rounds} rounds, excite and PyTorch alternating"
          + (f"; OMP_WAIT_POLICY={a.omp_wait_policy} for both" if a.omp_wait_policy else "")
          + f"; load average {os.getloadavg()[0]:.1f}")
    keys = [k for k, skip in (("train_images_per_second", a.no_train), ("infer_images_per_second", a.no_infer))
            if not skip] + ["peak_rss_mb"]
    ex, pt = {k: [] for k in keys}, {k: [] for k in keys}
    for r in range(a.rounds):
        e, t = run_json(excite_cmd, env), run_json(torch_cmd, env)
        for k in keys:
            ex[k].append(e[k])
            pt[k].append(t[k])
        print(f"  round {r + 1}: " + "  ".join(f"{k.split('_')[0]} excite {e[k]:.1f} torch {t[k]:.1f} "
                                              f"ratio {e[k] / t[k]:.2f}" for k in keys))
    print(f"medians (load average now {os.getloadavg()[0]:.1f}):")
    for k in keys:
        me, mt = statistics.median(ex[k]), statistics.median(pt[k])
        ratios = [e / t for e, t in zip(ex[k], pt[k])]
        print(f"  {k:26s} excite {me:9.1f}  PyTorch {mt:9.1f}  ratio {me / mt:.2f} "
              f"(median of per-round ratios {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    main()
