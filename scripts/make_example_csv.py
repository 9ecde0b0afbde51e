#!/usr/bin/env python3
"""Writes datasets/examples/batches.csv: a small practitioner's example of
batch effects. Three batches (b1, b2, b3) of 200 rows measure the same two
cell populations on five features; each batch adds its own shift, scale and
a mild non-linear distortion. Python standard library only; seeded."""
import math
import os
import random


def main():
    rng = random.Random(20221124)
    out = os.path.join(os.path.dirname(__file__), "..", "datasets", "examples", "batches.csv")
    effects = {
        "b1": ([0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0], 0.0),
        "b2": ([1.5, -0.5, 0.8, 0.0, -1.0], [1.3, 0.8, 1.0, 1.5, 0.9], 0.3),
        "b3": ([-1.0, 1.0, -0.4, 2.0, 0.5], [0.7, 1.2, 1.4, 0.9, 1.1], -0.2),
    }
    rows = ["f1,f2,f3,f4,f5,batch"]
    for batch, (shift, scale, bend) in effects.items():
        for i in range(200):
            population = i % 2
            centre = [2.0, -1.0, 0.5, 1.0, 0.0] if population else [-1.0, 1.0, 0.0, -0.5, 1.5]
            base = [c + rng.gauss(0.0, 0.6) for c in centre]
            values = [s + k * (v + bend * math.tanh(v)) for v, s, k in zip(base, shift, scale)]
            rows.append(",".join(f"{v:.6f}" for v in values) + f",{batch}")
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
