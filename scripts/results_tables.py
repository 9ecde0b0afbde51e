#!/usr/bin/env python3
"""Generate results/README.md from the CSV files and meta.json files that
`iaf reproduce` wrote: tables, checks of the expected outcomes, machine,
commit and date. Nothing in the tables is typed by hand.

Usage: python3 scripts/results_tables.py [RESULTS_DIR] [--remark TEXT]
(default RESULTS_DIR: results; TEXT, e.g. about the machine's load, goes
under the header).
Standard library only.
"""

import csv
import datetime
import json
import os
import platform
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METHODS = ["identity", "nb", "gb", "rand-nb", "independent", "inb", "inb-gb"]

COLUMNS = """\
## What every file holds

Every experiment writes to `results/<experiment>/`, plus `meta.json`
(settings, wall time, threads, iaf version). Methods (SPEC section 3):
`identity` (input map only), `nb` (one NB layer, W = identity), `gb` (one
Gaussian-barycenter map in full space), `rand-nb` (INB with random
directions), `independent` (per-domain Gaussianising flows, translation
through N(0, I)), `inb` (the method), `inb-gb` (INB with GB layers). W2^2 is
the squared 2-Wasserstein distance: exact optimal assignment for equal
sizes, Sinkhorn otherwise; "latent" means in the flow's latent space, after
the input map (standardisation for toys, probit for images).

- `toys/convergence.csv`: `dataset,method,seed,split,layer,w2`: mean over
  domain pairs of latent W2^2 after `layer` layers on the `train` or `test`
  split. One-shot methods (`identity`, `nb`, `gb`) repeat their final value
  at every layer (flat lines). Figures: `toys/convergence_<dataset>_<split>.svg`
  (mean +/- std over seeds, log scale).
- `toys/summary.csv`: per data set, method and split: W2^2 at layers 0, 1, 5
  and the last (mean over seeds), its std, mean fit seconds.
- `mnist/summary.csv`, `fmnist/summary.csv`: per k (classes 0..k-1 as
  domains) and method, fitted on the train split and measured on the test
  split: `fit_seconds`, `transform_seconds` (test set to latent),
  `latent_w2_sq` (mean over domain pairs), `translation_w2_sq` (pixel space,
  real domain a vs translated b -> a, mean over ordered pairs),
  `transport_cost` (mean squared distance between a point and its latent
  image, after the input map), `confusion_accuracy` (cross-validated 5-NN
  domain classifier on the latent; chance 1/k is perfect alignment),
  `translation_accuracy` (a 5-NN classifier trained on real training images
  labels translated images as their target class; higher is better).
  Figures: `translations_k<k>_<method>.png`, each row one test image of a
  domain followed by its translation into every domain.
- `ablation/{k,max_iters,grid}.csv`: `parameter,value,fit_seconds,latent_w2_sq,translation_w2_sq`
  for INB on MNIST 0/1 with one setting changed (K directions per layer, J
  direction iterations, G quantile levels of the 1-D maps).
  `ablation/layers.csv`: latent W2^2 on train and test after each layer.
- `scaling/{n,d,threads}.csv`: INB fit seconds (and per layer) on two
  Gaussian domains against points per domain, dimension and threads.
"""


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fmt(v, digits=4):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-3:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}g}"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(fmt(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical cores, {platform.system()} {platform.machine()}"


def commit():
    try:
        return subprocess.check_output(
            ["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], text=True
        ).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def toys_section(d):
    rows = read_csv(os.path.join(d, "summary.csv"))
    text = "## Toys (E1)\n\nLatent W2^2 between domains on the test split (train split in `toys/summary.csv`):\n\n"
    body = [
        [r["dataset"], r["method"], r["w2_layer0"], r["w2_layer1"], r["w2_layer5"],
         f'{fmt(r["w2_final_mean"])} +/- {fmt(r["w2_final_std"])}', r["fit_seconds_mean"]]
        for r in rows if r["split"] == "test"
    ]
    text += table(["data", "method", "layer 0", "layer 1", "layer 5", "last layer", "fit s"], body)
    checks = []
    iterative = ["rand-nb", "independent", "inb", "inb-gb"]
    for split in ["train", "test"]:
        for ds in sorted({r["dataset"] for r in rows}):
            by = {r["method"]: r for r in rows if r["dataset"] == ds and r["split"] == split}
            best1 = min(iterative, key=lambda m: float(by[m]["w2_layer1"]))
            best5 = min(iterative, key=lambda m: float(by[m]["w2_layer5"]))
            checks.append(
                f"- {ds}, {split}: lowest W2^2 after 1 layer: `{best1}` "
                f"({fmt(by[best1]['w2_layer1'])}; inb {fmt(by['inb']['w2_layer1'])}); "
                f"after 5 layers: `{best5}` ({fmt(by[best5]['w2_layer5'])}; inb {fmt(by['inb']['w2_layer5'])})"
            )
    text += "\nExpected: INB's W2 falls fastest per layer. Measured (among iterative methods):\n\n"
    text += "\n".join(checks) + "\n"
    # Time for INB to reach the independent flows' final W2 (train split).
    conv = read_csv(os.path.join(d, "convergence.csv"))
    curves = defaultdict(lambda: defaultdict(list))
    for r in conv:
        if r["split"] == "train":
            curves[(r["dataset"], r["method"])][int(r["layer"])].append(float(r["w2"]))
    lines = []
    for ds in sorted({r["dataset"] for r in rows}):
        summ = {r["method"]: r for r in rows if r["dataset"] == ds and r["split"] == "train"}
        inb = curves[(ds, "inb")]
        layers = max(inb)
        mean = {l: sum(v) / len(v) for l, v in inb.items()}
        target = float(summ["independent"]["w2_final_mean"])
        reach = next((l for l in sorted(mean) if mean[l] <= target), None)
        t_ind = float(summ["independent"]["fit_seconds_mean"])
        t_inb = float(summ["inb"]["fit_seconds_mean"])
        if reach is None:
            lines.append(f"- {ds}: INB never reaches independent's final train W2^2 {fmt(target)}")
        else:
            lines.append(
                f"- {ds}: independent flows end at train W2^2 {fmt(target)} after {fmt(t_ind)} s; "
                f"INB reaches it after {reach} of {layers} layers, about {fmt(t_inb * reach / layers)} s"
            )
    text += "\nExpected: INB reaches a given latent W2 in less fit time than independent flows:\n\n"
    text += "\n".join(lines) + "\n"
    return text


def images_section(name, d):
    rows = read_csv(os.path.join(d, "summary.csv"))
    text = f"## {name} (E2)\n\nTest split; train and test sizes in the table.\n\n"
    cols = ["k", "method", "n_train", "fit_seconds", "transform_seconds", "latent_w2_sq",
            "translation_w2_sq", "transport_cost", "confusion_accuracy", "translation_accuracy"]
    text += table(["k", "method", "n train", "fit s", "transform s", "latent W2^2", "translation W2^2",
                   "transport", "confusion acc", "translation acc"],
                  [[r[c] for c in cols] for r in rows])
    by = {(r["k"], r["method"]): float(r["translation_w2_sq"]) for r in rows}
    if all(("2", m) in by for m in ["inb", "gb", "nb"]):
        i, g, n = by[("2", "inb")], by[("2", "gb")], by[("2", "nb")]
        holds = "holds" if i < g < n else "does not hold"
        text += (f"\nExpected on classes 0/1: translation W2 orders INB < GB < NB. "
                 f"Measured: inb {fmt(i)}, gb {fmt(g)}, nb {fmt(n)}: the ordering {holds}.\n")
    if ("10", "inb") in by:
        text += "\nk = 10 runs jointly in one flow (row `10, inb`).\n"
    return text


def simple_section(title, d, files):
    text = f"## {title}\n\n"
    for f in files:
        path = os.path.join(d, f)
        if not os.path.exists(path):
            continue
        rows = read_csv(path)
        if not rows:
            continue
        header = list(rows[0].keys())
        text += f"`{os.path.relpath(path, os.path.dirname(d))}`:\n\n" + table(header, [[r[h] for h in header] for r in rows]) + "\n"
    return text


def main():
    args = sys.argv[1:]
    remark = None
    if "--remark" in args:
        i = args.index("--remark")
        remark = args[i + 1]
        del args[i:i + 2]
    results = os.path.abspath(args[0] if args else os.path.join(ROOT, "results"))
    metas = {}
    for exp in ["toys", "mnist", "fmnist", "ablation", "scaling"]:
        path = os.path.join(results, exp, "meta.json")
        if os.path.exists(path):
            with open(path) as f:
                metas[exp] = json.load(f)
    if not metas:
        sys.exit(f"no experiment results under {results}: run `iaf reproduce all` first")
    out = ["# Results\n",
           "Generated by `scripts/results_tables.py` from the CSV files in this folder; do not edit by hand.\n",
           f"- machine: {machine()}",
           f"- commit: {commit()}",
           f"- generated: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
           "- command: `cargo run --release -p harness -- reproduce all` (after `scripts/fetch_datasets.sh`)",
           f"- remark: {remark}\n" if remark else "",
           "Wall time of each experiment:\n",
           table(["experiment", "mode", "seconds", "threads"],
                 [[e, "quick" if m["quick"] else "full", m["seconds"], m["threads"]]
                  for e, m in metas.items()]),
           COLUMNS]
    if "toys" in metas:
        out.append(toys_section(os.path.join(results, "toys")))
    if "mnist" in metas:
        out.append(images_section("MNIST", os.path.join(results, "mnist")))
    if "fmnist" in metas:
        out.append(images_section("Fashion-MNIST", os.path.join(results, "fmnist")))
    if "ablation" in metas:
        out.append(simple_section("Ablations on MNIST 0/1 (E3)", os.path.join(results, "ablation"),
                                  ["k.csv", "max_iters.csv", "grid.csv"]))
    if "scaling" in metas:
        out.append(simple_section("Scaling (E4)", os.path.join(results, "scaling"),
                                  ["n.csv", "d.csv", "threads.csv"]))
    target = os.path.join(results, "README.md")
    tmp = target + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out))
    os.replace(tmp, target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
