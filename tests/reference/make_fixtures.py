#!/usr/bin/python3
"""tests/reference/make_fixtures.py — the PyTorch side of excite's parity tests.

Run with Debian's PyTorch (python3-torch 1.13), from the repository root:

    /usr/bin/python3 tests/reference/make_fixtures.py            # (re)write every fixture
    /usr/bin/python3 tests/reference/make_fixtures.py conv2d ... # only the named fixtures
    /usr/bin/python3 tests/reference/make_fixtures.py --list
    /usr/bin/python3 tests/reference/make_fixtures.py --roundtrip ARCH EXCITE.safetensors TORCH.safetensors

The round trip (excite -> torch -> excite) committed in tests/fixtures was made by
    build/tests/test_layers "[.export]"     # excite writes tests/fixtures/roundtrip_seresnet8_excite.safetensors
    /usr/bin/python3 tests/reference/make_fixtures.py --roundtrip seresnet8 \
        tests/fixtures/roundtrip_seresnet8_excite.safetensors tests/fixtures/roundtrip_seresnet8_torch.safetensors
and tests/layers/test_parity_models.cpp loads torch's file back into excite.

It writes tests/fixtures/<name>.safetensors; the files are committed, so the C++ suite needs no
Python. Everything is seeded (torch.manual_seed per fixture): rerunning reproduces the files.
The safetensors files are written by hand (no `safetensors` package on Debian): 8-byte
little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__":
{str: str}} padded with spaces to a multiple of 8, then the raw little-endian data (F32, I64).

Conventions shared with the C++ tests (tests/*/test_parity_*.cpp):

* Op fixtures hold several cases. The metadata key "cases" is a JSON list of objects, each with
  a "name" and the op's parameters. For case `c` the tensors are `c.<input>` (inputs, weights),
  `c.out` (the op's output), `c.grad_out` (a fixed random upstream gradient w: the gradients are
  those of sum(out * w)) and `c.grad_<input>` for every differentiable input.
* Optimizer fixtures: `c.init.<p>` the starting parameters, `c.grad<k>.<p>` the gradient fed at
  step k (k = 1..steps), `c.step<k>.<p>` the parameters after step k.
* Model fixtures are too large to store whole (the seed's SE-ResNet-34 has 21 M parameters), so
  their floating-point state is *generated*, identically here and in C++, from a counter-based
  hash: entry `name` with `init.name` = [lo, hi] holds lo + (hi - lo) * u_i, with
  u_i = (lowbias32(lowbias32(i) ^ fnv1a32(name)) >> 8) / 2^24 (see hash_uniform below).
  Model inputs are generated the same way (`input_shape`, range [-2, 2], hash name `input`).
  Outputs and gradients are stored whole when small (up to 256 elements); a large tensor `t` is stored as a summary:
  `sample.t` (128 elements at indices floor(j * n / 128)) and `stats.t` =
  [L2 norm, max |t|, p_0, p_1, p_2, p_3] with p_k = sum_i t_i s_ki, s_ki = +-1 from the hash of
  `t#probe<k>` (top bit). A projection error |dp| / norm measures the relative L2 error of the
  whole tensor, so every element is covered.
"""
import argparse
import json
import os
import struct
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "tests", "fixtures")
# The seed's PyTorch model (SEModule, SEResidualBlock, SEResNet) is held out of this repository;
# the script looks for its module `seed_model` in the shared folder beside the checkout.
sys.path.insert(0, os.path.join(os.path.dirname(REPO), "shared", "reference"))
import seed_model  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# --------------------------------------------------------------------------------------------
# safetensors, by hand


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> torch tensor (float32 or int64); metadata: dict str -> str."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype in (torch.int64, torch.int32, torch.bool):
            arr, dtype = t.to(torch.int64).numpy().astype("<i8"), "I64"
        else:
            arr, dtype = t.to(torch.float32).numpy().astype("<f4"), "F32"
        raw = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text.encode("utf-8"))
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    """-> (dict name -> torch tensor, metadata dict)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = info["data_offsets"]
        np_dtype = {"F32": "<f4", "I64": "<i8", "F64": "<f8", "I32": "<i4"}[info["dtype"]]
        arr = np.frombuffer(body[b:e], dtype=np_dtype).reshape(info["shape"]).copy()
        out[name] = torch.from_numpy(arr)
    return out, meta


class Fixture:
    """Collects the tensors and cases of one fixture file."""

    def __init__(self, name):
        self.name, self.tensors, self.cases, self.meta = name, {}, [], {}

    def add(self, key, t):
        assert key not in self.tensors, key
        self.tensors[key] = t.detach().clone()

    def case(self, name, **params):
        self.cases.append(dict(name=name, **params))

    def write(self):
        meta = dict(self.meta)
        meta["generator"] = "tests/reference/make_fixtures.py, torch " + torch.__version__
        if self.cases:
            meta["cases"] = json.dumps(self.cases)
        path = os.path.join(FIXTURES, self.name + ".safetensors")
        write_safetensors(path, self.tensors, meta)
        print(f"{self.name:28s} {len(self.tensors):4d} tensors {os.path.getsize(path):9d} bytes")


def op_case(fx, case, fn, inputs, differentiable, **params):
    """Runs out = fn(**inputs), backpropagates a random upstream gradient, stores it all."""
    leaves = {}
    for k, v in inputs.items():
        if isinstance(v, torch.Tensor):
            fx.add(f"{case}.{k}", v)
            if k in differentiable:
                v = v.detach().clone().requires_grad_(True)
        leaves[k] = v
    out = fn(**leaves)
    w = torch.randn(out.shape)
    out.backward(w)
    fx.add(f"{case}.out", out)
    fx.add(f"{case}.grad_out", w)
    for k in differentiable:
        fx.add(f"{case}.grad_{k}", leaves[k].grad)
    fx.case(case, **params)
    return out


# --------------------------------------------------------------------------------------------
# op fixtures


def fx_conv2d():
    torch.manual_seed(101)
    fx = Fixture("conv2d")
    # name, N, C, H, W, OC, (KH, KW), stride, padding, dilation, groups, bias
    cases = [
        ("k3_s1_p0_bias", 2, 3, 7, 9, 4, (3, 3), (1, 1), (0, 0), (1, 1), 1, True),
        ("k3_s1_p1_nobias", 2, 3, 7, 9, 5, (3, 3), (1, 1), (1, 1), (1, 1), 1, False),
        ("k3_s2_p1_bias", 2, 3, 7, 9, 4, (3, 3), (2, 2), (1, 1), (1, 1), 1, True),
        ("k3_s2_p0_nobias", 2, 3, 8, 9, 4, (3, 3), (2, 2), (0, 0), (1, 1), 1, False),
        ("k7_s2_p3_stem", 2, 3, 11, 13, 6, (7, 7), (2, 2), (3, 3), (1, 1), 1, False),
        ("k5_s1_p3_bias", 1, 2, 6, 7, 3, (5, 5), (1, 1), (3, 3), (1, 1), 1, True),
        ("k3_s1_p2_d2", 2, 3, 9, 11, 4, (3, 3), (1, 1), (2, 2), (2, 2), 1, True),
        ("k3_s2_p1_d2_nobias", 2, 3, 9, 10, 4, (3, 3), (2, 2), (1, 1), (2, 2), 1, False),
        ("k1_s1_p0_bias", 2, 5, 7, 9, 6, (1, 1), (1, 1), (0, 0), (1, 1), 1, True),
        ("k1_s1_p0_nobias", 2, 16, 5, 6, 8, (1, 1), (1, 1), (0, 0), (1, 1), 1, False),
        ("k1_s2_p0_shortcut", 2, 4, 7, 9, 8, (1, 1), (2, 2), (0, 0), (1, 1), 1, False),
        ("k3_s1_p1_groups2", 2, 4, 7, 9, 6, (3, 3), (1, 1), (1, 1), (1, 1), 2, True),
        ("k3_s1_p1_depthwise", 2, 4, 7, 9, 4, (3, 3), (1, 1), (1, 1), (1, 1), 4, False),
        ("k3_s2_p1_depthwise_x2", 2, 3, 7, 9, 6, (3, 3), (2, 2), (1, 1), (1, 1), 3, True),
        ("k3x2_s21_p10_rect", 2, 3, 7, 9, 4, (3, 2), (2, 1), (1, 0), (1, 1), 1, True),
        ("k2x3_s12_p01_d21", 2, 3, 8, 7, 3, (2, 3), (1, 2), (0, 1), (2, 1), 1, False),
    ]
    for name, n, c, h, w, oc, k, s, p, d, g, bias in cases:
        inputs = dict(x=torch.randn(n, c, h, w), weight=torch.randn(oc, c // g, *k) * 0.5)
        if bias:
            inputs["bias"] = torch.randn(oc)
        diff = list(inputs)

        def f(x, weight, bias=None, s=s, p=p, d=d, g=g):
            return F.conv2d(x, weight, bias, stride=s, padding=p, dilation=d, groups=g)

        op_case(fx, name, f, inputs, diff, kernel=list(k), stride=list(s), padding=list(p), dilation=list(d),
                groups=g, bias=bias)
    fx.write()


def fx_batch_norm():
    torch.manual_seed(102)
    fx = Fixture("batch_norm")
    # name, shape, training, affine, momentum, eps, input mean offset, input scale
    cases = [
        ("train", (2, 5, 7, 9), True, True, 0.1, 1e-5, 0.0, 1.0),
        ("train_n1", (1, 3, 4, 5), True, True, 0.1, 1e-5, 0.0, 1.0),
        ("train_offset", (2, 4, 5, 6), True, True, 0.1, 1e-5, 20.0, 0.5),  # large mean: one-pass variance loses digits
        ("train_noaffine", (3, 4, 5, 3), True, False, 0.3, 1e-3, 0.0, 2.0),
        ("eval", (2, 5, 7, 9), False, True, 0.1, 1e-5, 0.0, 1.0),
        ("eval_noaffine", (2, 3, 4, 5), False, False, 0.1, 1e-5, 0.5, 1.0),
    ]
    for name, shape, training, affine, momentum, eps, offset, scale in cases:
        c = shape[1]
        x = torch.randn(shape) * scale + offset + torch.randn(1, c, 1, 1) * 0.3
        rm, rv = torch.randn(c) * 0.2 + offset, torch.rand(c) + 0.5
        inputs = dict(x=x)
        if affine:
            inputs["weight"], inputs["bias"] = torch.rand(c) + 0.5, torch.randn(c) * 0.5
        fx.add(f"{name}.running_mean", rm)
        fx.add(f"{name}.running_var", rv)
        rm_run, rv_run = rm.clone(), rv.clone()

        def f(x, weight=None, bias=None, training=training, momentum=momentum, eps=eps):
            return F.batch_norm(x, rm_run, rv_run, weight, bias, training, momentum, eps)

        op_case(fx, name, f, inputs, list(inputs), training=training, affine=affine, momentum=momentum, eps=eps)
        fx.add(f"{name}.running_mean_after", rm_run)
        fx.add(f"{name}.running_var_after", rv_run)
    fx.write()


def fx_pool():
    torch.manual_seed(103)
    fx = Fixture("pool")
    # name, kind, shape, kernel, stride, padding, count_include_pad
    cases = [
        ("max_k2_s2_p0", "max", (2, 3, 7, 9), (2, 2), (2, 2), (0, 0), True),
        ("max_k3_s2_p1_stem", "max", (2, 3, 7, 9), (3, 3), (2, 2), (1, 1), True),
        ("max_k3_s1_p1", "max", (2, 3, 7, 9), (3, 3), (1, 1), (1, 1), True),
        ("max_k3x2_s21_p10", "max", (2, 3, 7, 9), (3, 2), (2, 1), (1, 0), True),
        ("max_k3_s3_p0", "max", (1, 2, 10, 11), (3, 3), (3, 3), (0, 0), True),
        ("avg_k2_s2_p0", "avg", (2, 3, 7, 9), (2, 2), (2, 2), (0, 0), True),
        ("avg_k3_s2_p1_incl", "avg", (2, 3, 7, 9), (3, 3), (2, 2), (1, 1), True),
        ("avg_k3_s2_p1_excl", "avg", (2, 3, 7, 9), (3, 3), (2, 2), (1, 1), False),
        ("avg_k3_s1_p1_incl", "avg", (2, 3, 7, 9), (3, 3), (1, 1), (1, 1), True),
        ("avg_k2x3_s12_p11_excl", "avg", (2, 3, 7, 9), (2, 3), (1, 2), (1, 1), False),
    ]
    for name, kind, shape, k, s, p, incl in cases:
        inputs = dict(x=torch.randn(shape))
        if kind == "max":
            def f(x, k=k, s=s, p=p):
                return F.max_pool2d(x, k, s, p)
        else:
            def f(x, k=k, s=s, p=p, incl=incl):
                return F.avg_pool2d(x, k, s, p, count_include_pad=incl)
        op_case(fx, name, f, inputs, ["x"], kind=kind, kernel=list(k), stride=list(s), padding=list(p),
                count_include_pad=incl)
    for name, kind, shape in [("global_avg", "global_avg", (2, 5, 7, 9)), ("global_max", "global_max", (2, 5, 7, 9)),
                              ("global_avg_1x1", "global_avg", (3, 4, 1, 1)), ("global_max_2x3", "global_max", (2, 6, 2, 3))]:
        inputs = dict(x=torch.randn(shape))
        if kind == "global_avg":
            def f(x):
                return F.adaptive_avg_pool2d(x, 1).flatten(1)
        else:
            def f(x):
                return F.adaptive_max_pool2d(x, 1).flatten(1)
        op_case(fx, name, f, inputs, ["x"], kind=kind)
    fx.write()


def fx_linear():
    torch.manual_seed(104)
    fx = Fixture("linear")
    for name, n, i, o, bias in [("bias", 4, 6, 5, True), ("nobias", 3, 7, 2, False), ("wide", 2, 64, 10, True),
                                ("single", 1, 5, 3, True)]:
        inputs = dict(x=torch.randn(n, i), weight=torch.randn(o, i) * 0.3)
        if bias:
            inputs["bias"] = torch.randn(o)

        def f(x, weight, bias=None):
            return F.linear(x, weight, bias)

        op_case(fx, name, f, inputs, list(inputs), bias=bias)
    fx.write()


def away_from(x, points, margin):
    """Moves entries of x that lie within `margin` of any kink in `points` by 2 * margin."""
    for p in points:
        near = (x - p).abs() < margin
        x = torch.where(near, x + 2 * margin, x)
    return x


def fx_activations():
    torch.manual_seed(105)
    fx = Fixture("activations")
    fns = {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "hardsigmoid": F.hardsigmoid,
           "silu": F.silu}
    for name, fn in fns.items():
        x = away_from(torch.rand(2, 3, 7, 9) * 16 - 8, [-3.0, 0.0, 3.0], 1e-2)
        op_case(fx, name, lambda x, fn=fn: fn(x), dict(x=x), ["x"], op=name)
    # saturating inputs: sigmoid/tanh/silu far out in the tails
    x = torch.tensor([-90.0, -30.0, -17.0, -5.0, 5.0, 17.0, 30.0, 90.0])
    for name in ["sigmoid", "tanh", "silu"]:
        op_case(fx, name + "_tails", lambda x, fn=fns[name]: fn(x), dict(x=x.clone()), ["x"], op=name)
    fx.write()


def fx_cross_entropy():
    torch.manual_seed(106)
    fx = Fixture("cross_entropy")
    cases = [("plain", 5, 7, 1.0, 0.0, 0.0), ("smooth", 5, 7, 1.0, 0.0, 0.1), ("large", 4, 6, 1000.0, 500.0, 0.0),
             ("large_smooth", 4, 6, 1000.0, -800.0, 0.2), ("batch1", 1, 10, 3.0, 0.0, 0.0),
             ("many_classes", 3, 100, 2.0, 0.0, 0.1)]
    for name, n, k, scale, offset, eps in cases:
        logits = torch.randn(n, k) * scale + offset
        labels = torch.randint(0, k, (n,))

        def f(logits, labels, eps=eps):
            return F.cross_entropy(logits, labels, label_smoothing=eps)

        op_case(fx, name, f, dict(logits=logits, labels=labels), ["logits"], label_smoothing=eps)
    fx.write()


def fx_elementwise():
    torch.manual_seed(107)
    fx = Fixture("elementwise")
    shapes = [((2, 3, 4, 5), (1, 3, 1, 1)), ((4, 5), (5,)), ((2, 3, 1), (1, 1, 4))]
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for i, (sa, sb) in enumerate(shapes):
        for name, fn in ops.items():
            a, b = torch.randn(sa), torch.rand(sb) + 0.5
            op_case(fx, f"{name}_{i}", lambda a, b, fn=fn: fn(a, b), dict(a=a, b=b), ["a", "b"], op=name)
    x = torch.randn(2, 5, 7, 9)
    s = torch.rand(2, 5)
    op_case(fx, "channel_scale", lambda x, s: x * s[:, :, None, None], dict(x=x, s=s), ["x", "s"], op="channel_scale")
    x = torch.randn(2, 3, 4, 5)
    op_case(fx, "mean_23", lambda x: x.mean(dim=(2, 3)), dict(x=x), ["x"], op="mean", dims=[2, 3], keepdim=False)
    op_case(fx, "sum_1_keep", lambda x: x.sum(dim=1, keepdim=True), dict(x=x.clone()), ["x"], op="sum", dims=[1],
            keepdim=True)
    a, b = torch.randn(3, 7), torch.randn(7, 4)
    op_case(fx, "matmul", lambda a, b: a @ b, dict(a=a, b=b), ["a", "b"], op="matmul")
    fx.write()


# --------------------------------------------------------------------------------------------
# optimizers and schedules


def fx_optim():
    torch.manual_seed(108)
    fx = Fixture("optim")
    steps = 6
    shapes = {"weight": (3, 4), "bias": (5,)}
    # name, kind, options, weight decay of the 1-D parameter (None: same as the others)
    cases = [
        ("sgd_plain", "sgd", dict(lr=0.1), None),
        ("sgd_momentum", "sgd", dict(lr=0.05, momentum=0.9), None),
        ("sgd_momentum_wd", "sgd", dict(lr=0.05, momentum=0.9, weight_decay=0.01), None),
        ("sgd_nesterov_wd", "sgd", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-3), None),
        ("sgd_nesterov_wd_nodecay_1d", "sgd", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05), 0.0),
        ("adamw", "adamw", dict(lr=1e-2), None),
        ("adamw_wd", "adamw", dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), None),
        ("adamw_wd_nodecay_1d", "adamw", dict(lr=1e-2, weight_decay=0.05), 0.0),
        ("adamw_nowd", "adamw", dict(lr=1e-2, weight_decay=0.0), None),
    ]
    for name, kind, opts, wd_1d in cases:
        params = {k: torch.randn(s).requires_grad_(True) for k, s in shapes.items()}
        for k, p in params.items():
            fx.add(f"{name}.init.{k}", p)
        if wd_1d is None:
            groups = [{"params": list(params.values())}]
        else:
            groups = [{"params": [params["weight"]]}, {"params": [params["bias"]], "weight_decay": wd_1d}]
        opt = torch.optim.SGD(groups, **opts) if kind == "sgd" else torch.optim.AdamW(groups, **opts)
        for step in range(1, steps + 1):
            for k, p in params.items():
                # a gradient with a sign pattern that changes from step to step, of varying scale
                g = torch.randn(p.shape) * (0.5 + step * 0.3)
                fx.add(f"{name}.grad{step}.{k}", g)
                p.grad = g.clone()
            opt.step()
            for k, p in params.items():
                fx.add(f"{name}.step{step}.{k}", p)
        full = dict(opts)
        full.setdefault("momentum", 0.0)
        full.setdefault("weight_decay", 0.0 if kind == "sgd" else 0.01)  # torch's defaults
        if kind == "adamw":
            full.setdefault("betas", (0.9, 0.999))
            full.setdefault("eps", 1e-8)
            full["betas"] = list(full["betas"])
        full.setdefault("nesterov", False)
        fx.case(name, kind=kind, steps=steps, params=list(shapes), weight_decay_1d=wd_1d, **full)
    fx.write()


def fx_lr_schedules():
    fx = Fixture("lr_schedules")
    steps = 30
    base = 0.2

    def trajectory(make):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=base, momentum=0.9)
        sched = make(opt)
        lrs = []
        for _ in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return torch.tensor(lrs, dtype=torch.float64)

    S = torch.optim.lr_scheduler
    warnings.filterwarnings("ignore", message="The epoch parameter")  # SequentialLR's own call
    cases = [
        ("step", lambda o: S.StepLR(o, step_size=7, gamma=0.5), dict(step_size=7, gamma=0.5)),
        ("multistep", lambda o: S.MultiStepLR(o, milestones=[5, 12, 20], gamma=0.1), dict(milestones=[5, 12, 20], gamma=0.1)),
        ("cosine", lambda o: S.CosineAnnealingLR(o, T_max=steps, eta_min=0.0), dict(total=steps, min_lr=0.0)),
        ("cosine_min", lambda o: S.CosineAnnealingLR(o, T_max=steps, eta_min=0.01), dict(total=steps, min_lr=0.01)),
        ("linear_warmup", lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=6),
         dict(start_factor=0.1, warmup=6)),
        ("warmup_cosine", lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                       S.CosineAnnealingLR(o, T_max=steps - 5)], milestones=[5]),
         dict(start_factor=0.1, warmup=5, total=steps - 5, min_lr=0.0)),
        ("onecycle", lambda o: S.OneCycleLR(o, max_lr=base, total_steps=steps, pct_start=0.3,
                                            anneal_strategy="cos", div_factor=25.0, final_div_factor=1e4,
                                            cycle_momentum=False),
         dict(max_lr=base, total=steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4)),
        ("onecycle_linear", lambda o: S.OneCycleLR(o, max_lr=base, total_steps=steps, pct_start=0.25,
                                                   anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0,
                                                   cycle_momentum=False),
         dict(max_lr=base, total=steps, pct_start=0.25, div_factor=10.0, final_div_factor=100.0)),
    ]
    for name, make, params in cases:
        fx.add(f"{name}.lr", trajectory(make).float())
        fx.case(name, base_lr=base, steps=steps, **params)
    fx.write()


# --------------------------------------------------------------------------------------------
# the counter-based hash shared with C++ (see the module docstring)

M32 = 0xFFFFFFFF


def fnv1a32(text):
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & M32
    return h


def lowbias32(x):
    """x: numpy uint32 array (wrapping arithmetic)."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x7FEB352D)
    x = x ^ (x >> np.uint32(15))
    x = x * np.uint32(0x846CA68B)
    x = x ^ (x >> np.uint32(16))
    return x


def hash_bits(name, n):
    with np.errstate(over="ignore"):
        i = np.arange(n, dtype=np.uint32)
        return lowbias32(lowbias32(i) ^ np.uint32(fnv1a32(name)))


def hash_uniform(name, shape, lo, hi):
    """lo + (hi - lo) * u, u in [0, 1) with 24 random bits, computed in double, rounded to float."""
    n = int(np.prod(shape)) if len(shape) else 1
    u = (hash_bits(name, n) >> np.uint32(8)).astype(np.float64) / 16777216.0
    v = (np.float64(np.float32(lo)) + (np.float64(np.float32(hi)) - np.float64(np.float32(lo))) * u)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def hash_signs(name, n):
    return torch.from_numpy(1.0 - 2.0 * (hash_bits(name, n) >> np.uint32(31)).astype(np.float64))


SAMPLE = 128
PROBES = 4
WHOLE = 256  # tensors up to this many elements are stored whole


def add_summary(fx, key, t):
    """Stores tensor t (any size) as `key` (whole) or as `sample.key` and `stats.key`."""
    t = t.detach()
    if t.numel() <= WHOLE:
        fx.add(key, t.float())
        return
    flat = t.reshape(-1).double()
    n = flat.numel()
    idx = torch.tensor([j * n // SAMPLE for j in range(SAMPLE)])
    fx.add("sample." + key, flat[idx].float())
    stats = [flat.norm().item(), flat.abs().max().item()]
    stats += [(flat * hash_signs(f"{key}#probe{k}", n)).sum().item() for k in range(PROBES)]
    fx.add("stats." + key, torch.tensor(stats, dtype=torch.float64).float())


def init_ranges(name, shape):
    """The [lo, hi] of a generated state entry, from its name and shape."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "running_mean":
        return -0.2, 0.2
    if leaf == "running_var":
        return 0.6, 1.4
    if len(shape) == 1 and name.endswith("bn3.weight"):
        # The last BN of a bottleneck branch: small gammas, as in trained ResNets (and torchvision's
        # zero_init_residual). With gammas ~1 the residual stream of SE-ResNet-50 grows block by
        # block, train-mode BN's mean subtraction then cancels most digits, and ReLU masks flip
        # between float32 and float64: torch float32 itself differs from float64 by up to 24 % in
        # some gradients. With [0.1, 0.5] torch float32 is within 3e-5 of float64.
        return 0.1, 0.5
    if len(shape) == 1 and leaf == "weight":  # BN gamma
        return 0.6, 1.4
    if leaf == "bias":
        return -0.2, 0.2
    fan_in = int(np.prod(shape[1:]))
    bound = float(np.sqrt(6.0 / fan_in))  # Kaiming-uniform for ReLU nets: keeps the scale of activations
    return -bound, bound


def load_generated_state(fx, model, prefix=""):
    """Fills model's state dict from the hash; records init.<name> (or the I64 value) in fx."""
    state = model.state_dict()
    new = {}
    for name, t in state.items():
        if t.dtype == torch.int64:  # num_batches_tracked
            new[name] = torch.tensor(3, dtype=torch.int64)
            fx.add(prefix + "state." + name, new[name])
            continue
        lo, hi = init_ranges(name, list(t.shape))
        new[name] = hash_uniform(name, list(t.shape), lo, hi)
        fx.add(prefix + "init." + name, torch.tensor([lo, hi], dtype=torch.float32))
    model.load_state_dict(new, strict=True)
    return new


def model_fixture(fx, model, x, labels=None, prefix=""):  # x: the input's shape
    """Stores eval logits, train logits (batch statistics), the updated buffers, the loss and
    every parameter's gradient after one backward pass of cross_entropy(train logits, labels).
    Without labels (blocks, SE modules) the loss is sum(out * w), w = hash_uniform('grad_out').
    With a prefix ("case/") several models share one fixture file."""
    load_generated_state(fx, model, prefix)
    # the input is generated too: hash_uniform(prefix + "input", shape, -2, 2)
    fx.add(prefix + "input_shape", torch.tensor(list(x), dtype=torch.int64))
    x = hash_uniform(prefix + "input", list(x), -2.0, 2.0)
    # The reference is computed in float64 from these float32 values (stored rounded to float32):
    # the tests then measure excite's own float32 error, not the sum of two rounding patterns.
    model.double()
    x = x.double()
    names = [n for n, _ in model.named_parameters()]
    fx.meta[prefix + "parameters"] = json.dumps(names)
    fx.meta[prefix + "state"] = json.dumps(list(model.state_dict().keys()))
    model.eval()
    with torch.no_grad():
        add_summary(fx, prefix + "out_eval", model(x))
    model.train()
    out = model(x)
    add_summary(fx, prefix + "out_train", out)
    if labels is not None:
        fx.add(prefix + "labels", labels)
        loss = F.cross_entropy(out, labels)
        fx.add(prefix + "loss", loss.reshape(1).float())
    else:
        w = hash_uniform("grad_out", list(out.shape), -1.0, 1.0).double()
        loss = (out * w).sum()
    loss.backward()
    for name, p in model.named_parameters():
        add_summary(fx, prefix + "grad." + name, p.grad)
    for name, b in model.named_buffers():
        if b.dtype == torch.int64:
            fx.add(prefix + "after." + name, b)
        else:
            add_summary(fx, prefix + "after." + name, b)
    return out


# --------------------------------------------------------------------------------------------
# whole models



# --------------------------------------------------------------------------------------------
# PyTorch twins of excite's SE variants, blocks and ResNets (layers/se.h, residual.h, resnet.h),
# restated here from those headers' definitions; the seed-default configurations are checked
# against the seed's model itself (check_twins_against_seed).

GATES = {"sigmoid": nn.Sigmoid, "hard_sigmoid": nn.Hardsigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


class SETwin(nn.Module):
    """squeeze (avg | max | avgmax) -> Linear -> ReLU -> Linear -> gate -> scale; names as the seed."""

    def __init__(self, channels, reduction=16, min_channels=8, squeeze="avg", gate="sigmoid", bias=False):
        super().__init__()
        hidden = max(channels // reduction, min_channels)
        self.squeeze = squeeze
        if squeeze in ("avg", "avgmax"):
            self.avg_pool = nn.AdaptiveAvgPool2d(1)
        if squeeze in ("max", "avgmax"):
            self.max_pool = nn.AdaptiveMaxPool2d(1)
        self.fc = nn.Sequential(nn.Linear(channels, hidden, bias=bias), nn.ReLU(inplace=True),
                                nn.Linear(hidden, channels, bias=bias), GATES[gate]())

    def forward(self, x):
        n, c = x.shape[:2]
        mlp = self.fc[:3]
        z = None
        if self.squeeze in ("avg", "avgmax"):
            z = mlp(self.avg_pool(x).view(n, c))
        if self.squeeze in ("max", "avgmax"):
            m = mlp(self.max_pool(x).view(n, c))
            z = m if z is None else z + m
        return x * self.fc[3](z).view(n, c, 1, 1)


class BlockTwin(nn.Module):
    """BasicBlock or Bottleneck (stride on the 3x3, expansion 4), SE at standard | pre | post |
    identity; names conv1, bn1, conv2, bn2, [conv3, bn3,] se, shortcut as excite and the seed."""

    def __init__(self, cin, cout, stride=1, bottleneck=False, se=None, position="standard"):
        super().__init__()
        self.bottleneck, self.position = bottleneck, position
        if bottleneck:
            width = cout // 4
            self.conv1 = nn.Conv2d(cin, width, 1, 1, 0, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.conv3 = nn.Conv2d(width, cout, 1, 1, 0, bias=False)
            self.bn3 = nn.BatchNorm2d(cout)
        else:
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
        self.se = None if se is None else SETwin(cin if position == "pre" else cout, **se)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def branch(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        if self.bottleneck:
            out = F.relu(self.bn2(self.conv2(out)))
            return self.bn3(self.conv3(out))
        return self.bn2(self.conv2(out))

    def forward(self, x):
        se, where = self.se, self.position
        residual = self.shortcut(x)
        out = self.branch(se(x) if se is not None and where == "pre" else x)
        if se is not None and where == "standard":
            out = se(out)
        if se is not None and where == "identity":
            residual = se(residual)
        out = F.relu(out + residual)
        if se is not None and where == "post":
            out = se(out)
        return out


class SEBlockTwin(nn.Module):
    """conv (no bias, same padding) - BN - ReLU - SE: excite's SEBlock, names conv, bn, se."""

    def __init__(self, cin, cout, kernel=3, stride=1, se=None):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.se = SETwin(cout, **(se or {}))

    def forward(self, x):
        return self.se(F.relu(self.bn(self.conv(x))))


class ResNetTwin(nn.Module):
    """conv1, bn1, relu, [maxpool], layer1..S, avgpool, fc: excite's ResNet (layers/resnet.h)."""

    def __init__(self, stem="cifar", bottleneck=False, depths=(3, 3, 3), widths=(16, 32, 64), in_channels=3,
                 num_classes=10, se=None, position="standard", se_stages=()):
        super().__init__()
        imagenet = stem == "imagenet"
        self.conv1 = nn.Conv2d(in_channels, widths[0], 7 if imagenet else 3, 2 if imagenet else 1,
                               3 if imagenet else 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1) if imagenet else None
        cin = widths[0]
        for s, (depth, width) in enumerate(zip(depths, widths), start=1):
            cout = width * 4 if bottleneck else width
            block_se = se if (se is not None and (not se_stages or s in se_stages)) else None
            blocks = []
            for b in range(depth):
                stride = 2 if (b == 0 and s > 1) else 1
                blocks.append(BlockTwin(cin, cout, stride, bottleneck, block_se, position))
                cin = cout
            setattr(self, f"layer{s}", nn.Sequential(*blocks))
        self.stages = len(depths)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        for s in range(1, self.stages + 1):
            x = getattr(self, f"layer{s}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class SeedCifarSEResNet(nn.Module):
    """CIFAR SE-ResNet-20 built from the seed's own SEResidualBlock."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        cin = 16
        for s, width in enumerate((16, 32, 64), start=1):
            blocks = []
            for b in range(3):
                blocks.append(seed_model.SEResidualBlock(cin, width, 2 if (b == 0 and s > 1) else 1))
                cin = width
            setattr(self, f"layer{s}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def count(model):
    return sum(p.numel() for p in model.parameters())


def check_twins_against_seed():
    """The twins, in the seed's configuration, are the seed's code: same keys, same numbers."""
    torch.manual_seed(0)
    seed = seed_model.SEResNet(num_classes=1000)
    twin = ResNetTwin("imagenet", False, (3, 4, 6, 3), (64, 128, 256, 512), 3, 1000, se={})
    assert list(seed.state_dict()) == list(twin.state_dict()), "twin keys differ from the seed's"
    assert count(seed) == count(twin) == 21956392, count(twin)
    twin.load_state_dict(seed.state_dict())
    x = torch.randn(1, 3, 37, 45)
    for m in (seed, twin):
        m.eval()
    assert torch.allclose(seed(x), twin(x), rtol=0, atol=1e-5)
    cifar = SeedCifarSEResNet()
    twin20 = ResNetTwin(se={})
    assert list(cifar.state_dict()) == list(twin20.state_dict())
    assert count(cifar) == count(twin20) == 277850, count(twin20)
    assert count(ResNetTwin()) == 272474
    assert count(ResNetTwin("imagenet", True, (3, 4, 6, 3), (64, 128, 256, 512), 3, 1000)) == 25557032
    assert count(ResNetTwin("imagenet", True, (3, 4, 6, 3), (64, 128, 256, 512), 3, 1000, se={})) == 28071976
    assert count(ResNetTwin("imagenet", True, (3, 4, 6, 3), (64, 128, 256, 512), 3, 1000,
                            se={"bias": True})) == 28088024


def fx_model_seresnet20():
    """CIFAR SE-ResNet-20 from the seed's SEResidualBlock, 10 classes, a 2x3x17x21 input."""
    torch.manual_seed(203)
    fx = Fixture("model_seresnet20")
    fx.meta["model"] = "seresnet20, 10 classes (stem conv3x3 16 + BN + ReLU, 3x3 seed SEResidualBlocks, fc)"
    model_fixture(fx, SeedCifarSEResNet(10), (2, 3, 17, 21), torch.tensor([1, 8]))
    fx.write()


def fx_model_resnet20():
    """CIFAR ResNet-20 without SE, 100 classes, 3x3x16x16."""
    torch.manual_seed(204)
    fx = Fixture("model_resnet20")
    fx.meta["model"] = "resnet20, 100 classes"
    model_fixture(fx, ResNetTwin(num_classes=100), (3, 3, 16, 16), torch.tensor([5, 99, 42]))
    fx.write()


def fx_model_seresnet50():
    """SE-ResNet-50 (Bottleneck, stride on the 3x3, SE after bn3, r 16, no FC bias), 10 classes,
    2x3x49x61 (-> 25x31 -> 13x16 -> 7x8 -> 4x4 -> 2x2)."""
    torch.manual_seed(205)
    fx = Fixture("model_seresnet50")
    fx.meta["model"] = "seresnet50, 10 classes"
    model = ResNetTwin("imagenet", True, (3, 4, 6, 3), (64, 128, 256, 512), 3, 10, se={})
    model_fixture(fx, model, (2, 3, 49, 61), torch.tensor([0, 9]))
    fx.write()


def fx_model_seresnet8_options():
    """A CIFAR SE-ResNet-8 exercising the model options: 1 input channel (Fashion-MNIST), 7
    classes, SE only in stages 2 and 3, at the identity position, avgmax squeeze, hard-sigmoid gate,
    FC bias, r 4, min 4; 2x1x15x13 input."""
    torch.manual_seed(206)
    fx = Fixture("model_seresnet8_options")
    se = dict(reduction=4, min_channels=4, squeeze="avgmax", gate="hard_sigmoid", bias=True)
    fx.meta["model"] = "seresnet8 " + json.dumps(dict(in_channels=1, num_classes=7, se=se, position="identity",
                                                      se_stages=[2, 3]))
    model = ResNetTwin("cifar", False, (1, 1, 1), (16, 32, 64), 1, 7, se=se, position="identity", se_stages=(2, 3))
    model_fixture(fx, model, (2, 1, 15, 13), torch.tensor([6, 2]))
    fx.write()


def fx_se_variants():
    """SEModule alone in every squeeze and gate, with and without bias, other r and min: on a
    [2, 32, 5, 7] input; loss sum(out * w)."""
    torch.manual_seed(207)
    fx = Fixture("se_variants")
    variants = [("avg_sigmoid", {}), ("max_sigmoid", dict(squeeze="max")), ("avgmax_sigmoid", dict(squeeze="avgmax")),
                ("avg_hard_sigmoid", dict(gate="hard_sigmoid")), ("avg_tanh", dict(gate="tanh")),
                ("avg_relu", dict(gate="relu")), ("max_tanh_bias", dict(squeeze="max", gate="tanh", bias=True)),
                ("avgmax_relu_bias", dict(squeeze="avgmax", gate="relu", bias=True)),
                ("avg_sigmoid_r4_min2", dict(reduction=4, min_channels=2)),
                ("avgmax_hard_sigmoid_r2_bias", dict(squeeze="avgmax", gate="hard_sigmoid", reduction=2, bias=True))]
    for name, opts in variants:
        model_fixture(fx, SETwin(32, **opts), (2, 32, 5, 7), prefix=name + "/")
        fx.case(name, channels=32, **opts)
    fx.write()


def fx_se_blocks():
    """Residual blocks with SE at every position (standard, pre, post, identity) and without SE,
    BasicBlock and Bottleneck, downsampling and not; and the plain SEBlock. Loss sum(out * w)."""
    torch.manual_seed(208)
    fx = Fixture("se_blocks")
    cases = []
    for pos in ["standard", "pre", "post", "identity"]:
        cases.append((f"basic_down_{pos}", dict(cin=16, cout=32, stride=2, bottleneck=False, position=pos, se={}),
                      (2, 16, 9, 11)))
        cases.append((f"basic_same_{pos}", dict(cin=32, cout=32, stride=1, bottleneck=False, position=pos, se={}),
                      (2, 32, 5, 6)))
        cases.append((f"bottleneck_down_{pos}", dict(cin=32, cout=64, stride=2, bottleneck=True, position=pos, se={}),
                      (2, 32, 7, 9)))
    cases.append(("basic_down_nose", dict(cin=16, cout=32, stride=2, bottleneck=False, position="standard", se=None),
                  (2, 16, 9, 11)))
    cases.append(("bottleneck_same_nose", dict(cin=64, cout=64, stride=1, bottleneck=True, position="standard",
                                                se=None), (2, 64, 4, 5)))
    cases.append(("bottleneck_same_standard_tanh_bias",
                  dict(cin=64, cout=64, stride=1, bottleneck=True, position="standard",
                       se=dict(gate="tanh", bias=True, reduction=8)), (2, 64, 4, 5)))
    for name, o, shape in cases:
        block = BlockTwin(o["cin"], o["cout"], o["stride"], o["bottleneck"], o["se"], o["position"])
        model_fixture(fx, block, shape, prefix=name + "/")
        fx.case(name, kind="residual", **o)
    block = SEBlockTwin(8, 24, 3, 2, dict(squeeze="max"))
    model_fixture(fx, block, (2, 8, 9, 10), prefix="seblock_k3_s2_max/")
    fx.case("seblock_k3_s2_max", kind="seblock", cin=8, cout=24, kernel=3, stride=2, se=dict(squeeze="max"))
    fx.write()


def fx_hash_check():
    """A few values of the shared hash, so the C++ twin can be tested on its own."""
    fx = Fixture("hash_check")
    fx.add("uniform.check", hash_uniform("check", [3, 5], -0.5, 1.5))
    fx.add("uniform.layer1.0.conv1.weight", hash_uniform("layer1.0.conv1.weight", [2, 2, 3, 3], -1.0, 1.0))
    fx.add("signs.check#probe1", hash_signs("check#probe1", 40).float())
    t = torch.linspace(-1, 1, 1000).reshape(10, 100) ** 3
    add_summary(fx, "tensor", t)
    fx.write()


def fx_model_seed_seresnet():
    """The seed's SEResNet (ResNet-34 layout) exactly as the seed defines it, 10 classes, on
    a 2x3x37x45 input (odd, not a multiple of 32: 37x45 -> 19x23 -> 10x12 -> 5x6 -> 3x3 -> 2x2)."""
    torch.manual_seed(201)
    fx = Fixture("model_seed_seresnet")
    model = seed_model.SEResNet(num_classes=10)
    x = (2, 3, 37, 45)
    labels = torch.tensor([3, 7])
    fx.meta["model"] = "seed_model.SEResNet(num_classes=10)"
    model_fixture(fx, model, x, labels)
    fx.write()


def fx_module_small_cnn():
    """A small CNN from torch.nn modules, so module names (Sequential's 0, 1, ...), BN buffers and
    the module wrappers are checked before the zoo: 3x3x11x13 input, 5 classes. (A conv bias
    straight before a train-mode BN has a zero gradient: compared, it would be rounding noise.)"""
    torch.manual_seed(202)
    fx = Fixture("module_small_cnn")
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(3, 2, 1),
        nn.Conv2d(8, 16, 3, 2, 1, bias=True), nn.SiLU(), nn.BatchNorm2d(16), nn.AvgPool2d(2, 2, 1),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5))
    x = (3, 3, 11, 13)
    labels = torch.tensor([4, 0, 2])
    fx.meta["model"] = repr(model)
    model_fixture(fx, model, x, labels)
    fx.write()


# --------------------------------------------------------------------------------------------
# the safetensors round trip: excite -> torch -> excite

ROUNDTRIP_ARCHS = {
    "seresnet8": lambda k, cin: ResNetTwin("cifar", False, (1, 1, 1), (16, 32, 64), cin, k, se={}),
    "resnet20": lambda k, cin: ResNetTwin("cifar", False, (3, 3, 3), (16, 32, 64), cin, k),
    "seresnet20": lambda k, cin: ResNetTwin("cifar", False, (3, 3, 3), (16, 32, 64), cin, k, se={}),
    "seresnet34": lambda k, cin: seed_model.SEResNet(k),
    "seresnet50": lambda k, cin: ResNetTwin("imagenet", True, (3, 4, 6, 3), (64, 128, 256, 512), cin, k, se={}),
}


def roundtrip(arch, excite_file, torch_file):
    """Loads a state dict that excite saved into the PyTorch twin (strict: every key, shape and
    dtype must fit), and saves the torch model's state_dict() again as a PyTorch user would
    (torch's key order, num_batches_tracked as I64, metadata {"format": "pt"} as
    safetensors.torch.save_file writes). Beside it, <torch_file>_logits.safetensors holds a
    generated input and torch's eval-mode logits (float64, stored as float32) for that state."""
    state, meta = read_safetensors(excite_file)
    k, cin = state["fc.weight"].shape[0], state["conv1.weight"].shape[1]
    model = ROUNDTRIP_ARCHS[arch](k, cin)
    expected = model.state_dict()
    for name, t in state.items():
        assert name in expected, f"{excite_file}: unexpected key {name}"
        assert t.dtype == expected[name].dtype, f"{excite_file}: {name} is {t.dtype}, torch has {expected[name].dtype}"
    model.load_state_dict(state, strict=True)
    out = model.state_dict()
    for name, t in out.items():
        assert torch.equal(t, state[name]), f"{name} changed on the way through torch"
    write_safetensors(torch_file, out, {"format": "pt"})
    print(f"{excite_file} ({len(state)} tensors, metadata {meta}) -> {torch_file}")

    model.double().eval()
    shape = [2, cin, 13, 11]
    x = hash_uniform("roundtrip.input", shape, -2.0, 2.0)
    with torch.no_grad():
        logits = model(x.double())
    check = torch_file.replace(".safetensors", "") + "_logits.safetensors"
    write_safetensors(check, {"input_shape": torch.tensor(shape), "logits_eval": logits},
                      {"arch": arch, "input": "hash_uniform('roundtrip.input', input_shape, -2, 2)"})
    print(f"eval logits of the loaded model -> {check}")


def main():
    fixtures = {
        "module_small_cnn": fx_module_small_cnn,
        "hash_check": fx_hash_check,
        "conv2d": fx_conv2d,
        "batch_norm": fx_batch_norm,
        "pool": fx_pool,
        "linear": fx_linear,
        "activations": fx_activations,
        "cross_entropy": fx_cross_entropy,
        "elementwise": fx_elementwise,
        "optim": fx_optim,
        "lr_schedules": fx_lr_schedules,
        "model_seed_seresnet": fx_model_seed_seresnet,
        "model_seresnet20": fx_model_seresnet20,
        "model_resnet20": fx_model_resnet20,
        "model_seresnet50": fx_model_seresnet50,
        "model_seresnet8_options": fx_model_seresnet8_options,
        "se_variants": fx_se_variants,
        "se_blocks": fx_se_blocks,
    }
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="fixtures to write (default: all)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--roundtrip", nargs=3, metavar=("ARCH", "EXCITE_FILE", "TORCH_FILE"),
                    help="load an excite-saved state dict into the torch twin of ARCH and save it again")
    args = ap.parse_args()
    if args.list:
        print("\n".join(fixtures))
        return
    if args.roundtrip:
        roundtrip(*args.roundtrip)
        return
    os.makedirs(FIXTURES, exist_ok=True)
    check_twins_against_seed()
    for name in args.names or list(fixtures):
        fixtures[name]()


if __name__ == "__main__":
    main()
