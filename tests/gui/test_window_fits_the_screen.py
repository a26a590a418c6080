"""The window fits the screen it opens on, and a study never squeezes the live views: it takes their place on a tab
of its own, with a "Live run" tab to go back.

The test session's Qt has one 800 × 800 offscreen screen; the four screens RegLab is checked on (a 1366 × 768
laptop, 1440 × 900, a 1024 × 768 projector and 1920 × 1080 in presentation mode) are measured by
tests/gui/screen_layout_probe.py in a process of its own, whose Qt is given those screens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import DEFAULT
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QMainWindow
from test_study_view import compare_progress

from engine.spec import Experiment
from gui.main_window import MainWindow
from gui.window_layout import FORMULA_SHARE, fitted

PROBE = Path(__file__).with_name("screen_layout_probe.py")
# Readable at zoom 1 (times the zoom in presentation mode): a live view's least width × height, a study's, and a
# compare histogram's least plot height and column width (its axis numbers apart, its title above it).
LIVE_LEAST = (300, 200)
STUDY_LEAST = (700, 560)
HISTOGRAM_LEAST_HEIGHT = 50
HISTOGRAM_LEAST_WIDTH = 150
SCREENS = ["1366x768:normal", "1440x900:normal", "1024x768:presentation", "1920x1080:presentation"]


# ---------------------------------------------------------------- the window inside the screen

@pytest.mark.parametrize(("frame", "area", "expected"), [
    ((100, 50, 1440, 900), (0, 0, 1366, 768), (0, 0, 1366, 768)),  # a 1440 × 900 window on a laptop: shrunk
    ((1200, 600, 800, 500), (0, 0, 1366, 768), (566, 268, 800, 500)),  # off the right and bottom: moved back
    ((-300, -40, 800, 600), (0, 0, 1366, 768), (0, 0, 800, 600)),  # off the left and top: moved back
    ((200, 100, 800, 600), (0, 0, 1366, 768), (200, 100, 800, 600)),  # inside already: kept
    ((3000, 900, 1000, 400), (1366, 0, 1920, 1080), (2286, 680, 1000, 400)),  # a second screen's own area
    ((0, 0, 1440, 900), (0, 40, 1366, 728), (0, 40, 1366, 728)),  # a panel at the top takes 40 px
])
def test_fitted_moves_a_frame_into_the_area_and_shrinks_it_only_where_bigger(frame, area, expected):
    assert fitted(QRect(*frame), QRect(*area)) == QRect(*expected)


def inside(window) -> bool:
    return window.screen().availableGeometry().contains(window.frameGeometry())


def test_the_window_opens_inside_the_screen_with_its_bars_reachable(qtbot, window):
    qtbot.waitUntil(lambda: inside(window), timeout=2000)  # the test screen is 800 × 800, less than 1440 × 900
    for bar in (window.menuBar(), window.toolbar, window.statusBar()):
        assert bar.isVisible() and window.rect().contains(bar.geometry()), type(bar).__name__


@pytest.mark.parametrize(("size", "position"), [
    ((2400, 1300), (1500, 700)),  # as a 2560 × 1440 monitor left it: bigger than this screen, far right and down
    ((700, 700), (500, 400)),  # small enough, but its bottom right off this screen
])
def test_a_saved_geometry_is_brought_whole_inside_this_screen(qtbot, tmp_path, size, position):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    elsewhere = QMainWindow()
    elsewhere.resize(*size)
    elsewhere.move(*position)
    settings.setValue("geometry", elsewhere.saveGeometry())
    w = MainWindow(Experiment.from_dict(DEFAULT), settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: inside(w), timeout=2000)  # (Qt's own restoring leaves a pixel or a border outside)
    assert w.width() >= min(size[0], w.screen().availableGeometry().width()) - 10  # as big as the screen allows
    w.close()
    assert w.session.worker.stop(timeout_ms=30000)


def test_the_objective_dock_starts_at_most_its_share_of_the_window(qtbot, window):
    assert window.formula_dock.sizeHint().height() > FORMULA_SHARE * window.height()  # it would take more
    # (sized before the window is shown, which then loses its frame's few pixels)
    assert window.formula_dock.height() <= FORMULA_SHARE * window.height() + 5
    assert window.formula_view.height() >= window.formula_view.minimumSizeHint().height()  # rows not run together


# ---------------------------------------------------------------- the study on a tab of its own

def show_study(qtbot, window, monkeypatch, progress):
    monkeypatch.setattr(window.session.worker, "take_study", lambda: progress)  # a hand-made study, as if it ran
    window.studies.started.emit(progress.kind)
    qtbot.waitUntil(lambda: window.study_view._progress is progress, timeout=5000)


def test_a_study_takes_the_live_views_place_and_the_live_run_tab_brings_them_back(qtbot, window, monkeypatch):
    sizes = [view.size() for view in (window.network_view, window.loss_view, window.boundary_view)]
    assert window.pages.tabText(0) == "Live run" and window.formula_dock.isVisible()
    show_study(qtbot, window, monkeypatch, compare_progress(done=True))
    assert window.pages.currentWidget() is window.study_view and window.pages.tabText(1) == "Study: compare"
    assert window.study_view.isVisible() and not window.network_view.isVisible()
    assert not window.formula_dock.isVisible()  # the objective lends its height to the study
    assert window.show_study_action.isChecked()
    assert window.study_view.height() > 0.6 * window.height()

    window.show_study_action.trigger()  # Ctrl+Tab: back to the live run
    assert window.pages.currentWidget() is window.splitter and window.network_view.isVisible()
    assert window.formula_dock.isVisible() and not window.show_study_action.isChecked()
    qtbot.wait(50)
    assert [view.size() for view in (window.network_view, window.loss_view, window.boundary_view)] == sizes

    window.pages.setCurrentWidget(window.study_view)  # the tab, clicked
    assert window.show_study_action.isChecked() and not window.formula_dock.isVisible()
    window.play_action.trigger()  # what plays is the live run: it shows
    assert window.pages.currentWidget() is window.splitter and window.formula_dock.isVisible()


def test_an_objective_the_user_hid_stays_hidden_after_a_study(qtbot, window, monkeypatch):
    window.formula_dock.hide()
    show_study(qtbot, window, monkeypatch, compare_progress(done=True))
    window.show_study(False)
    assert not window.formula_dock.isVisible()


def test_closing_on_the_study_tab_remembers_the_everyday_layout(qtbot, window, monkeypatch, tmp_path):
    show_study(qtbot, window, monkeypatch, compare_progress(done=True))
    window.presentation_action.trigger()
    window.close()
    again = MainWindow(Experiment.from_dict(DEFAULT), settings=window.settings)
    qtbot.addWidget(again)
    # the objective and the side panel come back: neither the study's lending nor presentation mode is remembered
    assert again.formula_dock.isVisibleTo(again) and again.side_dock.isVisibleTo(again)
    again.close()
    assert again.session.worker.stop(timeout_ms=30000)


def test_leaving_presentation_mode_on_the_study_tab_keeps_the_objective_lent(qtbot, window, monkeypatch):
    show_study(qtbot, window, monkeypatch, compare_progress(done=True))
    window.presentation_action.trigger()
    assert window.study_view.isVisible() and not window.side_dock.isVisible()
    window.leave_presentation_action.trigger()
    assert window.study_view.isVisible() and window.side_dock.isVisible() and not window.formula_dock.isVisible()
    window.show_study(False)
    assert window.formula_dock.isVisible()


# ---------------------------------------------------------------- four screens, measured in a process of their own

@pytest.fixture(scope="module")
def screens(tmp_path_factory):
    """What the probe measured on each screen: {"1366x768:normal": {...}, ...}; pictures in the test's folder."""
    pictures = tmp_path_factory.mktemp("screens")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("QT_QPA_PLATFORM", None)  # the probe names its own screens
    run = subprocess.run([sys.executable, str(PROBE), *SCREENS, "--pictures", str(pictures)], env=env,
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    measured = json.loads(run.stdout.strip().splitlines()[-1])
    return {f"{m['screen']}:{m['mode']}": m for m in measured}


@pytest.mark.parametrize("case", SCREENS)
def test_the_window_fits_the_screen_with_its_bars_in_it(screens, case):
    m = screens[case]
    frame, area = QRect(*m["frame"]), QRect(*m["available"])
    assert area.contains(frame)
    if m["mode"] == "presentation":
        assert frame == area
    for name, bar in m["bars"].items():
        x, y, width, height = bar["rect"]
        assert bar["shown"] and y + height <= frame.height() and width <= frame.width(), name


@pytest.mark.parametrize("case", [case for case in SCREENS if case.endswith(":normal")])
def test_every_training_setting_shows_in_the_toolbar_at_actual_size(screens, case):
    assert screens[case]["toolbar_overflow"] == []  # none behind the toolbar's » extension menu


@pytest.mark.parametrize("case", SCREENS)
def test_the_live_views_are_readable_before_and_after_a_study(screens, case):
    m = screens[case]
    least = [round(n * m["zoom"]) for n in LIVE_LEAST]
    for when in ("live", "live_again"):
        live = m[when]
        assert live["tab_shown"] and all(live["visible"].values()), when
        for name, (width, height) in live["sizes"].items():
            assert width >= least[0] and height >= least[1], f"{when} {name}: {width} × {height} < {least}"
        assert live["overflow"] == [], when  # no plot laid out past its view's edge
        assert live["boundary_x_span"] <= 3 * live["grid_x_span"], when  # not a −4000 … 4000 axis
    assert m["live_again"]["sizes"] == m["live"]["sizes"]  # a study leaves the live layout as it was


@pytest.mark.parametrize("case", SCREENS)
def test_every_text_of_the_weights_view_is_whole_and_none_overlaps(screens, case):
    for when in ("live", "live_again"):
        texts = screens[case][when]["weights_texts"]
        assert texts["count"] >= 3 * 4 + 2  # the readouts' lines and the captions at the least, tick labels besides
        assert texts["overlaps"] == [], when
        assert texts["outside"] == [], when  # nothing cut off at the view's edge
        histograms, heat_maps = texts["captions"]  # what the axes are, once (3 layers side by side: one row)
        assert "weight (linear" in histograms and "count (log" in histograms, when
        assert "weight (asinh" in heat_maps and "epoch" in heat_maps, when


@pytest.mark.parametrize("case", SCREENS)
def test_the_loss_curves_keep_the_room_of_the_loss_view(screens, case):
    m = screens[case]
    loss = m["live"]["loss"]
    assert sum(loss["plots"]) >= 0.45 * loss["height"]  # the legend (or none) takes less than the curves
    assert min(loss["plots"]) >= 45 * m["zoom"]
    assert loss["legend"] == (case != "1366x768:normal")  # a laptop's quarter: the legend steps aside


@pytest.mark.parametrize("case", SCREENS)
def test_the_lesson_s_objective_takes_the_height_it_needs_and_no_more(screens, case):
    objective = screens[case]["objective_lesson"]
    assert objective["shown"] and not objective["scrolls"]
    assert objective["needs"] <= objective["room"] <= objective["needs"] + 4


@pytest.mark.parametrize("case", SCREENS)
def test_every_study_has_the_room_of_the_live_views_and_is_readable(screens, case):
    m = screens[case]
    zoom = m["zoom"]
    least = [round(n * zoom) for n in STUDY_LEAST]
    for kind, study in m["studies"].items():
        assert study["tab_shown"] and not study["live_visible"], kind
        assert study["size"][0] >= least[0] and study["size"][1] >= least[1], f"{kind}: {study['size']} < {least}"
        assert study["overflow"] == [], kind
    compare = m["studies"]["compare"]
    assert compare["histogram_column"] >= HISTOGRAM_LEAST_WIDTH * zoom
    assert len(compare["histograms"]) == 4
    for histogram in compare["histograms"]:
        label_height, label_needs = histogram["label"]
        assert label_height >= label_needs  # the variant's name and "% near 0" whole, above its plot
        assert histogram["plot"][1] >= HISTOGRAM_LEAST_HEIGHT * zoom
    assert compare["table"]["shown"] >= compare["table"]["rows"]  # every variant's row, no scrolling
    ranges = {tuple(axis["y_range"]) for axis in compare["share_axes"]}
    assert len(ranges) == 1  # one axis for every variant: they compare side by side
    (low, high), = ranges
    assert low < -1 and high > 0  # a log axis of shares: a single weight's share and 100 % both on it
    for axis in compare["share_axes"]:
        assert axis["axis"] == "ShareAxis" and axis["overlaps"] == [] and axis["outside"] == []
        assert axis["labels"] and all(label.endswith(" %") for label in axis["labels"])  # percentages, on a log axis


def test_the_objective_shows_whole_on_a_1440_by_900_screen(screens):
    objective = screens["1440x900:normal"]["objective"]
    assert objective["shown"] and objective["whole"] and not objective["scrolls"]
