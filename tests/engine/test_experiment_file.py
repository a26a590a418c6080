"""Saving experiment files: round trip, pretty and stable text, atomic writes, CSV paths kept valid."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

import engine.spec.experiment_file as experiment_file
from engine.data import load_table
from engine.spec import EarlyStopping, Experiment, Regularizer, SpecError, load_experiment
from engine.spec.experiment_file import csv_path_for, experiment_text, save_experiment

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"


def rich_experiment() -> Experiment:
    exp = load_experiment(PRESETS / "default.json")
    exp.name = "Spirale — λ und Dropout ✓"  # non-ASCII text survives as UTF-8
    exp.network.hidden[0].kernel_regularizer = Regularizer(l1=1e-5, l2=0.003)
    exp.network.hidden[-1].activity_regularizer = Regularizer(l1=0.01)
    exp.training.early_stopping = EarlyStopping()
    return exp


@pytest.mark.parametrize("preset", sorted(PRESETS.glob("*.json")), ids=lambda p: p.stem)
def test_every_preset_round_trips(tmp_path, preset):
    exp = load_experiment(preset)
    if exp.data.kind == "csv":
        pytest.skip("a CSV preset's path is rewritten for the new folder (tested below)")
    save_experiment(exp, tmp_path / "copy.json")
    assert load_experiment(tmp_path / "copy.json").to_dict() == exp.to_dict()


def test_round_trip_pretty_stable_utf8(tmp_path):
    exp = rich_experiment()
    path = tmp_path / "exp.json"
    returned = save_experiment(exp, path)
    again = load_experiment(path)
    assert again.to_dict() == exp.to_dict() == returned.to_dict()
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert "Spirale — λ und Dropout ✓" in text  # not \\u escapes
    assert text == json.dumps(exp.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert text.startswith('{\n  "reglab": 1,\n  "name": ')
    assert list(json.loads(text)) == list(exp.to_dict())  # to_dict's key order
    save_experiment(again, tmp_path / "second.json")
    assert (tmp_path / "second.json").read_bytes() == raw  # stable: same spec, same bytes
    assert experiment_text(exp) == text
    assert b"\r\n" not in raw


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.mark.parametrize("broken", ["replace", "chmod", "fsync"])
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch, broken):
    path = tmp_path / "exp.json"
    save_experiment(rich_experiment(), path)
    before = path.read_bytes()
    changed = rich_experiment()
    changed.name = "changed"

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if broken == "replace":
        monkeypatch.setattr(experiment_file.os, "replace", fail)
    elif broken == "fsync":
        monkeypatch.setattr(experiment_file.os, "fsync", fail)
    else:  # after the temporary file was written, before it replaces the old one
        monkeypatch.setattr(experiment_file.os, "chmod", fail)
    with pytest.raises(SpecError) as info:
        save_experiment(changed, path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert "no space left on device" in message
    assert path.read_bytes() == before
    assert _leftovers(tmp_path, {"exp.json"}) == []


def test_a_half_written_temp_file_is_removed(tmp_path, monkeypatch):
    path = tmp_path / "exp.json"
    path.write_text("old contents", encoding="utf-8")
    real_fdopen = os.fdopen

    class Breaks:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            self.f.write(text[: len(text) // 2])
            self.f.flush()
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(experiment_file.os, "fdopen", lambda *a, **k: Breaks(real_fdopen(*a, **k)))
    with pytest.raises(SpecError, match="input/output error"):
        save_experiment(rich_experiment(), path)
    assert path.read_text(encoding="utf-8") == "old contents"
    assert _leftovers(tmp_path, {"exp.json"}) == []


def test_missing_folder_and_folder_target_are_one_line_errors(tmp_path):
    with pytest.raises(SpecError, match="does not exist") as info:
        save_experiment(rich_experiment(), tmp_path / "nowhere" / "exp.json")
    assert "\n" not in str(info.value)
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(SpecError, match="is a folder"):
        save_experiment(rich_experiment(), tmp_path / "dir.json")


@pytest.mark.skipif(sys.platform.startswith("win") or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_permission_denied(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "exp.json").write_text("old", encoding="utf-8")
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(SpecError, match="permission denied"):
            save_experiment(rich_experiment(), folder / "exp.json")
        assert (folder / "exp.json").read_text(encoding="utf-8") == "old"
    finally:
        folder.chmod(stat.S_IRWXU)


def test_permissions_of_an_existing_file_are_kept(tmp_path):
    path = tmp_path / "exp.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o640)
    save_experiment(rich_experiment(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def _csv_experiment(tmp_path: Path) -> Experiment:
    data = tmp_path / "project" / "data"
    data.mkdir(parents=True)
    rows = ["x1,x2,label"] + [f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(40)]
    (data / "points.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    original = tmp_path / "project" / "exp.json"
    d = rich_experiment().to_dict()
    d["data"] = {"kind": "csv", "path": "data/points.csv", "target": "label", "validation": 0.3, "seed": 0}
    original.write_text(json.dumps(d), encoding="utf-8")
    return load_experiment(original)


def test_a_relative_csv_path_stays_valid_when_saved_elsewhere(tmp_path):
    exp = _csv_experiment(tmp_path)
    elsewhere = tmp_path / "other" / "deeper"
    elsewhere.mkdir(parents=True)
    returned = save_experiment(exp, elsewhere / "copy.json")
    written = json.loads((elsewhere / "copy.json").read_text(encoding="utf-8"))["data"]["path"]
    assert written == "../../project/data/points.csv"
    again = load_experiment(elsewhere / "copy.json")
    assert again.resolved_data_path().resolve() == exp.resolved_data_path().resolve()
    assert returned.resolved_data_path().resolve() == exp.resolved_data_path().resolve()
    assert load_table(again.data, again.base_dir).x.shape == (40, 2)  # the data loads from the new place
    # saved in its own folder, the path is unchanged
    save_experiment(exp, tmp_path / "project" / "exp.json")
    assert load_experiment(tmp_path / "project" / "exp.json").data.path == "data/points.csv"


def test_an_absolute_csv_path_stays_absolute(tmp_path):
    exp = _csv_experiment(tmp_path)
    exp.data.path = str(exp.resolved_data_path().resolve())
    assert csv_path_for(exp, tmp_path) == exp.data.path


def test_no_relative_path_across_drives_gives_an_absolute_one(tmp_path, monkeypatch):
    exp = _csv_experiment(tmp_path)

    def other_drive(*args):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(experiment_file.os.path, "relpath", other_drive)
    written = csv_path_for(exp, tmp_path / "other")
    assert Path(written).is_absolute() and Path(written) == exp.resolved_data_path().resolve()


def test_the_saved_file_is_never_pickle(tmp_path):
    path = tmp_path / "exp.json"
    save_experiment(rich_experiment(), path)
    assert path.read_bytes()[:1] == b"{"


def test_permission_denied_simulated(tmp_path, monkeypatch):
    """As root the real test above is skipped: the same path, with the folder refusing the temporary file."""
    path = tmp_path / "exp.json"
    path.write_text("old", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(experiment_file.tempfile, "mkstemp", refuse)
    with pytest.raises(SpecError, match=r"exp\.json: cannot save \(permission denied\)"):
        save_experiment(rich_experiment(), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert _leftovers(tmp_path, {"exp.json"}) == []
