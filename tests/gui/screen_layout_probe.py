"""The lab window on screens of given sizes, with a study shown, normal and in presentation mode: what it measures
is printed as one line of JSON (tests/gui/test_window_fits_the_screen.py reads it).

    python tests/gui/screen_layout_probe.py 1366x768:normal 1024x768:presentation … [--pictures DIR]

Qt's offscreen platform reads its screens from a JSON file named when the application starts
(QT_QPA_PLATFORM="offscreen:configfile=FILE"); the test session's application has one 800 × 800 screen, hence a
process of its own. Each window opens a lesson with a study (the lesson text beside the views, the tightest case),
trains a few epochs for real, then shows hand-made studies (tests/gui/test_study_view.py's) on the study's tab.
With --pictures, each state is also saved as a PNG to look at; REGLAB_PROBE_LESSON=16 opens the lesson whose file
name starts with 16 instead.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from gui.run_state import State

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]


def screens_file(sizes: list[tuple[int, int]], folder: Path) -> Path:
    """The offscreen platform's configuration: the screens side by side, left to right."""
    screens, x = [], 0
    for width, height in sizes:
        screens.append({"name": f"{width}x{height}", "x": x, "y": 0, "width": width, "height": height,
                        "logicalDpi": 96})
        x += width
    path = folder / "screens.json"
    path.write_text(json.dumps({"screens": screens}))
    return path


def rect(r) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def main(argv: list[str]) -> int:
    pictures = None
    if "--pictures" in argv:
        at = argv.index("--pictures")
        pictures = Path(argv[at + 1])
        pictures.mkdir(parents=True, exist_ok=True)
        argv = argv[:at] + argv[at + 2:]
    cases = [(tuple(int(n) for n in size.split("x")), mode) for size, mode in (a.split(":") for a in argv)]
    folder = Path(tempfile.mkdtemp(prefix="reglab-screens-"))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screens_file([s for s, _ in cases], folder)}"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from gui.app import application

    app, collector = application([])
    screens = {screen.name(): screen for screen in app.screens()}  # (not necessarily in the file's order)
    results = [measure_case(app, screens[f"{w}x{h}"], mode, folder, pictures) for (w, h), mode in cases]
    print(json.dumps(results))
    collector.stop()
    return 0


def pump(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)


def wait(app, condition, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.005)


def measure_case(app, screen, mode: str, folder: Path, pictures: Path | None) -> dict:
    from PySide6.QtCore import QSettings
    from test_study_view import compare_progress, cv_progress, sweep_progress

    from gui.main_window import MainWindow
    from gui.panels.lesson_panel import lesson_files
    from gui.window_layout import WINDOW_SIZE

    window = MainWindow(settings=QSettings(str(folder / f"{screen.name()}.ini"), QSettings.Format.IniFormat))
    window.setScreen(screen)
    window.resize(WINDOW_SIZE)  # a first start on this screen
    window.fit_to_screen(screen)
    window.show()
    wait(app, lambda: window.session.state is State.READY)
    pump(app, 0.2)
    formula = window.formula_view  # the default experiment's objective, before the lesson's
    objective = {"shown": window.formula_dock.isVisible(),
                 "whole": formula.height() >= formula.minimumSizeHint().height(),
                 "scrolls": window.formula_dock.widget().verticalScrollBar().isVisible()}
    wanted = os.environ.get("REGLAB_PROBE_LESSON", "")  # a lesson file's name to open instead (for pictures)
    lesson = next(path for _, path in lesson_files() if (path.stem.startswith(wanted) if wanted
                                                          else '"compare"' in path.read_text()))
    window.open_experiment(lesson)
    wait(app, lambda: window.session.state is State.READY)
    window.play_action.trigger()
    wait(app, lambda: window.session.status.epoch >= 3)
    window.play_action.trigger()
    pump(app, 0.2)
    scroll = window.formula_dock.widget()  # the lesson's objective (one penalty per layer, no notes)
    objective_lesson = {"shown": window.formula_dock.isVisible(), "height": window.formula_dock.height(),
                        "room": scroll.viewport().height(), "needs": formula.needed_height(scroll.viewport().width()),
                        "scrolls": scroll.verticalScrollBar().isVisible()}
    if mode == "presentation":
        window.presentation_action.trigger()
        wait(app, lambda: window.size() == screen.geometry().size(), 5)
    pump(app, 0.5)  # every view draws the newest snapshot (they take turns)
    result = {"screen": screen.name(), "mode": mode, "available": rect(screen.availableGeometry()),
              "frame": rect(window.frameGeometry()), "zoom": window.zoom, "bars": bars(window),
              "toolbar_overflow": toolbar_overflow(window)}
    result["live"] = live_views(window)
    result["objective"] = objective
    result["objective_lesson"] = objective_lesson
    save(window, pictures, f"{screen.name()}-{mode}-live")
    result["studies"] = {}
    for make in (compare_progress, cv_progress, sweep_progress):
        progress = make() if make is not compare_progress else make(done=True)
        window.session.worker.take_study = lambda progress=progress: progress  # a hand-made study, as if run
        window.studies.started.emit(progress.kind)
        wait(app, lambda progress=progress: window.study_view._progress is progress, 5)
        pump(app, 0.5)
        result["studies"][progress.kind] = study_page(window)
        save(window, pictures, f"{screen.name()}-{mode}-{progress.kind}")
    window.show_study(False)  # back to the live run
    pump(app, 0.3)
    result["live_again"] = live_views(window)
    window.close()
    window.session.worker.stop(timeout_ms=30000)
    return result


def save(window, pictures: Path | None, name: str) -> None:
    if pictures is not None:
        window.grab().save(str(pictures / f"{name}.png"))


def bars(window) -> dict:
    """Where the menu bar, toolbar and status bar are in the window, and whether they show."""
    return {name: {"shown": bar.isVisible(), "rect": rect(bar.geometry())} for name, bar in
            (("menu", window.menuBar()), ("toolbar", window.toolbar), ("status", window.statusBar()))}


def toolbar_overflow(window) -> list[str]:
    """The toolbar's labels Qt has put in its » extension menu (hidden until it is opened) for want of width."""
    from PySide6.QtWidgets import QLabel

    bar = window.toolbar
    labels = [bar.widgetForAction(a) for a in bar.actions()]
    return [w.text().strip() for w in labels if isinstance(w, QLabel) and not w.isVisible()]


def overflowing(widget) -> list[str]:
    """The grids of plots under ``widget`` laid out wider or taller than their view (cut off at its edge)."""
    import pyqtgraph as pg

    found = []
    for graphics in widget.findChildren(pg.GraphicsLayoutWidget):
        if graphics.isVisible():
            grid, port = graphics.ci.geometry(), graphics.viewport()
            if grid.width() > port.width() + 2 or grid.height() > port.height() + 2:  # (sub-pixel sizes)
                found.append(f"{type(graphics.parent()).__name__}: {grid.width():.0f} × {grid.height():.0f} "
                             f"in {port.width()} × {port.height()}")
    return found


def overlaps(boxes) -> list[str]:
    """Pairs of texts whose boxes overlap by more than a pixel (neighbouring lines touch)."""
    shrunk = [(text, box.adjusted(1, 1, -1, -1)) for text, box in boxes]
    return [f"{a!r} × {b!r}" for i, (a, box) in enumerate(shrunk) for b, other in shrunk[i + 1:]
            if box.intersects(other)]


def outside(graphics, boxes) -> list[str]:
    """The texts whose boxes reach past ``graphics``' view (cut off)."""
    from PySide6.QtCore import QRectF

    port = QRectF(graphics.viewport().rect())
    return [text for text, box in boxes if not port.contains(graphics.mapFromScene(box).boundingRect())]


def axis_texts(axis) -> list:
    """(text, box in the scene) of the tick labels ``axis`` would paint now."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(text, axis.mapRectToScene(rect)) for rect, _, text in (specs or ((), (), ()))[2]]


def weights_texts(view) -> dict:
    boxes = view.text_boxes()
    return {"count": len(boxes), "overlaps": overlaps(boxes), "outside": outside(view.graphics, boxes),
            "captions": view.captions()}


def loss_room(view) -> dict:
    return {"legend": view.loss_legend.scene() is not None, "height": view.graphics.viewport().height(),
            "plots": [view.loss_plot.getViewBox().height(), view.metric_plot.getViewBox().height()]}


def live_views(window) -> dict:
    views = {"network": window.network_view, "loss": window.loss_view, "weights": window.weights_view,
             "boundary": window.boundary_view}
    snap = window.render_loop.shown_snapshot
    (x0, x1), _ = window.boundary_view.plot.viewRange()
    return {
        "tab_shown": window.pages.currentWidget() is window.splitter,
        "sizes": {name: [view.width(), view.height()] for name, view in views.items()},
        "visible": {name: view.isVisible() for name, view in views.items()},
        "overflow": overflowing(window.splitter),
        "boundary_x_span": x1 - x0,
        "weights_texts": weights_texts(window.weights_view),
        "loss": loss_room(window.loss_view),
        "grid_x_span": None if snap is None or snap.grid_extent is None else snap.grid_extent[1] - snap.grid_extent[0],
    }


def study_page(window) -> dict:
    view = window.study_view
    page = {"compare": view.compare, "cv": view.cv, "sweep": view.sweep}[view.kind]
    result = {"tab_shown": window.pages.currentWidget() is view, "size": [view.width(), view.height()],
              "live_visible": window.network_view.isVisible(), "overflow": overflowing(page),
              "objective_shown": window.formula_dock.isVisible()}
    if view.kind == "compare":
        result["histogram_column"] = page.histogram_box.width()
        result["histograms"] = [
            {"label": [v.histogram_label.height(), v.histogram_label.heightForWidth(v.histogram_label.width())],
             "plot": [v.histogram_widget.width(), v.histogram_widget.height()]}
            for v in page.variants[: page.shown]]
        result["share_axes"] = []
        for v in page.variants[: page.shown]:
            boxes = [box for name in ("left", "bottom") for box in axis_texts(v.histogram.getAxis(name))]
            low, high = v.histogram.getViewBox().viewRange()[1]
            result["share_axes"].append({
                "axis": type(v.histogram.getAxis("left")).__name__, "y_range": [low, high],
                "labels": [text for text, _ in axis_texts(v.histogram.getAxis("left"))],
                "overlaps": overlaps(boxes), "outside": outside(v.histogram_widget, boxes)})
        result["table"] = {"shown": page.table.viewport().height(),
                           "rows": page.table.rowCount() * page.table.verticalHeader().defaultSectionSize()}
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
