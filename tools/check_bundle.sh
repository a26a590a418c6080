#!/usr/bin/env bash
# Prove a release archive works: unpack it into a new folder whose path has a space, then, with the unpacked
# binary only, run the self-test, `run --tensorboard`, `cv`, `sweep --jobs 2`, `export --keras` and
# `--install-desktop-entry` on a copy of the default preset with few epochs, and check the files they write.
# These are the proofs for tools/slim_bundle.py's removals. Prints the archive's and the folder's sizes.
#   tools/check_bundle.sh dist/RegLab-<version>-linux-x86_64.tar.gz
# PYTHON (default python3) reads the files back; when it has Keras, it also loads the saved model.keras.
# The self-test's screenshot and JSON line are kept in build/ (SCREENSHOT=... to choose).
set -euo pipefail
archive=${1:?usage: tools/check_bundle.sh ARCHIVE.tar.gz}
[[ -f $archive ]] || { echo "check_bundle.sh: archive: no file $archive" >&2; exit 2; }
PYTHON=${PYTHON:-python3}
ARCHIVE_LIMIT=400000000    # bytes: the issue's 400 MB
UNPACKED_LIMIT=1073741824  # bytes: 1 GiB, what `du -sh` shows as 1.0G
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
preset="$root/resources/presets/default.json"
screenshot=${SCREENSHOT:-$root/build/self-test.png}
mkdir -p "$(dirname "$screenshot")"

work=$(mktemp -d "${TMPDIR:-/tmp}/reglab bundle check.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS
tar -xzf "$archive" -C "$work"
echo "unpacked in $((SECONDS - start)) s"
[[ $(ls "$work") == RegLab ]] || { echo "FAIL: the archive must unpack to RegLab/ only, not: $(ls "$work")"; exit 1; }
app="$work/RegLab/RegLab"
archive_bytes=$(stat -c %s "$archive")
unpacked_bytes=$(du -sb "$work/RegLab" | cut -f1)
echo "sizes: archive $((archive_bytes / 1000000)) MB, unpacked $((unpacked_bytes / 1000000)) MB" \
     "($(du -sh "$work/RegLab" | cut -f1) by du -sh)"
(( archive_bytes <= ARCHIVE_LIMIT )) || { echo "FAIL: archive over $ARCHIVE_LIMIT bytes"; exit 1; }
(( unpacked_bytes <= UNPACKED_LIMIT )) || { echo "FAIL: unpacked folder over $UNPACKED_LIMIT bytes"; exit 1; }

version=$("$app" --version)
[[ $(basename "$archive") == "RegLab-${version#RegLab }-"* ]] || { echo "FAIL: $version, archive $archive"; exit 1; }

export QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2
out="$work/out"
mkdir "$out"
"$PYTHON" - "$preset" "$out/small.json" <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1], encoding="utf-8"))
spec["training"]["epochs"] = 3
json.dump(spec, open(sys.argv[2], "w", encoding="utf-8"))
EOF
# One command of the unpacked app: its output kept in a log, shown only when it fails.
step() {
    local name=$1 t=$SECONDS log="$out/step.log"; shift
    "$@" >"$log" 2>&1 || { cat "$log"; echo "FAIL: $name (exit $?)"; exit 1; }
    echo "ok: $name ($((SECONDS - t)) s)"
}
step "run --tensorboard" "$app" run "$out/small.json" --epochs 2 --out "$out/run" --tensorboard "$out/tb" --quiet
step "cv --folds 2" "$app" cv "$out/small.json" --folds 2 --out "$out/cv"
# Two worker processes: a study's workers start as the bundled binary itself (spawn + freeze_support in main.py).
step "sweep --jobs 2" "$app" sweep "$out/small.json" --param 'network.hidden[*].dropout' --values 0,0.5 --jobs 2 \
    --out "$out/sweep"
step "export --keras" "$app" export "$out/small.json" --keras -o "$out/exported.py"
step "--install-desktop-entry" env XDG_DATA_HOME="$out/xdg" "$app" --install-desktop-entry

"$PYTHON" - "$out" "$app" <<'EOF'
import csv, importlib.util, py_compile, sys, zipfile
from pathlib import Path
out, app = Path(sys.argv[1]), sys.argv[2]

def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))

def check(ok, what):
    if not ok:
        sys.exit(f"FAIL: {what}")

check(len(rows(out / "run/metrics.csv")) == 2, "run: metrics.csv has one row per epoch (2)")
check((out / "run/experiment.json").stat().st_size > 0, "run: experiment.json written")
with zipfile.ZipFile(out / "run/model.keras") as z:
    check({"config.json", "model.weights.h5"} <= set(z.namelist()), "run: model.keras holds config and weights")
events = list((out / "tb").rglob("events.out.tfevents.*"))
check(events and all(e.stat().st_size > 100 for e in events), "run --tensorboard: event files with content")
check(len(rows(out / "cv/folds.csv")) == 2, "cv: folds.csv has one row per fold (2)")
check(len(rows(out / "sweep/sweep.csv")) == 2, "sweep: sweep.csv has one row per value (2)")
check((out / "sweep/validation_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "sweep: the PNG")
py_compile.compile(str(out / "exported.py"), doraise=True)
entry = (out / "xdg/applications/reglab.desktop").read_text(encoding="utf-8")
check(f'Exec="{app}" %f' in entry, "the desktop entry starts the unpacked binary")
if importlib.util.find_spec("keras"):
    import keras
    model = keras.saving.load_model(out / "run/model.keras")
    check(model.count_params() > 0, "model.keras loads in plain Keras")
    print("ok: model.keras loads in plain Keras", keras.__version__)
print("ok: the files read back")
EOF

t=$SECONDS
"$app" --self-test --screenshot "$screenshot"  # its JSON line: window_shown_s, first_epoch_s, epochs_per_s
echo "ok: --self-test ($((SECONDS - t)) s)"
