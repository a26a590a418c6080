"""`make dist`: pack the built app's folder into one archive, dist/RegLab-<version>-<system>-<machine>.tar.gz,
that unpacks to a RegLab/ folder.

    python tools/dist_archive.py dist/RegLab [--record FILE]

The version is the one the built app itself reports (`RegLab --version`), so the name cannot disagree with what
is inside. gzip -6 rather than xz, as CI packs the app on every run: measured on the slimmed folder on the 2-core
VM, gzip -6 makes 354 MB with 33 s of CPU, gzip -9 352 MB with 100 s, xz -6 (two threads) 242 MB with 7 minutes
of CPU (9 minutes' wall time while the machine was busy). Archives of earlier builds for the same system are removed, so
dist/ holds one. ``--record FILE`` writes the archive's path to FILE (the Makefile's stamp).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

APP_NAME = "RegLab"
VERSION_LINE = re.compile(r"RegLab (\S+)\n?")
EXIT_BAD_ARGUMENTS = 2


def archive_name(version: str, system: str, machine: str) -> str:
    """RegLab-0.1.0-linux-x86_64.tar.gz: the version, then the system and processor it runs on."""
    return f"{APP_NAME}-{version}-{system.lower()}-{machine.lower()}.tar.gz"


def parse_version(output: str) -> str:
    """The version in `RegLab --version`'s output ("RegLab 0.1.0")."""
    match = VERSION_LINE.fullmatch(output)
    if match is None:
        raise ValueError(f"RegLab --version printed {output!r}, expected 'RegLab <version>'")
    return match.group(1)


def app_version(folder: Path) -> str:
    app = folder / APP_NAME
    result = subprocess.run([str(app), "--version"], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ValueError(f"{app} --version failed (exit {result.returncode}): {result.stderr.strip()}")
    return parse_version(result.stdout)


def stale_archives(dist: Path, keep: str, system: str, machine: str) -> list[Path]:
    """Archives of other versions for the same system and machine in ``dist``."""
    pattern = archive_name("*", system, machine)
    return [p for p in dist.glob(pattern) if p.name != keep]


def write_archive(folder: Path, archive: Path) -> None:
    """tar + gzip the folder under its own name; written beside and renamed, so a half-written archive never has
    the final name."""
    partial = archive.with_name(archive.name + ".partial")
    subprocess.run(["tar", "-C", str(folder.parent), "-czf", str(partial), folder.name], check=True)
    os.replace(partial, archive)


def make_archive(folder: Path) -> Path:
    system, machine = platform.system(), platform.machine()
    name = archive_name(app_version(folder), system, machine)
    archive = folder.parent / name
    started = time.perf_counter()
    write_archive(folder, archive)
    for old in stale_archives(folder.parent, name, system, machine):
        old.unlink()
    print(f"wrote {archive}: {archive.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.0f} s")
    return archive


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dist_archive.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the built app's folder, e.g. dist/RegLab")
    parser.add_argument("--record", type=Path, help="write the archive's path to this file")
    args = parser.parse_args(argv)
    if args.folder.name != APP_NAME or not (args.folder / APP_NAME).is_file():
        print(f"dist_archive.py: folder: {args.folder} is not a built app (a {APP_NAME}/ folder holding "
              f"{APP_NAME}/{APP_NAME}); run `make package` first", file=sys.stderr)
        return EXIT_BAD_ARGUMENTS
    try:
        archive = make_archive(args.folder)
    except ValueError as error:
        print(f"dist_archive.py: {error}", file=sys.stderr)
        return 1
    if args.record:
        args.record.write_text(f"{archive}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
