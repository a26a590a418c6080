"""Make the PyInstaller folder smaller: leave out the files RegLab never uses, and strip the shared libraries.

RegLab.spec calls :func:`keep` to filter what it collects and :func:`strip_libraries` on the finished folder;
``python tools/slim_bundle.py dist/RegLab`` strips an existing build again and prints what it saved.

How each rule is proved safe: the bundled app's self-test and its ``run --tensorboard``, ``cv``, ``sweep`` and
``export --keras`` commands run from the unpacked archive at another path (tools/check_bundle.sh, run by
``make package-check`` and CI). Run under ``LD_DEBUG=files`` on Linux, those commands never load the files of
NEVER_LOADED; the stood-in module is loaded by ``import tensorflow`` and called by nothing RegLab does.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

# Path inside the bundle's _internal/ folder → why RegLab does without it.
NEVER_LOADED = {
    "tensorflow/compiler/tf2xla/ops/_xla_ops.so":
        "XLA's extra op kernels: TensorFlow loads op libraries only from core/kernels and tensorflow-plugins, "
        "and no module loads this one (15 MB stripped)",
    "tensorflow/compiler/mlir/stablehlo/stablehlo_extension.so":
        "StableHLO's Python bindings: only tensorflow.compiler.mlir.stablehlo imports them, and nothing imports "
        "that module (15 MB stripped)",
}
# Imported by `import tensorflow`, so tools/bundle_stand_ins.py (a runtime hook) puts an empty module in its place.
STOOD_IN = {
    "tensorflow/python/profiler/internal/_pywrap_profiler_plugin.so":
        "the remote profiler client, called only by tf.profiler.experimental.client.trace and .monitor "
        "(21 MB stripped)",
}
LEFT_OUT = {**NEVER_LOADED, **STOOD_IN}

ELF_MAGIC = b"\x7fELF"
ET_DYN = 3  # a shared object (the app's own executable is left alone: its Python archive is appended to it)
PT_LOAD = 1


def keep(dest_name: str) -> bool:
    """Whether the file PyInstaller would put at ``dest_name`` (relative to _internal/) belongs in the app."""
    return PurePosixPath(Path(dest_name).as_posix()).as_posix() not in LEFT_OUT


def stand_in_module(dest_name: str) -> str:
    """The module name of an extension module's file: a/b/_c.so → a.b._c."""
    return PurePosixPath(dest_name).with_suffix("").as_posix().replace("/", ".")


def is_shared_library(path: Path) -> bool:
    """An ELF shared object (64-bit little-endian, as on x86-64 Linux); a symlink is its target's business."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as f:
        head = f.read(18)
    return (len(head) == 18 and head[:4] == ELF_MAGIC and head[4] == 2
            and struct.unpack_from("<H", head, 16)[0] == ET_DYN)


def load_segments_aligned(path: Path) -> bool:
    """Whether every loadable segment's file offset and address agree modulo its alignment, as the dynamic loader
    requires. `strip` breaks this for libraries that patchelf has rewritten (the OpenBLAS and gfortran copies that
    numpy and scipy wheels vendor in numpy.libs/ and scipy.libs/): the loader then refuses them with "ELF load
    command address/offset not page-aligned"."""
    with path.open("rb") as f:
        head = f.read(64)
        table_offset = struct.unpack_from("<Q", head, 32)[0]
        entry_size, entries = struct.unpack_from("<HH", head, 54)
        f.seek(table_offset)
        table = f.read(entry_size * entries)
    for i in range(entries):
        kind, _flags, offset, address, _phys, _filesz, _memsz, align = struct.unpack_from("<IIQQQQQQ", table,
                                                                                           i * entry_size)
        if kind == PT_LOAD and align > 1 and (offset - address) % align:
            return False
    return True


def strip_one(path: Path) -> tuple[int, str]:
    """Strip ``path`` in place when that keeps it loadable: (bytes saved, why not stripped or '')."""
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        stripped = Path(tmp) / path.name
        result = subprocess.run(["strip", "--strip-unneeded", "-o", str(stripped), str(path)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            return 0, f"strip failed: {result.stderr.strip()}"
        if not load_segments_aligned(stripped):
            return 0, "stripping would misalign its load segments"
        saved = path.stat().st_size - stripped.stat().st_size
        if saved > 0:
            shutil.copymode(path, stripped)
            os.replace(stripped, path)
        return max(saved, 0), ""


def strip_libraries(folder: Path) -> tuple[int, dict[str, str]]:
    """Strip every shared library under ``folder``/_internal: (bytes saved, {library: why it was kept whole})."""
    if shutil.which("strip") is None:
        return 0, {"*": "no `strip` on PATH"}
    saved, kept = 0, {}
    for path in sorted((folder / "_internal").rglob("*")):
        if is_shared_library(path):
            gained, reason = strip_one(path)
            saved += gained
            if reason:
                kept[path.relative_to(folder).as_posix()] = reason
    return saved, kept


def folder_bytes(folder: Path) -> int:
    """The bytes of the files in ``folder`` (symlinks count as links, as in the archive)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def report(folder: Path) -> str:
    saved, kept = strip_libraries(folder)
    size = folder_bytes(folder)
    lines = [f"stripped shared libraries: {saved / 1e6:.0f} MB saved; {folder} is now {size / 1e6:.0f} MB"]
    lines += [f"  kept unstripped: {name}: {reason}" for name, reason in kept.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "_internal").is_dir():
        print("usage: slim_bundle.py FOLDER  (a PyInstaller folder holding _internal/, e.g. dist/RegLab)",
              file=sys.stderr)
        return 2
    print(report(Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
