#!/usr/bin/env bash
# Times the kernel set with iaf and with NumPy in one run and prints the
# ratio table (iaf time / NumPy time; below 1 means iaf is faster).
#   scripts/compare_kernels.sh [--quick]
# Needs python3 with numpy (installed with pip if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)
peer=../shared/peers/numpy_kernels.py
[ -f "$peer" ] || { echo "compare_kernels.sh: $peer not found (shared/ must sit beside the repository)" >&2; exit 1; }
python3 -c 'import numpy' 2>/dev/null || python3 -m pip install --quiet numpy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --release -q -p harness
./target/release/iaf bench kernels "${quick[@]}" --format csv >"$tmp/iaf.csv"
python3 "$peer" "${quick[@]}" >"$tmp/numpy.csv"
python3 - "$tmp/iaf.csv" "$tmp/numpy.csv" <<'PY'
import csv, sys
def load(p):
    with open(p) as f:
        return {(r["kernel"], r["dtype"], r["n"]): float(r["ns_per_elem"]) for r in csv.DictReader(f)}
ours, peer = load(sys.argv[1]), load(sys.argv[2])
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
