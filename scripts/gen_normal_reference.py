#!/usr/bin/env python3
"""Writes kernels/tests/data/normal_reference.csv: the standard normal CDF and
quantile at fixed points, computed with mpmath at 60 significant digits, for
the accuracy tests of kernels::normal.  Needs: pip install mpmath."""
import os

from mpmath import mp, mpf, ncdf

mp.dps = 60


def lower_quantile(p):
    """Solves ncdf(x) = p for p <= 0.5 by bisection (erfinv loses precision
    when 2p - 1 rounds towards -1)."""
    if p == 0.5:
        return mpf(0)
    lo, hi = mpf(-40), mpf(0)
    for _ in range(260):
        mid = (lo + hi) / 2
        if ncdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "kernels", "tests", "data", "normal_reference.csv")
    rows = ["kind,input,value"]
    zs = [-37.5 + i * 0.0625 for i in range(int((8.5 + 37.5) / 0.0625) + 1)]
    zs += [-1e-3, -1e-8, 1e-8, 1e-3, -5.123456789, 3.3333333333]
    for z in zs:
        rows.append(f"cdf,{z!r},{float(ncdf(mpf(z)))!r}")
    ps = [10.0 ** (-e) for e in range(1, 308)] + [5e-324, 2.2250738585072014e-308]
    ps += [i / 64 for i in range(1, 64)] + [0.975, 0.999, 1 - 1e-10, 1 - 2.0 ** -52]
    for p in ps:
        rows.append(f"quantile,{p!r},{float(lower_quantile(p) if p <= 0.5 else -lower_quantile(1 - p))!r}")
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
