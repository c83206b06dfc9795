#!/usr/bin/python3
"""tests/reference/make_attention_fixtures.py — the PyTorch side of the attention modules (issue 15):
ECA, CBAM and Gather-Excite, their new primitives, and small ResNets that use them.

Run with Debian's PyTorch (python3-torch 1.13), from the repository root:

    /usr/bin/python3 tests/reference/make_attention_fixtures.py           # (re)write all three fixtures
    /usr/bin/python3 tests/reference/make_attention_fixtures.py attention_ops ...   # only those named
    /usr/bin/python3 tests/reference/make_attention_fixtures.py --list
    /usr/bin/python3 tests/reference/make_attention_fixtures.py --roundtrip ARCH EXCITE.safetensors TORCH.safetensors

It writes into tests/fixtures/ (and tests/fixtures/attention_fixtures.md, the list of what is
inside, generated from the same tables):

* attention_ops.safetensors — the new primitives (channel_mean, channel_max with both tie rules,
  spatial_scale, channel_conv1d, upsample_nearest, cat), in make_fixtures.py's op layout: case `c`
  holds `c.<input>`, `c.out`, `c.grad_out` and `c.grad_<input>`; metadata "cases" lists the
  parameters. Computed in float32 (as the existing op fixtures).
* attention_modules.safetensors — the twin modules alone, in make_fixtures.py's model layout
  (generated state `init.<name>`, generated input, `out_eval`, `out_train`, `grad.<param>`,
  `after.<buffer>`, loss sum(out_train * w) with w = hash_uniform('grad_out')), each under the
  prefix "<case>/", plus `<case>/grad_input`, the input's gradient. Metadata "cases" holds each
  case's kind and resolved options (kernel size, hidden width, pooling window). float64 reference.
* model_attention_resnet8.safetensors — the CIFAR ResNet-8 layout of make_fixtures.py's
  seresnet8 (ResNetTwin, 1 input channel, 10 classes, a 2x1x28x28 input) with an attention module
  in every block, keyed `se` and placed at the "standard" position (after the branch's last BN,
  before the add), as timm's ResNet and excite's SE; one prefix per kind. Model layout with
  labels (loss = cross_entropy(out_train, labels)). The state dict is not stored: it is the
  generated one (hash_uniform of each key within `init.<key>`), which the C++ side regenerates and
  loads strictly; metadata "<prefix>state" lists torch's keys in order.

The twins restate timm's modules from their documented semantics (not copied):

* EcaTwin = timm EcaModule: k from C as t = int(|log2(C) + beta| / gamma), gamma 2, beta 1,
  k = t if t odd else t + 1, at least 3 (or a fixed k); global mean -> Conv1d(1, 1, k, padding
  (k - 1) / 2, no bias) across channels -> gate -> scale. Key `conv.weight` [1, 1, k].
* CbamTwin = timm CbamModule: channel half (ChannelAttn) then spatial half (SpatialAttn).
  Channel: fc1, fc2 = 1x1 convolutions C -> rd -> C (no bias), ReLU between, applied to the mean
  and to the amax over H, W, the two summed, gate, scale; rd = max(1, int(C / r + 0.5)) (timm's
  make_divisible with divisor 1). Spatial: cat([mean over C, amax over C]) (mean first) ->
  ConvNormAct(2, 1, 7, no act) = conv (7x7, padding 3, no bias) + BatchNorm2d(1) -> gate -> scale.
  Keys channel.fc1.weight, channel.fc2.weight, spatial.conv.conv.weight, spatial.conv.bn.*.
  amax shares the gradient of tied maxima evenly (excite: channel_max(x, MaxTies::Split)).
  "cbam-channel" / "cbam-spatial": one half only, keeping CbamModule's nesting (keys `channel.*` or
  `spatial.*`, a subset of cbam's, so weights move between the three); timm itself has no switch.
* GatherExciteTwin = timm GatherExcite(channels, extent, extra_params, use_mlp=False):
  theta-minus (no parameters): extent 0 = global mean; extent e in 2, 4, 8 = F.avg_pool2d(kernel
  2e - 1, stride e, padding e - 1, count_include_pad=False) (timm's window: overlapping, not an
  e x e block mean), giving ceil(H / e) x ceil(W / e). theta (extra_params=True): log2(e)
  depthwise 3x3 stride-2 padding-1 convs (no bias), each followed by BatchNorm2d, ReLU between
  them (not after the last): keys gather.conv<i>.weight, gather.norm<i>.*. Global extent with
  parameters is not implemented (timm's needs the feature size). Then (optional, "mlp": GE-theta-
  plus) timm's ConvMlp: mlp.fc1 (1x1, bias) -> ReLU -> mlp.fc2 (1x1, bias); then the gate of the
  map, nearest-upsampled (F.interpolate(size=(H, W))) when it is not 1x1, times the input.
  (Gate then upsample equals upsample then gate: nearest copies values.)
* Gates: sigmoid, hard_sigmoid (relu6(x + 3) / 6), tanh, relu.

Round trip (once excite's layers save these models): excite writes a state dict of ARCH
(resnet8-eca, resnet8-cbam, resnet8-cbam-channel, resnet8-cbam-spatial, resnet8-ge,
resnet8-ge-theta), --roundtrip loads it strictly into the twin, saves it back as torch would and
writes the eval logits on hash_uniform('roundtrip.input'), exactly as make_fixtures.py --roundtrip.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixtures as mf  # noqa: E402  (safetensors writer, Fixture, the hash, op_case, ResNetTwin)

GATES = mf.GATES  # sigmoid, hard_sigmoid, tanh, relu
SCRIPT = "tests/reference/make_attention_fixtures.py"


class Fixture(mf.Fixture):
    """make_fixtures.Fixture, naming this script as the generator."""

    def write(self):
        meta = dict(self.meta)
        meta["generator"] = SCRIPT + ", torch " + torch.__version__
        if self.cases:
            meta["cases"] = json.dumps(self.cases)
        path = os.path.join(mf.FIXTURES, self.name + ".safetensors")
        mf.write_safetensors(path, self.tensors, meta)
        print(f"{self.name:32s} {len(self.tensors):4d} tensors {os.path.getsize(path):9d} bytes")


# --------------------------------------------------------------------------------------------
# the twins


def eca_kernel_size(channels, gamma=2, beta=1):
    t = int(abs(math.log(channels, 2) + beta) / gamma)
    return max(t if t % 2 else t + 1, 3)


def cbam_hidden(channels, reduction):
    return max(1, int(channels / reduction + 0.5))  # timm make_divisible(v, divisor=1, round_limit=0)


class EcaTwin(nn.Module):
    def __init__(self, channels, kernel_size=None, gate="sigmoid"):
        super().__init__()
        self.kernel_size = kernel_size or eca_kernel_size(channels)
        self.conv = nn.Conv1d(1, 1, self.kernel_size, padding=(self.kernel_size - 1) // 2, bias=False)
        self.gate = GATES[gate]()

    def forward(self, x):
        n, c = x.shape[:2]
        y = self.conv(x.mean((2, 3)).view(n, 1, c))
        return x * self.gate(y).view(n, c, 1, 1)


class ChannelAttnTwin(nn.Module):
    def __init__(self, channels, reduction=16, gate="sigmoid", bias=False):
        super().__init__()
        self.hidden = cbam_hidden(channels, reduction)
        self.fc1 = nn.Conv2d(channels, self.hidden, 1, bias=bias)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(self.hidden, channels, 1, bias=bias)
        self.gate = GATES[gate]()

    def forward(self, x):
        avg = self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True))))
        top = self.fc2(self.act(self.fc1(x.amax((2, 3), keepdim=True))))
        return x * self.gate(avg + top)


class ConvNormTwin(nn.Module):
    """timm ConvNormAct(cin, cout, k, apply_act=False): conv (same padding, no bias) + BN."""

    def __init__(self, cin, cout, kernel):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, 1, kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class SpatialAttnTwin(nn.Module):
    def __init__(self, kernel_size=7, gate="sigmoid"):
        super().__init__()
        self.conv = ConvNormTwin(2, 1, kernel_size)
        self.gate = GATES[gate]()

    def forward(self, x):
        maps = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return x * self.gate(self.conv(maps))


class CbamTwin(nn.Module):
    def __init__(self, channels, reduction=16, spatial_kernel_size=7, gate="sigmoid", bias=False, parts="both"):
        super().__init__()
        self.channel = ChannelAttnTwin(channels, reduction, gate, bias) if parts in ("both", "channel") else None
        self.spatial = SpatialAttnTwin(spatial_kernel_size, gate) if parts in ("both", "spatial") else None

    def forward(self, x):
        if self.channel is not None:
            x = self.channel(x)
        if self.spatial is not None:
            x = self.spatial(x)
        return x


class ConvMlpTwin(nn.Module):
    """timm ConvMlp(C, rd) without norm: fc1 (1x1, bias) -> ReLU -> fc2 (1x1, bias)."""

    def __init__(self, channels, hidden):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, hidden, 1, bias=True)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(hidden, channels, 1, bias=True)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class GatherExciteTwin(nn.Module):
    def __init__(self, channels, extent=0, theta=False, gate="sigmoid", mlp=False, reduction=16):
        super().__init__()
        assert extent in (0, 2, 4, 8), extent
        self.extent = extent
        self.gather = None
        if theta:
            assert extent != 0, "global extent with parameters is not implemented"
            self.gather = nn.Sequential()
            convs = int(math.log2(extent))
            for i in range(1, convs + 1):
                self.gather.add_module(f"conv{i}", nn.Conv2d(channels, channels, 3, 2, 1, groups=channels, bias=False))
                self.gather.add_module(f"norm{i}", nn.BatchNorm2d(channels))
                if i != convs:
                    self.gather.add_module(f"act{i}", nn.ReLU(inplace=True))
        self.mlp = ConvMlpTwin(channels, cbam_hidden(channels, reduction)) if mlp else None
        self.gate = GATES[gate]()

    def pool_window(self):
        """The theta-minus avg_pool2d parameters for extent e > 0."""
        k = 2 * self.extent - 1
        return dict(kernel=k, stride=self.extent, padding=k // 2, count_include_pad=False)

    def forward(self, x):
        size = x.shape[-2:]
        if self.gather is not None:
            g = self.gather(x)
        elif self.extent == 0:
            g = x.mean((2, 3), keepdim=True)
        else:
            p = self.pool_window()
            g = F.avg_pool2d(x, p["kernel"], p["stride"], p["padding"], count_include_pad=False)
        if self.mlp is not None:
            g = self.mlp(g)
        if g.shape[-2:] != (1, 1):
            g = F.interpolate(g, size=size, mode="nearest")
        return x * self.gate(g)


def make_attention(kind, channels, **o):
    """kind as excite's registry names it: eca, cbam, cbam-channel, cbam-spatial, ge."""
    if kind == "eca":
        return EcaTwin(channels, o.get("kernel_size"), o.get("gate", "sigmoid"))
    if kind in ("cbam", "cbam-channel", "cbam-spatial"):
        parts = {"cbam": "both", "cbam-channel": "channel", "cbam-spatial": "spatial"}[kind]
        return CbamTwin(channels, o.get("reduction", 16), o.get("spatial_kernel_size", 7), o.get("gate", "sigmoid"),
                        o.get("bias", False), parts)
    if kind == "ge":
        return GatherExciteTwin(channels, o.get("extent", 0), o.get("theta", False), o.get("gate", "sigmoid"),
                                o.get("mlp", False), o.get("reduction", 16))
    raise ValueError(kind)


def resolved_options(kind, channels, module, o):
    """The options a case records: what was asked plus what the twin derived from it."""
    r = dict(kind=kind, channels=channels, gate=o.get("gate", "sigmoid"))
    if kind == "eca":
        r.update(kernel_size=module.kernel_size, kernel_from_channels="kernel_size" not in o, padding=(module.kernel_size - 1) // 2)
    elif kind.startswith("cbam"):
        r.update(reduction=o.get("reduction", 16), bias=o.get("bias", False),
                 spatial_kernel_size=o.get("spatial_kernel_size", 7))
        if module.channel is not None:
            r["hidden"] = module.channel.hidden
    else:
        r.update(extent=module.extent, theta=module.gather is not None, mlp=module.mlp is not None)
        if module.mlp is not None:
            r.update(hidden=module.mlp.fc1.out_channels, reduction=o.get("reduction", 16))
        if module.gather is None and module.extent > 0:
            r["pool"] = module.pool_window()
    return r


# --------------------------------------------------------------------------------------------
# op fixtures (float32, make_fixtures.py's op layout)


def tied_input(shape, levels=3):
    """Small integers: many exact ties across channels."""
    return torch.randint(-levels, levels + 1, shape).float()


def fx_attention_ops():
    torch.manual_seed(301)
    fx = Fixture("attention_ops")
    for name, shape in [("mean_2x5x7x9", (2, 5, 7, 9)), ("mean_c1", (1, 1, 3, 4)), ("mean_1x1", (3, 6, 1, 1)),
                        ("mean_wide", (2, 3, 17, 19))]:
        mf.op_case(fx, name, lambda x: x.mean(dim=1, keepdim=True), dict(x=torch.randn(shape)), ["x"],
                   op="channel_mean")
    for name, x, ties in [("max_first", torch.randn(2, 5, 7, 9), "first"), ("max_split", torch.randn(2, 5, 7, 9), "split"),
                          ("max_ties_first", tied_input((2, 6, 4, 5)), "first"),
                          ("max_ties_split", tied_input((2, 6, 4, 5)), "split"),
                          ("max_c1", torch.randn(2, 1, 3, 4), "first")]:
        if ties == "first":
            def f(x):
                return x.max(dim=1, keepdim=True)[0]
        else:
            def f(x):
                return x.amax(dim=1, keepdim=True)
        mf.op_case(fx, name, f, dict(x=x), ["x"], op="channel_max", ties=ties)
    for name, xs, ss in [("scale", (2, 5, 7, 9), (2, 1, 7, 9)), ("scale_c1", (3, 1, 4, 4), (3, 1, 4, 4)),
                         ("scale_wide", (2, 4, 17, 19), (2, 1, 17, 19))]:
        mf.op_case(fx, name, lambda x, s: x * s, dict(x=torch.randn(xs), s=torch.rand(ss)), ["x", "s"],
                   op="spatial_scale")
    for name, n, c, k, pad in [("conv1d_k3", 3, 16, 3, 1), ("conv1d_k5", 2, 64, 5, 2), ("conv1d_k7_c5", 2, 5, 7, 3),
                               ("conv1d_k3_nopad", 2, 9, 3, 0), ("conv1d_k4_p1", 2, 10, 4, 1), ("conv1d_k1", 2, 6, 1, 0)]:
        def f(v, w, pad=pad):
            return F.conv1d(v.unsqueeze(1), w, padding=pad).squeeze(1)
        mf.op_case(fx, name, f, dict(v=torch.randn(n, c), w=torch.randn(1, 1, k)), ["v", "w"], op="channel_conv1d",
                   kernel=k, padding=pad)
    for name, shape, size in [("up_4x5_7x9", (2, 3, 4, 5), (7, 9)), ("up_x2", (2, 2, 3, 4), (6, 8)),
                              ("up_3x3_9x11", (1, 2, 3, 3), (9, 11)), ("up_1x1_5x4", (2, 2, 1, 1), (5, 4)),
                              ("up_same", (1, 2, 4, 5), (4, 5)), ("down_5x6_3x4", (2, 2, 5, 6), (3, 4)),
                              ("up_float_rule_2x6_82x7", (1, 1, 2, 6), (82, 7)),  # torch's float scale != exact floor
                              ("up_ge_7_from_4", (2, 3, 4, 4), (7, 7))]:
        def f(x, size=size):
            return F.interpolate(x, size=size, mode="nearest")
        mf.op_case(fx, name, f, dict(x=torch.randn(shape)), ["x"], op="upsample_nearest", size=list(size))
    cat_cases = [("cat_maps", 1, [(2, 1, 5, 6), (2, 1, 5, 6)]), ("cat_three", 1, [(2, 1, 3, 4), (2, 3, 3, 4), (2, 2, 3, 4)]),
                 ("cat_dim0", 0, [(1, 2, 3), (3, 2, 3)]), ("cat_last", -1, [(2, 3, 2), (2, 3, 5)])]
    for name, dim, shapes in cat_cases:
        inputs = {f"x{i}": torch.randn(s) for i, s in enumerate(shapes)}

        def f(dim=dim, **kw):
            return torch.cat([kw[f"x{i}"] for i in range(len(kw))], dim=dim)
        mf.op_case(fx, name, f, inputs, list(inputs), op="cat", dim=dim, count=len(shapes))
    fx.write()
    return fx


# --------------------------------------------------------------------------------------------
# module fixtures (float64 reference, make_fixtures.py's model layout + grad_input)


def module_fixture(fx, module, shape, prefix):
    """make_fixtures.model_fixture without labels (loss sum(out * w)), plus the input's gradient."""
    mf.load_generated_state(fx, module, prefix)
    fx.add(prefix + "input_shape", torch.tensor(list(shape), dtype=torch.int64))
    x = mf.hash_uniform(prefix + "input", list(shape), -2.0, 2.0).double()
    module.double()
    fx.meta[prefix + "parameters"] = json.dumps([n for n, _ in module.named_parameters()])
    fx.meta[prefix + "state"] = json.dumps(list(module.state_dict().keys()))
    module.eval()
    with torch.no_grad():
        mf.add_summary(fx, prefix + "out_eval", module(x))
    module.train()
    x.requires_grad_(True)
    out = module(x)
    mf.add_summary(fx, prefix + "out_train", out)
    w = mf.hash_uniform("grad_out", list(out.shape), -1.0, 1.0).double()
    (out * w).sum().backward()
    mf.add_summary(fx, prefix + "grad_input", x.grad)
    for name, p in module.named_parameters():
        mf.add_summary(fx, prefix + "grad." + name, p.grad)
    for name, b in module.named_buffers():
        if b.dtype == torch.int64:
            fx.add(prefix + "after." + name, b)
        else:
            mf.add_summary(fx, prefix + "after." + name, b)


# name, kind, channels, input shape, options
MODULE_CASES = [
    ("eca_c16", "eca", 16, (2, 16, 5, 7), {}),
    ("eca_c128_k5", "eca", 128, (2, 128, 3, 4), {}),  # C = 128: t = 4 -> k = 5
    ("eca_fixed_k5_hard_sigmoid", "eca", 24, (2, 24, 4, 5), dict(kernel_size=5, gate="hard_sigmoid")),
    ("eca_fixed_k7_tanh", "eca", 32, (2, 32, 3, 3), dict(kernel_size=7, gate="tanh")),
    ("eca_relu", "eca", 16, (2, 16, 5, 7), dict(gate="relu")),
    ("cbam_c32", "cbam", 32, (2, 32, 6, 7), {}),
    ("cbam_c32_r4_hard_sigmoid", "cbam", 32, (2, 32, 5, 5), dict(reduction=4, gate="hard_sigmoid")),
    ("cbam_c16_tanh_bias", "cbam", 16, (2, 16, 6, 5), dict(gate="tanh", bias=True)),
    ("cbam_c16_relu", "cbam", 16, (2, 16, 5, 6), dict(gate="relu")),
    ("cbam_channel_c32", "cbam-channel", 32, (2, 32, 6, 7), {}),
    ("cbam_spatial_c32", "cbam-spatial", 32, (2, 32, 6, 7), {}),
    ("cbam_spatial_k3_relu", "cbam-spatial", 8, (2, 8, 6, 7), dict(spatial_kernel_size=3, gate="relu")),
    ("ge_global", "ge", 16, (2, 16, 9, 11), dict(extent=0)),
    ("ge_e2", "ge", 16, (2, 16, 9, 11), dict(extent=2)),
    ("ge_e4", "ge", 16, (2, 16, 9, 11), dict(extent=4)),
    ("ge_e8", "ge", 16, (2, 16, 9, 11), dict(extent=8)),
    ("ge_e2_hard_sigmoid", "ge", 16, (2, 16, 8, 8), dict(extent=2, gate="hard_sigmoid")),
    ("ge_e4_tanh", "ge", 16, (2, 16, 7, 6), dict(extent=4, gate="tanh")),
    ("ge_e2_relu", "ge", 16, (2, 16, 7, 6), dict(extent=2, gate="relu")),
    ("ge_theta_e2", "ge", 16, (2, 16, 9, 11), dict(extent=2, theta=True)),
    ("ge_theta_e4", "ge", 16, (2, 16, 9, 11), dict(extent=4, theta=True)),
    ("ge_theta_e8", "ge", 16, (2, 16, 9, 11), dict(extent=8, theta=True)),
    ("ge_theta_plus_e2", "ge", 16, (2, 16, 9, 11), dict(extent=2, theta=True, mlp=True, reduction=4)),
    ("ge_plus_global", "ge", 16, (2, 16, 5, 7), dict(extent=0, mlp=True, reduction=4)),
]


def fx_attention_modules():
    torch.manual_seed(302)
    fx = Fixture("attention_modules")
    for name, kind, c, shape, o in MODULE_CASES:
        m = make_attention(kind, c, **o)
        module_fixture(fx, m, shape, name + "/")
        fx.case(name, input_shape=list(shape), **resolved_options(kind, c, m, o))
    fx.write()
    return fx


# --------------------------------------------------------------------------------------------
# whole models: CIFAR ResNet-8 with an attention module per block, keyed `se`

MODEL_KINDS = {
    "eca": ("eca", {}),
    "cbam": ("cbam", {}),
    "cbam-channel": ("cbam-channel", {}),
    "cbam-spatial": ("cbam-spatial", {}),
    "ge": ("ge", dict(extent=2)),
    "ge-theta": ("ge", dict(extent=2, theta=True)),
}


def attention_resnet8(kind, num_classes=10, in_channels=1):
    """make_fixtures.ResNetTwin's seresnet8 layout, each block's `se` replaced by the attention
    module (assigning an existing child keeps its place in the state-dict order)."""
    attn_kind, opts = MODEL_KINDS[kind]
    model = mf.ResNetTwin("cifar", False, (1, 1, 1), (16, 32, 64), in_channels, num_classes, se={})
    for s in (1, 2, 3):
        for block in getattr(model, f"layer{s}"):
            block.se = make_attention(attn_kind, block.bn2.num_features, **opts)
    return model


def fx_model_attention_resnet8():
    torch.manual_seed(303)
    fx = Fixture("model_attention_resnet8")
    for kind in MODEL_KINDS:
        attn_kind, opts = MODEL_KINDS[kind]
        model = attention_resnet8(kind)
        prefix = kind + "/"
        mf.model_fixture(fx, model, (2, 1, 28, 28), torch.tensor([3, 8]), prefix=prefix)
        blocks = {}
        for s in (1, 2, 3):
            block = getattr(model, f"layer{s}")[0]
            blocks[f"layer{s}.0.se"] = resolved_options(attn_kind, block.bn2.num_features, block.se, opts)
        fx.case(kind, arch="resnet8", in_channels=1, num_classes=10, input_shape=[2, 1, 28, 28], labels=[3, 8],
                position="standard", attention=blocks)
    fx.write()
    return fx


# --------------------------------------------------------------------------------------------
# the generated description


def write_readme(fixtures):
    lines = ["# Attention fixtures (issue 15)", "",
             f"Written by `{SCRIPT}` (torch {torch.__version__}); its docstring documents the twins and the layouts.",
             "Do not edit by hand: rerun the script.", ""]
    for fx in fixtures:
        path = os.path.join(mf.FIXTURES, fx.name + ".safetensors")
        lines += [f"## {fx.name}.safetensors ({os.path.getsize(path)} bytes, {len(fx.tensors)} tensors)", ""]
        for c in fx.cases:
            params = {k: v for k, v in c.items() if k != "name"}
            lines.append(f"- `{c['name']}`: " + json.dumps(params))
        lines.append("")
    with open(os.path.join(mf.FIXTURES, "attention_fixtures.md"), "w") as f:
        f.write("\n".join(lines))


for _kind in MODEL_KINDS:  # the round trip of make_fixtures.py, with these architectures
    mf.ROUNDTRIP_ARCHS["resnet8-" + _kind] = lambda k, cin, kind=_kind: attention_resnet8(kind, k, cin)


def main():
    fixtures = {"attention_ops": fx_attention_ops, "attention_modules": fx_attention_modules,
                "model_attention_resnet8": fx_model_attention_resnet8}
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="fixtures to write (default: all)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--roundtrip", nargs=3, metavar=("ARCH", "EXCITE_FILE", "TORCH_FILE"),
                    help="load an excite-saved state dict into the twin of ARCH (resnet8-<kind>) and save it again")
    args = ap.parse_args()
    if args.list:
        print("\n".join(fixtures))
        return
    if args.roundtrip:
        mf.roundtrip(*args.roundtrip)
        return
    os.makedirs(mf.FIXTURES, exist_ok=True)
    if args.names:
        for name in args.names:
            fixtures[name]()
        return
    write_readme([make() for make in fixtures.values()])


if __name__ == "__main__":
    main()
