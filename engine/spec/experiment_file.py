"""Saving an experiment file: pretty JSON (``Experiment.to_dict``'s key order), UTF-8, written atomically.

Reading is :func:`engine.spec.load_experiment`. The format is plain JSON with ``"reglab": 1`` first (never
pickle): indent 2, keys in ``to_dict``'s order, non-ASCII text kept as UTF-8, one newline at the end.

The write is atomic: the text goes to a temporary file in the same folder, is flushed and fsync'ed, and then
``os.replace`` puts it in place. If anything fails, the old file is untouched, the temporary file is removed
and a :class:`SpecError` says why in one line.

A CSV data set's relative ``data.path`` is relative to the experiment's folder (``exp.base_dir``). Saved in
another folder, the path is rewritten relative to the new folder (absolute when there is no relative path, e.g.
on another Windows drive), so the saved file still finds its data. An absolute path stays absolute.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from engine.spec import Experiment, SpecError

SUFFIX = ".json"


def experiment_text(exp: Experiment, folder: str | Path | None = None) -> str:
    """The file's text for ``exp`` saved in ``folder`` (the CSV path made valid from there)."""
    d = exp.to_dict()
    if folder is not None:
        data = d.get("data", {})
        if data.get("kind") == "csv" and data.get("path"):
            data["path"] = csv_path_for(exp, Path(folder))
    return json.dumps(d, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def csv_path_for(exp: Experiment, folder: Path) -> str:
    """``exp.data.path`` as it should be written in a file in ``folder``."""
    original = Path(exp.data.path)
    if original.is_absolute():
        return exp.data.path
    base = Path(exp.base_dir) if exp.base_dir else Path.cwd()
    target = Path(os.path.abspath(base / original))
    try:
        relative = os.path.relpath(target, os.path.abspath(folder))
    except ValueError:  # another drive (Windows): no relative path exists
        return str(target)
    return Path(relative).as_posix()


def save_experiment(exp: Experiment, path: str | Path) -> Experiment:
    """Write ``exp`` to ``path`` atomically; returns the experiment as it now reads from that file.

    Raises SpecError with a one-line reason (folder missing, permission denied, disk full…); the file that was
    there before is then unchanged.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SpecError(f"{path}: cannot save, the folder {folder} does not exist")
    if path.is_dir():
        raise SpecError(f"{path}: cannot save, it is a folder")
    try:
        text = experiment_text(exp, folder)
    except (TypeError, ValueError) as exc:  # not expected from a valid spec, but never a traceback
        raise SpecError(f"{path}: cannot save ({exc})") from None

    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_name, _mode_for(path))
        os.replace(tmp_name, path)
        tmp_name = None
        _sync_folder(folder)
    except OSError as exc:
        raise SpecError(f"{path}: cannot save ({_reason(exc)})") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    saved = exp.copy()
    saved.base_dir = str(path.resolve().parent)
    if saved.data.kind == "csv" and saved.data.path:
        saved.data.path = json.loads(text)["data"]["path"]
    return saved


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0o666 less the umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); best effort elsewhere."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "the folder does not exist"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    return (exc.strerror or str(exc) or type(exc).__name__).lower()
