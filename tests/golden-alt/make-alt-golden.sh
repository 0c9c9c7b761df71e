#!/bin/bash
# Builds an alternative golden case set from ../shared: a copy of shared/golden whose t2i/ is the generators' set C
# (other widths, depths, heads, prompt and candidate counts, token budgets, seeds) and whose SigLIP-2 pair is
# permuted/subset (permute_cases.py). Run the golden suite with RAE_GOLDEN_DIR=<out> to check that no test depends
# on anything but each case's own files. See README.md beside this script.
#
# usage: tests/golden-alt/make-alt-golden.sh [out dir, default ../golden-alt beside the repository]
# needs: /usr/bin/python3 with Debian's python3-torch (1.13) and python3-numpy, and the official Scale-RAE source
#        (ZitengWangNYU/Scale-RAE @ dab38002b4b42c2d2262776785276d410599a443): SCALE_RAE_SRC=<folder holding
#        scale_rae/ and inference/>, or SCALE_RAE_GIT=<a git dir of the repository> to extract them from.
# env:   SHARED (default ../shared beside the repository), LV_START_SEED (resume the latent_verifier seed search
#        at a seed known to be reached; the result is the same), WORK (scratch folder, default a new temp dir).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=$(cd "${SHARED:-$REPO/../shared}" && pwd)
OUT=${1:-$REPO/../golden-alt}
WORK=${WORK:-$(mktemp -d -t golden-alt.XXXXXX)}
COMMIT=dab38002b4b42c2d2262776785276d410599a443
PY="nice -n 10 /usr/bin/python3"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

# The generators are in a read-only folder and write reports beside themselves: run a copy.
mkdir -p "$WORK"
rm -rf "$WORK/golden-gen"
cp -r "$SHARED/golden-gen" "$WORK/golden-gen"
chmod -R u+w "$WORK/golden-gen"
if [ -z "${SCALE_RAE_SRC:-}" ]; then
  : "${SCALE_RAE_GIT:?set SCALE_RAE_SRC (scale_rae/ + inference/ at $COMMIT) or SCALE_RAE_GIT (a git dir of ZitengWangNYU/Scale-RAE)}"
  SCALE_RAE_SRC="$WORK/scale-rae-src"
  mkdir -p "$SCALE_RAE_SRC"
  git --git-dir="$SCALE_RAE_GIT" archive "$COMMIT" scale_rae inference | tar -x -C "$SCALE_RAE_SRC"
fi
export SCALE_RAE_SRC GOLDEN_REPORT_DIR="$WORK/reports"

# 1. shared/golden without t2i/
rm -rf "$OUT" && mkdir -p "$(dirname "$OUT")"
cp -r "$SHARED/golden" "$OUT"
chmod -R u+w "$OUT"
rm -rf "$OUT/t2i"

# 2. set C of the three t2i cases, then the independent numpy check of set A (shared) and set C
cd "$WORK/golden-gen"
$PY gen_qwen2_lm.py --set C --out "$OUT/t2i/qwen2_lm"
$PY gen_scale_rae_t2i.py --set C --out "$OUT/t2i/scale_rae_t2i"
$PY gen_latent_verifier.py --set C --out "$OUT/t2i/latent_verifier" --t2i "$OUT/t2i/scale_rae_t2i" \
  ${LV_START_SEED:+--start-seed "$LV_START_SEED"}
$PY indep_check.py "$SHARED/golden/t2i" "$OUT/t2i"

# 3. the SigLIP-2 pair in another shape (numpy only)
$PY "$HERE/permute_cases.py" "$OUT"
echo "alternative golden set in $OUT (reports in $GOLDEN_REPORT_DIR)"
