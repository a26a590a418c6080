"""A study's progress across the engine process's pipe (engine/live/study_delta.py): the window's mirror, grown
from the news alone — each message pickled as the pipe carries it — equals the engine's progress at every step."""

import pickle

import numpy as np

from engine.live.study_delta import StudyMirror, StudySender
from engine.studies.progress import Curve, StudyProgress


def carried(sender: StudySender, mirror: StudyMirror, progress: StudyProgress) -> dict | None:
    news = sender.delta(progress)
    if news is not None:
        mirror.apply(pickle.loads(pickle.dumps(news, protocol=pickle.HIGHEST_PROTOCOL)))
    return news


def same(a: StudyProgress, b: StudyProgress) -> bool:
    return (a.kind, a.title, a.metric, a.message, a.done, a.table) == (b.kind, b.title, b.metric, b.message, b.done,
                                                                       b.table) \
        and [(c.label, c.rows, c.done) for c in a.curves] == [(c.label, c.rows, c.done) for c in b.curves] \
        and a.result.keys() == b.result.keys()


def test_the_mirror_follows_a_growing_study_and_sends_only_what_is_new():
    sender, mirror = StudySender(), StudyMirror()
    progress = StudyProgress("sweep", "Sweep of network.hidden[*].dropout", result={"param": "p", "values": [0, 1]})
    assert carried(sender, mirror, progress)["new"] is True and same(mirror.progress, progress)
    assert carried(sender, mirror, progress) is None  # nothing new: no message
    progress.curves.append(Curve("0 (seed 0)"))
    progress.curves.append(Curve("1 (seed 0)"))  # two runs training at once
    for epoch in range(1, 4):
        progress.curves[0].rows.append({"epoch": epoch, "val_loss": 1 / epoch})
        progress.curves[1].rows.append({"epoch": epoch, "val_loss": 2 / epoch})
        progress.message = f"epoch {epoch}"
        news = carried(sender, mirror, progress)
        assert [len(rows) for _, _, rows, _, _ in news["curves"]] == [1, 1]  # only the new row of each run
        assert same(mirror.progress, progress)
    progress.curves[0].done = True
    progress.table.append({"value": 0, "final_val_loss": 0.33})
    carried(sender, mirror, progress)
    progress.result["best"] = 0
    progress.table[:] = [{"value": 0, "final_val_loss": 0.33}, {"value": 1, "final_val_loss": 0.66}]
    progress.done = True
    progress.message = "Best p: 0"
    carried(sender, mirror, progress)
    assert same(mirror.progress, progress) and mirror.progress.result["best"] == 0
    assert mirror.progress.curves[0].rows is not progress.curves[0].rows  # the window's own copy


def test_a_compared_variant_s_latest_snapshot_goes_along_and_a_new_study_starts_over():
    sender, mirror = StudySender(), StudyMirror()
    compare = StudyProgress("compare", "none vs L2", curves=[Curve("none"), Curve("L2")])
    carried(sender, mirror, compare)
    compare.curves[1].rows.append({"epoch": 1})
    compare.curves[1].snapshot = {"weights": np.arange(3.0)}
    news = carried(sender, mirror, compare)
    assert [i for i, *_ in news["curves"]] == [1]  # the variant that changed, alone
    np.testing.assert_array_equal(mirror.progress.curves[1].snapshot["weights"], np.arange(3.0))
    cv = StudyProgress("cv", "3-fold cross-validation")
    carried(sender, mirror, cv)
    assert mirror.progress.kind == "cv" and mirror.progress.curves == []
