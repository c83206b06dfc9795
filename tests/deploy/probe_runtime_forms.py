#!/usr/bin/python3
"""tests/deploy/probe_runtime_forms.py — which ONNX forms ONNX Runtime and OpenCV DNN compute right,
at batch 1 and 3: the measurements behind the op choices of deploy/onnx_lower.cpp (see
deploy/README.md). Not part of the suite; run by hand after setup:

    /usr/bin/python3 tests/deploy/probe_runtime_forms.py

Each form is a small opset-13 graph on input [N, 8, 6, 6]; the script prints, per runtime and
batch size, the relative error against NumPy or the runtime's error message.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import onnx
from onnx import TensorProto, helper as h, numpy_helper as nh

C, H, K = 8, 6, 3
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)
sig = lambda v: 1 / (1 + np.exp(-v))
W = rng.normal(size=(C, C, 1, 1)).astype(np.float32)
W1D = rng.normal(size=(1, 1, 1, K)).astype(np.float32)
i64 = lambda *v: np.array(v, np.int64)
f32 = lambda *v: np.array(v, np.float32)


def gap_conv(x):
    return np.einsum('oc,nchw->nohw', W[:, :, 0, 0], x.mean(axis=(2, 3), keepdims=True))


def eca(x):
    p = np.pad(x.mean(axis=(2, 3)), ((0, 0), (K // 2, K // 2)))
    c = np.stack([(p[:, i:i + K] * W1D[0, 0, 0]).sum(1) for i in range(C)], 1)
    return x * sig(c)[:, :, None, None]


GAP = [h.make_node('GlobalAveragePool', ['input'], ['p']), h.make_node('Conv', ['p', 'W'], ['s'], kernel_shape=[1, 1])]
RESIZE = lambda a, b, sc: h.make_node('Resize', [a, '', sc], [b], mode='nearest')
FORMS = {  # name: (nodes, initializers, output channels, output size, reference)
    'SE: broadcast Mul x * s[N,C,1,1]': (GAP + [h.make_node('Mul', ['input', 's'], ['y'])], {'W': W}, C, H,
                                         lambda x: x * gap_conv(x)),
    'SE: Expand s, Mul': (GAP + [h.make_node('Expand', ['s', 'e'], ['t']), h.make_node('Mul', ['input', 't'], ['y'])],
                          {'W': W, 'e': i64(1, 1, H, H)}, C, H, lambda x: x * gap_conv(x)),
    'SE: Resize nearest s, Mul (exported)': (GAP + [RESIZE('s', 't', 'sc'), h.make_node('Mul', ['input', 't'], ['y'])],
                                             {'W': W, 'sc': f32(1, 1, H, H)}, C, H, lambda x: x * gap_conv(x)),
    'ReduceMean over C keepdims 1': ([h.make_node('ReduceMean', ['input'], ['y'], axes=[1], keepdims=1)], {}, 1, H,
                                     lambda x: x.mean(axis=1, keepdims=True)),
    'ReduceMean over C keepdims 0 + Reshape (exported)': (
        [h.make_node('ReduceMean', ['input'], ['r'], axes=[1], keepdims=0), h.make_node('Reshape', ['r', 'sh'], ['y'])],
        {'sh': i64(0, 1, H, H)}, 1, H, lambda x: x.mean(axis=1, keepdims=True)),
    'ReduceMax over C keepdims 0 + Reshape': (
        [h.make_node('ReduceMax', ['input'], ['r'], axes=[1], keepdims=0), h.make_node('Reshape', ['r', 'sh'], ['y'])],
        {'sh': i64(0, 1, H, H)}, 1, H, lambda x: x.max(axis=1, keepdims=True)),
    'ReduceSum (opset 13, axes input)': ([h.make_node('ReduceSum', ['input', 'ax'], ['y'], keepdims=1)],
                                         {'ax': i64(1)}, 1, H, lambda x: x.sum(axis=1, keepdims=True)),
    'spatial gate: broadcast Mul x * s[N,1,H,W]': (
        [h.make_node('ReduceMean', ['input'], ['r'], axes=[1], keepdims=0), h.make_node('Reshape', ['r', 'sh'], ['m']),
         h.make_node('Sigmoid', ['m'], ['g']), h.make_node('Mul', ['input', 'g'], ['y'])],
        {'sh': i64(0, 1, H, H)}, C, H, lambda x: x * sig(x.mean(axis=1, keepdims=True))),
    'spatial gate: Conv ones spreads s over C, Mul (exported)': (
        [h.make_node('ReduceMean', ['input'], ['r'], axes=[1], keepdims=0), h.make_node('Reshape', ['r', 'sh'], ['m']),
         h.make_node('Sigmoid', ['m'], ['g']), h.make_node('Conv', ['g', 'ones'], ['gc'], kernel_shape=[1, 1]),
         h.make_node('Mul', ['input', 'gc'], ['y'])],
        {'sh': i64(0, 1, H, H), 'ones': np.ones((C, 1, 1, 1), np.float32)}, C, H,
        lambda x: x * sig(x.mean(axis=1, keepdims=True))),
    'Concat along C': ([h.make_node('Conv', ['input', 'W'], ['a'], kernel_shape=[1, 1]),
                        h.make_node('Concat', ['a', 'input'], ['y'], axis=1)], {'W': W}, 2 * C, H,
                       lambda x: np.concatenate([np.einsum('oc,nchw->nohw', W[:, :, 0, 0], x), x], axis=1)),
    'upsample: Resize nearest x2': ([RESIZE('input', 'y', 'sc')], {'sc': f32(1, 1, 2, 2)}, C, 2 * H,
                                    lambda x: x.repeat(2, axis=2).repeat(2, axis=3)),
    'ECA: Conv [1, k] on Reshape [N, 1, 1, C]': (
        [h.make_node('GlobalAveragePool', ['input'], ['p']), h.make_node('Reshape', ['p', 's1'], ['q']),
         h.make_node('Conv', ['q', 'w'], ['c'], kernel_shape=[1, K], pads=[0, K // 2, 0, K // 2]),
         h.make_node('Sigmoid', ['c'], ['g']), h.make_node('Reshape', ['g', 's2'], ['g4']), RESIZE('g4', 'gh', 'sc'),
         h.make_node('Mul', ['input', 'gh'], ['y'])],
        {'s1': i64(0, 1, 1, C), 'w': W1D, 's2': i64(0, C, 1, 1), 'sc': f32(1, 1, H, H)}, C, H, eca),
}


def main():
    tmp = tempfile.mkdtemp(prefix='excite-probe-')
    xs = {n: rng.normal(size=(n, C, H, H)).astype(np.float32) for n in (1, 3)}
    for n, x in xs.items():
        np.save(f'{tmp}/x{n}.npy', x)
    for k, (name, (nodes, inits, oc, osz, ref)) in enumerate(FORMS.items()):
        g = h.make_graph(nodes, 'probe', [h.make_tensor_value_info('input', TensorProto.FLOAT, ['N', C, H, H])],
                         [h.make_tensor_value_info('y', TensorProto.FLOAT, ['N', oc, osz, osz])],
                         [nh.from_array(v, n) for n, v in inits.items()])
        m = h.make_model(g, opset_imports=[h.make_opsetid('', 13)])
        m.ir_version = 8
        onnx.checker.check_model(m)
        path = f'{tmp}/form{k}.onnx'
        onnx.save(m, path)
        row = []
        try:
            net = cv2.dnn.readNetFromONNX(path)
        except cv2.error as e:
            msg = ' '.join(str(e).split())
            net, why = None, msg[msg.find('Unsupported'):][:70] if 'Unsupported' in msg else msg[-70:]
        for n, x in xs.items():
            if net is None:
                row.append(f'opencv N={n}: import error ({why})')
                continue
            try:
                net.setInput(x)
                y = net.forward()
                r = ref(x)
                row.append(f'opencv N={n}: ' + (f'shape {y.shape}' if y.shape != r.shape else
                                                f'{np.abs(y - r).max() / np.abs(r).max():.1e}'))
            except cv2.error as e:
                row.append(f'opencv N={n}: error ({" ".join(str(e).split())[-60:]})')
        args = sum(([path, f'{tmp}/x{n}.npy', f'{tmp}/ort{k}_{n}.npy'] for n in xs), [])
        p = subprocess.run(['node', os.path.join(HERE, 'run_ort.js')] + args, capture_output=True, text=True)
        for n, x in xs.items():
            if p.returncode:
                row.append(f'ort N={n}: error ({p.stderr.strip()[-60:]})')
                continue
            y, r = np.load(f'{tmp}/ort{k}_{n}.npy'), ref(x)
            row.append(f'ort N={n}: {np.abs(y - r).max() / np.abs(r).max():.1e}')
        print(f'{name}\n    ' + '\n    '.join(row))
    shutil.rmtree(tmp)
    return 0


if __name__ == '__main__':
    sys.exit(main())
