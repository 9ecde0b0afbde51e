#!/usr/bin/env bash
# Times the kernel set with iaf and with NumPy in one run and prints the
# ratio table (iaf time / NumPy time; below 1 means iaf is faster).
#   scripts/compare_kernels.sh [--quick] [--rounds N]
# The two sides run alternately N times (default 3) and each row keeps its
# fastest time per side, so a machine whose speed drifts over seconds (a
# shared VM) does not favour whichever side ran in its fast phase.
# Needs python3 with numpy (installed with pip if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift ;;
    *) echo "compare_kernels.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
peer=../shared/peers/numpy_kernels.py
[ -f "$peer" ] || { echo "compare_kernels.sh: $peer not found (shared/ must sit beside the repository)" >&2; exit 1; }
python3 -c 'import numpy' 2>/dev/null || python3 -m pip install --quiet numpy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --release -q -p harness
for round in $(seq "$rounds"); do
  ./target/release/iaf bench kernels "${quick[@]}" --format csv >"$tmp/iaf.$round.csv"
  python3 "$peer" "${quick[@]}" >"$tmp/numpy.$round.csv"
done
python3 - "$tmp" <<'PY'
import csv, glob, sys
def load(pattern):
    best = {}
    for p in sorted(glob.glob(pattern)):
        with open(p) as f:
            for r in csv.DictReader(f):
                key, t = (r["kernel"], r["dtype"], r["n"]), float(r["ns_per_elem"])
                best[key] = min(t, best.get(key, t))
    return best
ours, peer = load(sys.argv[1] + "/iaf.*.csv"), load(sys.argv[1] + "/numpy.*.csv")
print(f"{'kernel':<28} {'dtype':<8} {'n':>8} {'iaf ns':>9} {'numpy ns':>9} {'ratio':>7}")
for key, t in ours.items():
    p = peer.get(key)
    ratio = f"{t / p:7.3f}" if p else "    n/a"
    ps = f"{p:9.3f}" if p else "      n/a"
    print(f"{key[0]:<28} {key[1]:<8} {key[2]:>8} {t:9.3f} {ps} {ratio}")
missing = set(peer) - set(ours)
if missing:
    sys.exit(f"rows NumPy has but iaf lacks: {sorted(missing)}")
PY
