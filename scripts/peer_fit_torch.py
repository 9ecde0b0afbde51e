#!/usr/bin/env python3
"""Peer timing for `iaf bench fit`: INB layers computed the way the authors'
PyTorch implementation computes them, on the same data.

The direction search is SPEC 2.1 as the authors' code runs it:
- the loss is the sum over domains of the mean squared distance between the
  sorted projections X_c W and their barycenter (the mean of the domains'
  sorted projections); its gradient comes from autograd, so every iteration
  multiplies the data once more (the backward pass of X W);
- every trial of the Armijo backtracking (c = 0.5) forms the Cayley point in
  float64 with a pseudo-inverse of the 2K x 2K matrix and projects all the
  data again (a full n x d x K product per trial);
- the step starts at 0.1; each iteration's first trial is 1.5 times the last
  accepted step (the authors divide by 0.5, then halve before the first
  trial); the search stops after J iterations or when no entry of W moves by
  1e-6.
Each layer then moves every domain's projections onto the barycenter of the
sorted projections (the exact 1-D barycenter map for equal domain sizes) and
updates X += (Z - X W) W^T. The data are standardised per feature first, as
`iaf bench fit` does.

Prints CSV with the first columns of `iaf bench fit --format csv`:
    benchmark,precision,layers,seconds_per_layer,seconds_per_iteration,iterations_per_layer,first_objective
first_objective is the first layer's objective in iaf's normalisation (the
authors' loss divided by the number of domains).

Usage: peer_fit_torch.py DATA.npy [--layers L] [--threads N] [--seed S]
DATA.npy comes from `iaf bench fit --save-data DATA.npy`: its first half of
rows is domain 0, the second half domain 1.
Needs: torch, numpy (scripts/compare_fit.sh installs them).
"""
import argparse
import sys
import time

import numpy as np
import torch

K = 30
J = 200
STEP = 0.1
GROWTH = 1.5
ARMIJO = 0.5
STEP_TOL = 1e-6


def loss_of(w, domains):
    """The authors' loss -sum_c mean((sort(X_c W) - barycenter)^2)."""
    sorted_proj = [torch.sort(x @ w, dim=0)[0] for x in domains]
    bary = sum(sorted_proj) / len(sorted_proj)
    return -sum(torch.mean((s - bary) ** 2) for s in sorted_proj)


def cayley_point(w, g, t):
    """W - t U (I + t/2 V^T U)^+ V^T W with U = [G, W], V = [W, -G], in float64."""
    w64, g64 = w.double(), g.double()
    u = torch.cat((g64, w64), dim=1)
    v = torch.cat((w64, -g64), dim=1)
    eye = torch.eye(u.shape[1], dtype=torch.float64)
    inner = torch.linalg.pinv(eye + t / 2 * v.T @ u)
    return (w64 - t * u @ (inner @ (v.T @ w64))).to(w.dtype)


def search(domains, d, generator):
    """Max-K-SW directions (d x K) and the iterations taken."""
    q, r = torch.linalg.qr(torch.randn(d, K, generator=generator))
    w = (q * torch.sign(torch.diagonal(r))).requires_grad_(True)
    loss = loss_of(w, domains)
    t = STEP / GROWTH
    iterations = 0
    for _ in range(J):
        iterations += 1
        (g,) = torch.autograd.grad(loss, w)
        w = w.detach()
        a = g @ w.T - w @ g.T
        slope = -torch.sum(g * (a @ w))
        t *= GROWTH
        while True:
            trial = cayley_point(w, g, t).requires_grad_(True)
            trial_loss = loss_of(trial, domains)
            if trial_loss <= loss + ARMIJO * t * slope or t < 1e-12:
                break
            t *= 0.5
        step = torch.max(torch.abs(trial.detach() - w))
        w, loss = trial, trial_loss
        if step < STEP_TOL:
            break
    return w.detach(), -loss.item() / len(domains), iterations


def barycenter_map(x, w, sizes):
    """X + (Z - X W) W^T, Z the projections moved onto their barycenter."""
    proj = x @ w
    parts = torch.split(proj, sizes)
    order = [torch.sort(p, dim=0) for p in parts]
    bary = sum(s for s, _ in order) / len(order)
    moved = []
    for p, (_, idx) in zip(parts, order):
        z = torch.empty_like(p)
        z.scatter_(0, idx, bary)
        moved.append(z)
    return x + (torch.cat(moved) - proj) @ w.T


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data")
    parser.add_argument("--layers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    raw = np.load(args.data)
    if raw.ndim != 2 or raw.shape[0] % 2:
        sys.exit(f"{args.data}: expected an even number of rows of features, got shape {raw.shape}")
    sd = raw.std(axis=0)
    x = torch.from_numpy((raw - raw.mean(axis=0)) / np.where(sd > 0, sd, 1.0)).float()
    half = x.shape[0] // 2
    sizes = [half, half]
    generator = torch.Generator().manual_seed(args.seed)
    total_iterations, search_seconds, first = 0, 0.0, None
    start = time.perf_counter()
    for _ in range(args.layers):
        s = time.perf_counter()
        w, objective, iterations = search(list(torch.split(x, sizes)), x.shape[1], generator)
        search_seconds += time.perf_counter() - s
        total_iterations += iterations
        first = objective if first is None else first
        x = barycenter_map(x, w, sizes)
    total = time.perf_counter() - start
    print("benchmark,precision,layers,seconds_per_layer,seconds_per_iteration,iterations_per_layer,first_objective")
    print(
        f"fit_n{x.shape[0]}_d{x.shape[1]}_k{K}_j{J},torch-{str(x.dtype).removeprefix('torch.')},{args.layers},"
        f"{total / args.layers:.4f},{search_seconds / max(total_iterations, 1):.6f},"
        f"{total_iterations / args.layers:.1f},{first:.6f}"
    )


if __name__ == "__main__":
    main()
