"""What the tests ask of processes (Linux /proc): is one alive, which children does one have."""

from __future__ import annotations

from pathlib import Path


def alive(pid: int) -> bool:
    """The process runs (a zombie, ended but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def children(pid: int) -> set[int]:
    """The live child processes of ``pid``."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def descendants(pid: int) -> set[int]:
    """Its children, their children, and so on."""
    found: set[int] = set()
    for child in children(pid):
        found |= {child} | descendants(child)
    return found
