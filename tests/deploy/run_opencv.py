#!/usr/bin/python3
"""tests/deploy/run_opencv.py — runs ONNX models with OpenCV's DNN module (Debian's python3-opencv)
for tests/deploy/test_onnx_export.cpp.

    /usr/bin/python3 run_opencv.py MODEL.onnx INPUT.npy OUTPUT.npy [MODEL INPUT OUTPUT ...]

Each model is read once with cv2.dnn.readNetFromONNX and run on the CPU backend; the first
output is written as float32 .npy. Exit 3 when cv2 cannot be imported.
"""
import sys

try:
    import cv2
    import numpy as np
except ImportError as e:  # pragma: no cover - reported to the C++ test
    sys.stderr.write(f"run_opencv.py: cannot import cv2/numpy ({e}); install Debian's python3-opencv "
                     "(scripts/setup.sh does) and run with /usr/bin/python3\n")
    sys.exit(3)


def main(args):
    if not args or len(args) % 3:
        sys.stderr.write("usage: run_opencv.py MODEL.onnx INPUT.npy OUTPUT.npy [...]\n")
        return 2
    nets = {}
    for i in range(0, len(args), 3):
        model, inp, out = args[i:i + 3]
        if model not in nets:
            net = cv2.dnn.readNetFromONNX(model)
            net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
            net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
            nets[model] = net
        net = nets[model]
        x = np.load(inp).astype(np.float32)
        net.setInput(x)
        y = net.forward()
        np.save(out, np.ascontiguousarray(y, dtype=np.float32))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except cv2.error as e:
        sys.stderr.write("run_opencv.py: OpenCV: " + " ".join(str(e).split()) + "\n")
        sys.exit(1)
