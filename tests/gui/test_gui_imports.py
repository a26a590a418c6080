"""The gui modules' imports form no cycle (imports inside functions count): the session model is what the window,
the File menu and the studies share, so none of them needs another's module."""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "gui"


def gui_imports(source: str) -> set[str]:
    """The gui.* modules ``source`` imports, wherever the import stands."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "gui":  # from gui import garbage
            found |= {f"gui.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.startswith("gui.")}


def import_graph() -> dict[str, set[str]]:
    modules = {f"gui.{path.stem}": path for path in GUI.glob("*.py") if path.stem != "__init__"}
    return {name: gui_imports(path.read_text(encoding="utf-8")) & modules.keys() for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once, from where the walk met it)."""
    found, done, path = [], set(), []

    def visit(node: str) -> None:
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        path.append(node)
        for target in sorted(graph[node]):
            visit(target)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
    return found


def test_the_walk_finds_a_cycle_through_a_function_level_import():
    graph = {"gui.a": gui_imports("import gui.b\n"), "gui.b": gui_imports("def f():\n    from gui.a import x\n")}
    assert graph == {"gui.a": {"gui.b"}, "gui.b": {"gui.a"}}
    assert cycles(graph) == [["gui.a", "gui.b", "gui.a"]]


def test_gui_modules_import_one_another_without_a_cycle():
    graph = import_graph()
    assert "gui.session" in graph["gui.file_actions"] and "gui.main_window" not in graph["gui.file_actions"]
    assert cycles(graph) == []
