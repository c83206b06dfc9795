#!/usr/bin/python3
"""fuzz/make_corpus.py — writes the seed corpora in fuzz/corpus/<target>/ from real small files.

Run once by a developer (Debian's /usr/bin/python3 with numpy and PIL); the output is committed,
so fuzzing needs no Python. Seeds are cut from the real datasets (Fashion-MNIST from Debian's
dataset-fashion-mnist, CIFAR-10 and the JPEG folder from ../shared/datasets) and written in each
format's ordinary layout, kept to a few KB each so the fuzzers mutate quickly.
"""
import gzip
import io
import json
import os
import struct
import sys

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
FASHION = "/usr/share/datasets/fashion-mnist"
SHARED = os.path.join(os.path.dirname(REPO), "shared", "datasets")
CIFAR = os.path.join(SHARED, "cifar10", "cifar-10-batches-bin", "data_batch_1.bin")
JPEG_MINI = os.path.join(SHARED, "cifar10-jpeg-mini", "train")


def put(target, name, data):
    folder = os.path.join(ROOT, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def idx_seeds():
    with gzip.open(os.path.join(FASHION, "train-images-idx3-ubyte.gz")) as f:
        head = f.read(16)
        assert struct.unpack(">HBB", head[:4]) == (0, 8, 3)
        rows, cols = struct.unpack(">II", head[8:16])
        pixels = f.read(3 * rows * cols)
    with gzip.open(os.path.join(FASHION, "train-labels-idx1-ubyte.gz")) as f:
        f.read(8)
        labels = f.read(8)
    images2 = struct.pack(">HBBIII", 0, 8, 3, 2, rows, cols) + pixels[: 2 * rows * cols]
    images3 = struct.pack(">HBBIII", 0, 8, 3, 3, rows, cols) + pixels
    labels8 = struct.pack(">HBBI", 0, 8, 1, 8) + labels
    crop = np.frombuffer(pixels[: rows * cols], np.uint8).reshape(rows, cols)[10:14, 10:14]
    tiny = struct.pack(">HBBIII", 0, 8, 3, 1, 4, 4) + crop.tobytes()
    for name, data in [("images-2x28x28", images2), ("labels-8", labels8), ("images-1x4x4", tiny)]:
        put("idx", name, data)
        put("idx", name + ".gz", gzip.compress(data, mtime=0))
        put("idx_gz", name, data)  # fuzz_idx_gz compresses its input itself
    put("idx", "images-3x28x28.gz", gzip.compress(images3, mtime=0))


def cifar_seeds():
    with open(CIFAR, "rb") as f:
        records = f.read(2 * 3073)
    put("cifar", "cifar10-2-records", records)
    put("cifar", "cifar10-1-record", records[:3073])
    # A CIFAR-100 record: coarse label, fine label, the same 3072 pixel bytes.
    put("cifar", "cifar100-1-record", bytes([3, 42]) + records[1:3073])


def safetensors_bytes(entries, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def safetensors_seeds():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3)).astype("<f4")
    put("safetensors", "f32-i64-metadata", safetensors_bytes(
        [("fc.weight", "F32", [4, 3], w.tobytes()),
         ("bn.num_batches_tracked", "I64", [], np.array(7, "<i8").tobytes())],
        {"format": "excite-checkpoint-1", "epoch": "2"}))
    put("safetensors", "all-dtypes", safetensors_bytes(
        [("a", "F64", [2], np.array([1.5, -2.0], "<f8").tobytes()),
         ("b", "F16", [3], np.array([0.5, 65504, -0.0], "<f2").tobytes()),
         ("c", "BF16", [2], (np.array([1.0, -3.0], "<f4").view("<u4") >> 16).astype("<u2").tobytes()),
         ("d", "I32", [1, 2], np.array([[3, -4]], "<i4").tobytes()),
         ("e", "F32", [0, 5], b"")]))
    put("safetensors", "empty", safetensors_bytes([]))
    # A real small file: the PyTorch-written fixture the hash check uses.
    with open(os.path.join(REPO, "tests", "fixtures", "hash_check.safetensors"), "rb") as f:
        put("safetensors", "torch-hash-check", f.read())


def npy_seeds():
    def npy(array, version=None):
        buffer = io.BytesIO()
        if version is None:
            np.save(buffer, array)
        else:
            np.lib.format.write_array(buffer, array, version=version)
        return buffer.getvalue()

    rng = np.random.default_rng(0)
    put("npy", "f4-2x3", npy(rng.standard_normal((2, 3)).astype("<f4")))
    put("npy", "f8-4", npy(rng.standard_normal(4)))
    put("npy", "f4-scalar", npy(np.array(1.25, "<f4")))
    put("npy", "f4-0x3", npy(np.zeros((0, 3), "<f4")))
    put("npy", "f4-v2-1x2x2", npy(np.ones((1, 2, 2), "<f4"), version=(2, 0)))
    put("npy", "f4-v3-2", npy(np.ones(2, "<f4"), version=(3, 0)))


def config_seeds():
    full = {"dataset": "fashion-mnist", "data_dir": "", "val_dir": "", "input_size": 0, "augment": "default",
            "cutout": 0, "limit_train": 256, "limit_test": 0, "epochs": 2, "batch_size": 64, "optimizer": "sgd",
            "lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 5e-4, "decay_bn_and_bias": False,
            "schedule": "step", "warmup_epochs": 0.5, "milestones": [1], "gamma": 0.1, "label_smoothing": 0.1,
            "threads": 2, "workers": 1, "seed": 7, "out": "runs/x",
            "model": {"arch": "seresnet8", "num_classes": 0, "in_channels": 0, "attention": "se", "reduction": 16,
                      "min_channels": 8, "squeeze": "avg", "gate": "sigmoid", "bias": False,
                      "position": "standard", "stages": [2, 3], "zero_init_residual": False}}
    put("config", "full.json", json.dumps(full, indent=2).encode())
    put("config", "small.json", b'{"epochs": 3, "optimizer": "adamw", "lr": 1e-3, "model": {"arch": "resnet20"}}\n')
    put("config", "empty.json", b"{}\n")


def args(*words):
    """A command line as the flag targets read it: one argument per line."""
    return "\n".join(words).encode()


def attention_seeds():
    put("attention", "se.args", args("--arch", "seresnet8", "--attention", "se", "--reduction", "8", "--squeeze",
                                     "avgmax", "--gate", "hard_sigmoid", "--position", "pre", "--stages", "2,3"))
    put("attention", "eca.args", args("--arch", "resnet8", "--attention", "eca", "--eca-kernel", "5"))
    put("attention", "cbam.args", args("--arch", "resnet20", "--attention", "cbam", "--reduction", "4",
                                       "--gate", "sigmoid", "--spatial-kernel", "7"))
    put("attention", "cbam-spatial.args", args("--attention", "cbam-spatial", "--arch", "resnet14"))
    put("attention", "ge.args", args("--arch", "resnet8", "--attention", "ge", "--extent", "2", "--theta"))
    put("attention", "no-se.args", args("--no-se", "--in-channels", "1", "--num-classes", "10"))


def study_seeds():
    for name in sorted(os.listdir(os.path.join(REPO, "configs"))):
        with open(os.path.join(REPO, "configs", name), "rb") as f:
            text = f.read()
        if b'"factors"' in text:
            put("study", name, text)


def scaleout_seeds():
    put("scaleout", "emit.args", args("--out", "runs/dist", "--threads", "2", "--emit", "slurm", "--partition",
                                      "short,long", "--time", "1-02:00:00", "--ranks", "4", "--cpus-per-task", "2"))
    put("scaleout", "emit-plain.args", args("--out", "r", "--emit", "slurm"))
    put("scaleout", "distributed.json", json.dumps({"world_size": 2, "sync_bn": True}, indent=2).encode() + b"\n")


def export_seeds():
    put("export", "run.args", args("runs/x", "--onnx", "m.onnx", "--opset", "17", "--batch-norm", "keep"))
    put("export", "weights.args", args("--weights", "w.safetensors", "--arch", "seresnet8", "--dataset",
                                       "fashion-mnist", "--onnx", "m.onnx", "--attention", "eca"))
    put("export", "classes.json", json.dumps(["T-shirt/top", "Trouser", "Pullover"]).encode() + b"\n")


def image_seeds():
    jpeg = os.path.join(JPEG_MINI, "bird", "0014.jpg")
    with open(jpeg, "rb") as f:
        put("image", "rgb-32x32.jpg", f.read())
    picture = Image.open(jpeg).convert("RGB")
    small = picture.resize((16, 16))

    def encoded(image, fmt, **options):
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    put("image", "grey-16x16.jpg", encoded(small.convert("L"), "JPEG", quality=80))
    put("image", "rgb-16x16-progressive.jpg", encoded(small, "JPEG", quality=80, progressive=True))
    put("image", "rgb-16x16.png", encoded(small, "PNG"))
    put("image", "rgba-8x8.png", encoded(small.resize((8, 8)).convert("RGBA"), "PNG"))
    put("image", "grey-8x8.png", encoded(small.resize((8, 8)).convert("L"), "PNG"))
    put("image", "palette-8x8.png", encoded(small.resize((8, 8)).convert("P"), "PNG"))
    put("image", "interlaced-8x8.png", encoded(small.resize((8, 8)), "PNG", interlace=1))
    put("image", "rgb-8x8.bmp", encoded(small.resize((8, 8)), "BMP"))
    put("image", "grey-8x8.bmp", encoded(small.resize((8, 8)).convert("L"), "BMP"))


if __name__ == "__main__":
    for make in (idx_seeds, cifar_seeds, safetensors_seeds, npy_seeds, config_seeds, image_seeds,
                 attention_seeds, study_seeds, scaleout_seeds, export_seeds):
        make()
    sys.exit(0)
