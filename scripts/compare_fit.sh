#!/usr/bin/env bash
# Times `iaf bench fit` and layers whose direction search is computed the
# authors' way in PyTorch (scripts/peer_fit_torch.py) on the same data, and
# prints seconds per layer and the speed-up (PyTorch seconds / iaf seconds).
#   scripts/compare_fit.sh [--quick] [--rounds N] [--threads N]
# --quick fits one layer instead of five. The two sides run alternately N
# times (default 3) and each keeps its fastest run, so a machine whose speed
# drifts (a shared VM) does not favour whichever side ran in its fast phase.
# Needs torch and numpy: when python3 lacks them they are installed with pip
# into target/peer-venv (about 5 GB, as PyPI's torch brings CUDA libraries).
set -euo pipefail
cd "$(dirname "$0")/.."
layers=5
quick=()
rounds=3
threads=()
peer_threads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick); layers=1 ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift ;;
    --threads)
      threads=(--threads "${2:?--threads needs a number}")
      peer_threads=(--threads "$2")
      shift ;;
    *) echo "compare_fit.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
python=python3
if ! python3 -c 'import torch, numpy' 2>/dev/null; then
  python=target/peer-venv/bin/python
  if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
    echo "compare_fit.sh: installing torch and numpy into target/peer-venv" >&2
    python3 -m venv target/peer-venv
    "$python" -m pip install --quiet torch numpy
  fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --release -q -p harness
for round in $(seq "$rounds"); do
  # The first iaf run also writes the data the peer fits.
  save=()
  [ "$round" = 1 ] && save=(--save-data "$tmp/data.npy")
  ./target/release/iaf bench fit "${quick[@]}" "${threads[@]}" "${save[@]}" --format csv >"$tmp/iaf.$round.csv"
  "$python" scripts/peer_fit_torch.py "$tmp/data.npy" --layers "$layers" "${peer_threads[@]}" >"$tmp/torch.$round.csv"
done
python3 - "$tmp" <<'PY'
import csv, glob, sys
def best(pattern):
    rows = [r for p in sorted(glob.glob(pattern)) for r in csv.DictReader(open(p))]
    return min(rows, key=lambda r: float(r["seconds_per_layer"])), len(rows)
(ours, n), (peer, _) = best(sys.argv[1] + "/iaf.*.csv"), best(sys.argv[1] + "/torch.*.csv")
print(f"{'side':<8} {'precision':<14} {'s/layer':>8} {'ms/iter':>8} {'iter/layer':>10} {'first F':>9}")
for name, r in (("iaf", ours), ("pytorch", peer)):
    print(f"{name:<8} {r['precision']:<14} {float(r['seconds_per_layer']):8.3f} "
          f"{1e3 * float(r['seconds_per_iteration']):8.2f} {float(r['iterations_per_layer']):10.1f} "
          f"{float(r['first_objective']):9.4f}")
ratio = float(peer["seconds_per_layer"]) / float(ours["seconds_per_layer"])
print(f"speed-up (pytorch s/layer / iaf s/layer, best of {n} runs each): {ratio:.1f}x")
print(f"iaf's X P alone in its best run: {ours['product_gelem_per_s_before']} / "
      f"{ours['product_gelem_per_s_after']} Gelem/s before / after, against a ceiling of "
      f"{ours['register_peak_gmac_per_s']} Gmac/s (its register tile alone)")
PY
