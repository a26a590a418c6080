"""A lesson's Run the comparison button: the lesson's own variants when it names them, else the classic set."""

from __future__ import annotations

import json

from fakes import DEFAULT

from engine.studies.study import classic_variants
from gui.run_state import State

L1 = "network.hidden[*].kernel_regularizer.l1"
VARIANTS = [
    {"label": "none", "set": {L1: 0.0}},
    {"label": "L1 λ=0.01", "set": {}},
    {"label": "dropout 0.5", "set": {L1: 0.0, "network.hidden[*].dropout": 0.5}},
]


def lesson_path(tmp_path, study: dict):
    d = json.loads(json.dumps(DEFAULT))
    d["data"]["samples"] = 80
    d["training"]["epochs"] = 4
    for layer in d["network"]["hidden"]:
        layer.update(dropout=0.0, kernel_regularizer={"l1": 0.01, "l2": 0.0})
    d["lesson"] = {"title": "L1", "text": "L1 makes weights sparse.", "look_at": "The histograms.", "study": study}
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    return path


def run_lesson_study(qtbot, window):
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    assert window.lesson_panel.study_button.text() == "Run the comparison"
    window.lesson_panel.study_button.click()
    qtbot.waitUntil(lambda: (p := window.session.worker.take_study()) is not None and p.done, timeout=120000)
    return window.session.worker.take_study()


def test_the_lessons_own_variants_are_what_its_button_compares(qtbot, window, tmp_path):
    window.open_experiment(lesson_path(tmp_path, {"kind": "compare", "variants": VARIANTS}))
    progress = run_lesson_study(qtbot, window)
    assert [c.label for c in progress.curves] == ["none", "L1 λ=0.01", "dropout 0.5"]
    assert all(len(c.rows) == 4 and c.done for c in progress.curves)
    # What trained is what each variant says: the dropout rate after every hidden layer, and an L1 penalty only
    # where the variant keeps it.
    rates = [[layer.dropout_rate for layer in c.snapshot.layers[:-1]] for c in progress.curves]
    assert rates == [[0.0, 0.0], [0.0, 0.0], [0.5, 0.5]]
    penalties = [sum(layer.kernel_penalty for layer in c.snapshot.layers) for c in progress.curves]
    assert penalties[0] == 0.0 and penalties[2] == 0.0 and penalties[1] > 0.0
    qtbot.waitUntil(lambda: window.study_view.compare.table.rowCount() == 3, timeout=10000)
    assert [window.study_view.compare.summary_values(row)["variant"] for row in range(3)] == [
        "none", "L1 λ=0.01", "dropout 0.5"]


def test_a_lesson_without_variants_compares_the_classic_set_of_its_experiment(qtbot, window, tmp_path):
    window.open_experiment(lesson_path(tmp_path, {"kind": "compare"}))
    progress = run_lesson_study(qtbot, window)
    labels = [c.label for c in progress.curves]
    assert labels == [label for label, _ in classic_variants(window.document.exp)]
    assert labels == ["none", "L1 λ=0.01", "L2 λ=0.01", "dropout 0.3"]


def test_a_variant_the_experiment_cannot_take_is_a_message_and_nothing_runs(qtbot, window, tmp_path):
    bad = [{"label": "third layer", "set": {"network.hidden[2].dropout": 0.5}}]
    window.open_experiment(lesson_path(tmp_path, {"kind": "compare", "variants": bad}))
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    window.lesson_panel.study_button.click()
    assert window.statusBar().currentMessage() == (
        'The lesson\'s study cannot run: lesson.study.variants[0].set["network.hidden[2].dropout"]: '
        "hidden[2] does not exist (2 layers)")
    assert window.session.worker.take_study() is None
