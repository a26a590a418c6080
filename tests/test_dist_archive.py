"""The release archive's rules, checked without building the app: its name, its layout, what tools/slim_bundle.py
leaves out or strips, and the stand-in that replaces a left-out module. The built app itself is proved by
tools/check_bundle.sh (`make package-check`, CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import bundle_stand_ins  # noqa: E402
import dist_archive  # noqa: E402
import slim_bundle  # noqa: E402

needs_strip = pytest.mark.skipif(shutil.which("strip") is None or not sys.platform.startswith("linux"),
                                 reason="needs GNU strip and ELF libraries (Linux)")


def test_the_archive_is_named_after_the_version_system_and_machine():
    assert dist_archive.archive_name("0.1.0", "Linux", "x86_64") == "RegLab-0.1.0-linux-x86_64.tar.gz"
    assert dist_archive.parse_version("RegLab 0.1.0\n") == "0.1.0"
    with pytest.raises(ValueError, match="expected 'RegLab <version>'"):
        dist_archive.parse_version("Traceback ...\n")


def test_the_archive_unpacks_to_one_reglab_folder_with_its_links(tmp_path):
    folder = tmp_path / "RegLab"
    (folder / "_internal").mkdir(parents=True)
    (folder / "RegLab").write_text("app")
    (folder / "_internal" / "libx.so.1").write_text("lib")
    os.symlink("libx.so.1", folder / "_internal" / "libx.so")
    archive = tmp_path / "RegLab-1.0-linux-x86_64.tar.gz"
    dist_archive.write_archive(folder, archive)
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert {name.split("/")[0] for name in members} == {"RegLab"}
    assert members["RegLab/_internal/libx.so"].issym()
    assert members["RegLab/_internal/libx.so"].linkname == "libx.so.1"
    assert not list(tmp_path.glob("*.partial"))


def test_older_archives_for_the_same_system_are_the_stale_ones(tmp_path):
    for name in ("RegLab-0.1.0-linux-x86_64.tar.gz", "RegLab-0.2.0-linux-x86_64.tar.gz",
                 "RegLab-0.1.0-linux-aarch64.tar.gz"):
        (tmp_path / name).write_text("")
    stale = dist_archive.stale_archives(tmp_path, "RegLab-0.2.0-linux-x86_64.tar.gz", "Linux", "x86_64")
    assert [p.name for p in stale] == ["RegLab-0.1.0-linux-x86_64.tar.gz"]


def test_a_folder_that_is_not_a_built_app_is_a_one_line_error(tmp_path, capsys):
    assert dist_archive.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dist_archive.py: folder: ") and err.count("\n") == 1


def test_exactly_the_listed_files_are_left_out():
    for name in slim_bundle.LEFT_OUT:
        assert not slim_bundle.keep(name)
    for name in ("tensorflow/libtensorflow_cc.so.2", "tensorflow/python/profiler/internal/_pywrap_profiler.so",
                 "tensorflow/lite/python/libpywrap_tflite_common.so", "resources/presets/default.json"):
        assert slim_bundle.keep(name)


def test_every_left_out_module_that_tensorflow_imports_has_a_stand_in():
    assert {slim_bundle.stand_in_module(name) for name in slim_bundle.STOOD_IN} == set(bundle_stand_ins.STAND_INS)


def test_tensorflow_imports_and_trains_with_the_stand_in_in_place_of_the_profiler_client():
    """The stand-in is put first here, so the real module in .venv is not used: what the app does without it."""
    code = """
import sys
import bundle_stand_ins
sys.meta_path.insert(0, bundle_stand_ins.StandInFinder())
import tensorflow as tf
module = sys.modules["tensorflow.python.profiler.internal._pywrap_profiler_plugin"]
assert isinstance(module, bundle_stand_ins.LeftOutModule), module
print(float(tf.reduce_sum(tf.ones(3))))
try:
    tf.profiler.experimental.client.trace("grpc://localhost:1", "/tmp/none", 10)
except AttributeError as error:
    print(error)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tools"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "3.0"
    assert lines[1].endswith("is not part of RegLab's desktop app (tools/slim_bundle.py)")


def vendored_library(pattern: str) -> Path:
    libs = Path(numpy.__file__).resolve().parent.parent / "numpy.libs"
    found = sorted(libs.glob(pattern))
    if not found:
        pytest.skip(f"no {pattern} in {libs}")
    return found[0]


@needs_strip
def test_a_library_that_stripping_would_break_is_kept_whole(tmp_path):
    """numpy's vendored gfortran was rewritten by patchelf; stripped, the loader refuses it."""
    library = shutil.copy(vendored_library("libgfortran*.so*"), tmp_path)
    before = Path(library).read_bytes()
    assert slim_bundle.is_shared_library(Path(library)) and slim_bundle.load_segments_aligned(Path(library))
    subprocess.run(["strip", "--strip-unneeded", "-o", str(tmp_path / "stripped.so"), library], check=True)
    assert not slim_bundle.load_segments_aligned(tmp_path / "stripped.so")
    assert slim_bundle.strip_one(Path(library)) == (0, "stripping would misalign its load segments")
    assert Path(library).read_bytes() == before


@needs_strip
def test_an_ordinary_library_is_stripped_and_still_loads(tmp_path):
    source = Path(sys.executable).resolve().parent.parent / "lib"
    candidates = sorted(source.glob("libpython3*.so*"))
    library = next((p for p in candidates if not p.is_symlink()), None)
    if library is None:
        pytest.skip(f"no libpython shared library in {source}")
    copy = Path(shutil.copy(library, tmp_path / "libcopy.so"))
    saved, reason = slim_bundle.strip_one(copy)
    assert reason == "" and saved > 0
    assert copy.stat().st_size == library.stat().st_size - saved
    assert slim_bundle.load_segments_aligned(copy)
    subprocess.run([sys.executable, "-c", f"import ctypes; ctypes.CDLL({str(copy)!r})"], check=True)


def test_only_shared_libraries_are_stripped(tmp_path):
    (tmp_path / "notes.txt").write_text("not a library")
    os.symlink(numpy.__file__, tmp_path / "link.so")
    assert not slim_bundle.is_shared_library(tmp_path / "notes.txt")
    assert not slim_bundle.is_shared_library(tmp_path / "link.so")
    assert slim_bundle.is_shared_library(Path(numpy._core._multiarray_umath.__file__))
