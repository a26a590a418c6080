"""The training worker: commands between epochs, latest-wins updates, a clean stop."""

import time

import fakes
import pytest

from gui.run_state import State
from gui.training_worker import TrainingWorker
from tests.no_reglab import python_without_reglab


class Collector:
    """Collects what a render timer would, by polling take_updates."""

    def __init__(self, worker):
        self.worker, self.rows, self.run_id, self.updates = worker, [], -1, None

    def poll(self):
        u = self.worker.take_updates(len(self.rows), self.run_id)
        if u.run_id != self.run_id:
            self.run_id, self.rows = u.run_id, []
        self.rows.extend(u.new_rows)
        self.updates = u
        return u


@pytest.fixture
def worker(qtbot):
    w = TrainingWorker()
    w.start()
    yield w
    assert w.stop(timeout_ms=3000)


def wait_for(qtbot, collector, condition, timeout=60000):
    qtbot.waitUntil(lambda: condition(collector.poll()), timeout=timeout)


def test_play_pause_step_reset(qtbot, worker):
    exp = fakes.experiment()
    exp.training.epochs = 10_000
    collector = Collector(worker)
    with qtbot.waitSignal(worker.dataset_ready, timeout=60000) as ready:
        worker.load(exp)
    assert ready.args[0].x_train.shape[1] == 2
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)
    worker.play()
    wait_for(qtbot, collector, lambda u: u.status.epoch >= 5)
    worker.pause()
    wait_for(qtbot, collector, lambda u: u.status.state is State.PAUSED)
    time.sleep(0.2)
    u = collector.poll()
    paused_at = u.status.epoch
    time.sleep(0.3)
    assert collector.poll().status.epoch == paused_at  # the counter stops while paused
    assert len(collector.rows) == paused_at and [r["epoch"] for r in collector.rows] == list(range(1, paused_at + 1))
    assert collector.updates.snapshot.epoch == paused_at  # the latest snapshot is the last epoch

    worker.step()
    wait_for(qtbot, collector, lambda u: u.status.epoch == paused_at + 1)
    time.sleep(0.3)
    assert collector.poll().status.epoch == paused_at + 1  # exactly one epoch

    old_run = collector.run_id
    worker.reset()
    wait_for(qtbot, collector, lambda u: u.run_id != old_run)
    assert collector.poll().status.epoch == 0 and collector.rows == []


def test_live_change_keeps_the_run_structural_change_starts_a_new_one(qtbot, worker):
    exp = fakes.experiment()
    collector = Collector(worker)
    worker.load(exp)
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)
    worker.step()
    wait_for(qtbot, collector, lambda u: u.status.epoch == 1)
    run = collector.run_id
    live = exp.copy()
    live.network.hidden[0].kernel_regularizer.l2 = 0.5
    worker.apply_live(live)
    worker.step()
    wait_for(qtbot, collector, lambda u: u.status.epoch == 2)
    assert collector.run_id == run
    assert collector.rows[1]["hidden_1_penalty"] > 10 * collector.rows[0]["hidden_1_penalty"]

    structural = exp.copy()
    structural.network.hidden[0].units = 3
    worker.apply_live(structural)  # not live-applicable: the worker rebuilds
    wait_for(qtbot, collector, lambda u: u.run_id != run and u.status.state is State.READY)
    assert collector.poll().status.epoch == 0


def test_bad_data_becomes_a_message_and_the_worker_lives_on(qtbot, worker, tmp_path):
    exp = fakes.experiment()
    exp.data.kind, exp.data.path, exp.data.target = "csv", str(tmp_path / "missing.csv"), "y"
    with qtbot.waitSignal(worker.failed, timeout=30000) as failed:
        worker.load(exp)
    assert "missing.csv" in failed.args[0] and "\n" not in failed.args[0]
    collector = Collector(worker)
    worker.load(fakes.experiment())
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)


def test_speed_cap(qtbot, worker):
    exp = fakes.experiment()
    exp.training.epochs = 10_000
    collector = Collector(worker)
    worker.load(exp)
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)
    worker.set_speed(10.0)
    worker.play()
    wait_for(qtbot, collector, lambda u: u.status.epoch >= 1)
    start_epoch, start = collector.poll().status.epoch, time.perf_counter()
    time.sleep(1.0)
    done = collector.poll().status.epoch - start_epoch
    elapsed = time.perf_counter() - start
    assert done <= 10 * elapsed + 2  # capped at 10 epochs per second
    worker.pause()


def test_stops_promptly_while_training(qtbot):
    worker = TrainingWorker()
    worker.start()
    exp = fakes.experiment()
    exp.training.epochs = 100_000
    collector = Collector(worker)
    worker.load(exp)
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)
    worker.play()
    wait_for(qtbot, collector, lambda u: u.status.epoch >= 3)
    start = time.perf_counter()
    assert worker.stop(timeout_ms=1000)
    assert time.perf_counter() - start < 1.0
    assert not worker.is_running


def test_a_study_runs_between_epochs_and_the_live_run_waits(qtbot, worker):
    from engine.studies.study import classic_variants

    exp = fakes.experiment()
    exp.training.epochs = 10_000
    collector = Collector(worker)
    worker.load(exp)
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)
    worker.play()
    wait_for(qtbot, collector, lambda u: u.status.epoch >= 2)
    short = exp.copy()
    short.training.epochs = 3
    worker.start_study("compare", variants=classic_variants(short))
    wait_for(qtbot, collector, lambda u: u.status.state is State.STUDY)
    live_epoch = collector.poll().status.epoch
    qtbot.waitUntil(lambda: worker.take_study() is not None and worker.take_study().done, timeout=60000)
    progress = worker.take_study()
    assert [len(c.rows) for c in progress.curves] == [3, 3, 3, 3] and len(progress.table) == 4
    wait_for(qtbot, collector, lambda u: u.status.state is State.PAUSED)  # the live run paused, its weights kept
    assert collector.poll().status.epoch == live_epoch
    assert "Compared 4 variants" in collector.poll().status.message


def test_a_study_can_be_cancelled_and_bad_parameters_become_a_message(qtbot, worker):
    exp = fakes.experiment()
    exp.training.epochs = 10_000
    collector = Collector(worker)
    worker.load(exp)
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)
    worker.start_study("cv", exp=exp, folds=3)
    qtbot.waitUntil(lambda: worker.take_study() is not None and len(worker.take_study().curves[0].rows) >= 2,
                    timeout=60000)
    worker.cancel_study()
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY and "stopped" in u.status.message)
    progress = worker.take_study()
    assert not progress.done and progress.message == "Stopped"

    with qtbot.waitSignal(worker.failed, timeout=30000) as failed:
        worker.start_study("sweep", exp=exp, path="network.nothing", values=[0.1], seeds=1)
    assert "network.nothing" in failed.args[0]
    worker.step()  # the worker lives on
    wait_for(qtbot, collector, lambda u: u.status.epoch == 1)


def test_save_model_and_tensorboard_runs(qtbot, worker, tmp_path):
    """The saved .keras loads without RegLab and predicts as the trainer; each run logs to its own run-<n>."""
    import json

    import numpy as np

    with qtbot.waitSignal(worker.failed, timeout=10000) as failed:
        worker.save_model(str(tmp_path / "early.keras"))  # nothing loaded yet
    assert "no model yet" in failed.args[0] and "\n" not in failed.args[0]

    exp = fakes.experiment()
    collector = Collector(worker)
    board = tmp_path / "tb"
    worker.set_tensorboard(str(board))
    worker.load(exp)
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)
    worker.step()
    worker.step()
    wait_for(qtbot, collector, lambda u: u.status.epoch == 2)
    path = tmp_path / "model.keras"
    with qtbot.waitSignal(worker.saved, timeout=30000) as saved:
        worker.save_model(str(path))
    assert saved.args[0] == str(path) and path.exists()
    x_val = worker.engine._trainer.data.x_val  # the worker is idle between commands
    expected = worker.engine._trainer.predict(x_val)
    np.save(tmp_path / "x.npy", x_val)

    with qtbot.waitSignal(worker.failed, timeout=10000) as failed:
        worker.save_model(str(tmp_path / "no" / "such" / "folder" / "m.keras"))
    assert failed.args[0].startswith("Cannot save") and "\n" not in failed.args[0]

    old_run = collector.run_id
    worker.reset()  # a new run: a new TensorBoard folder
    wait_for(qtbot, collector, lambda u: u.run_id != old_run)
    worker.step()
    wait_for(qtbot, collector, lambda u: u.status.epoch == 1)
    worker.set_tensorboard(None)  # closes (flushes) the log
    worker.step()
    wait_for(qtbot, collector, lambda u: u.status.epoch == 2)

    script = f"""
        import json
        import numpy as np, keras, tensorflow as tf
        model = keras.saving.load_model({str(path)!r})
        np.save({str(tmp_path / "pred.npy")!r}, model.predict(np.load({str(tmp_path / "x.npy")!r}), verbose=0))
        steps = {{}}
        for run in ("run-1", "run-2"):
            import glob
            for f in glob.glob({str(board)!r} + "/" + run + "/events.out.tfevents.*"):
                for e in tf.compat.v1.train.summary_iterator(f):
                    for v in e.summary.value:
                        steps.setdefault(run + ":" + v.tag, []).append(e.step)
        print(json.dumps(steps))
    """
    proc = python_without_reglab(script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "pred.npy"), expected, rtol=1e-5, atol=1e-6)
    steps = json.loads(proc.stdout.strip().splitlines()[-1])
    assert steps["run-1:val_loss"] == [1, 2] and steps["run-1:hidden_1/kernel"] == [1, 2]
    assert steps["run-2:val_loss"] == [1]  # the epoch after set_tensorboard(None) is not logged
    assert sorted(p.name for p in board.iterdir()) == ["run-1", "run-2"]


def test_a_rebuild_frees_the_previous_model(qtbot, worker):
    import gc
    import weakref

    exp = fakes.experiment()
    collector = Collector(worker)
    previous = None
    for extra in range(3):  # the process's very first model is frozen with TensorFlow; every later one is freed
        changed = exp.copy()
        changed.network.hidden[0].units += extra  # a structural change: a new model
        run = collector.run_id
        worker.load(changed)
        wait_for(qtbot, collector, lambda u, run=run: u.run_id != run and u.status.state is State.READY)
        if extra == 2:
            assert not gc.isenabled()  # cycles are collected on the GUI thread (gui/garbage.py), as here
            gc.collect()
            assert worker.engine._trainer is not None and previous() is None
        previous = weakref.ref(worker.engine._trainer)


def test_weight_decay_and_label_smoothing_change_live(qtbot, worker):
    exp = fakes.experiment()
    collector = Collector(worker)
    worker.load(exp)
    wait_for(qtbot, collector, lambda u: u.status.state is State.READY)
    worker.step()
    wait_for(qtbot, collector, lambda u: u.status.epoch == 1)
    run, before = collector.run_id, collector.updates.snapshot.layers[0].l2_norm
    live = exp.copy()
    live.training.weight_decay, live.training.label_smoothing = 50.0, 0.2  # ×(1 − 0.01·50) = ×0.5 at every step
    worker.apply_live(live)
    worker.step()
    wait_for(qtbot, collector, lambda u: u.status.epoch == 2)
    assert collector.run_id == run  # the same run, its weights kept
    # 140 training rows in batches of 32: five halvings, so the kernels are far smaller (Adam moves each weight by
    # about the learning rate a step)
    assert collector.updates.snapshot.layers[0].l2_norm < 0.2 * before
