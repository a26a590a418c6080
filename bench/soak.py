"""Soak: 10 000 epochs in the window with every view live; resident memory must not drift.

Runs the real window (offscreen unless a display is set) on the default preset with the epoch limit raised to
EPOCHS, presses Play and lets the render timer draw every view (network, losses, weights, boundary, objective)
until the run finishes. Resident memory (VmRSS of the window's process and of the engine's) is sampled every
SAMPLE_EVERY epochs. The first WARM_UP epochs
are warm-up (TensorFlow's allocator pools, Qt's caches, the curve buffers' first growth); the goal is
drift = (last − at warm-up) / at warm-up ≤ 5 %. The loss history grows by design: one metrics row per epoch (a
dict of ~15 floats, ≈ 1.1 KB, kept once in each process: the engine's Trainer.history, and the window's mirror
shared with its session), plus the loss view's float
arrays — ≈ 1.3 KB an epoch; the report says how much of the drift that is. It also prints
the Python object types that grew most after warm-up (gc.get_objects; dicts of floats only are not tracked).

Run: `make bench` or `.venv/bin/python bench/soak.py [epochs]` (≈ 1 min on the 2-core VM).
"""

from __future__ import annotations

import gc
import json
import sys
import time
import tracemalloc
from collections import Counter

from _window_run import engine_epochs_per_s, open_window, print_result, rss_mb, run_child, show_and_play

EPOCHS = 10_000
SAMPLE_EVERY = 500
WARM_UP = 2_000
GOAL_DRIFT = 0.05


def type_counts() -> Counter:
    return Counter(type(o).__name__ for o in gc.get_objects())


def child(epochs: int) -> None:
    from PySide6.QtCore import QTimer

    from gui.presets import default_experiment

    exp = default_experiment()
    exp.training.epochs = epochs
    app, window = open_window(exp)
    samples: list[tuple[int, float, float]] = []  # (epoch, seconds since the first epoch, RSS MiB)
    result: dict = {"epochs": epochs}
    state: dict = {}

    def poll():
        epoch = window.session.status.epoch
        if epoch and "t0" not in state:
            state["t0"], state["e0"] = time.perf_counter(), epoch
        finished = window.session.status.state == "finished"
        sampled = samples[-1][0] if samples else 0
        if epoch >= SAMPLE_EVERY * (len(samples) + 1) or (finished and epoch > sampled):
            engine = window.session.worker.engine
            pid = getattr(engine, "pid", None)  # None: the engine runs on a thread of this process
            samples.append((epoch, time.perf_counter() - state["t0"], rss_mb() + (rss_mb(pid) if pid else 0.0)))
            if len(samples) * SAMPLE_EVERY == WARM_UP:
                state["types"] = type_counts()
        if finished and samples and samples[-1][0] >= epochs:
            finish()

    def finish():
        timer.stop()
        growth = type_counts() - state.get("types", Counter())
        result["types_grown"] = growth.most_common(8)
        result["window_epochs_per_s"] = (samples[-1][0] - state["e0"]) / samples[-1][1]
        result["samples"] = samples
        buffers = window.loss_view._buffers
        result["loss_view_buffer_mib"] = sum(b.nbytes for b in buffers.values()) / 2**20
        result["rows_window"] = len(window.session.rows)
        # Every epoch's metrics row is kept once in each process: the engine's Trainer.history (the engine's own
        # rows share it), the window's mirror of them (its session shares that).
        snap = window.session.snapshot
        tracemalloc.start()
        rows = [snap.metrics_row() for _ in range(1000)]
        result["row_bytes"] = tracemalloc.get_traced_memory()[0] / len(rows)
        tracemalloc.stop()
        engine = window.session.worker.engine
        shared = window.session.rows and window.session.rows[-1] is engine._rows[-1]
        processes = 2 if getattr(engine, "pid", None) else 1  # the engine's copy, and the window's mirror
        copies = len(window.session.rows) * (processes if shared else processes + 1)
        result["history_copies"] = processes if shared else processes + 1
        result["history_mib"] = result["row_bytes"] * copies / 2**20
        window.close()
        app.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    show_and_play(app, window, timer, 10)
    result["engine_epochs_per_s"] = engine_epochs_per_s(exp, 5.0)
    print_result(result)


def main() -> None:
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else EPOCHS
    r = run_child(__file__, str(epochs), timeout=1800)
    samples = r["samples"]
    base = next(s for s in samples if s[0] >= min(WARM_UP, samples[-1][0]))
    last = samples[-1]
    drift = (last[2] - base[2]) / base[2]
    print(f"platform: {r['platform']}; default preset, {r['epochs']} epochs, all views live")
    print(" epoch     s   RSS MiB   vs warm-up")
    for epoch, seconds, mb in samples:
        print(f"{epoch:6d} {seconds:6.1f} {mb:9.1f}   {(mb - base[2]) / base[2]:+6.1%}")
    verdict = "PASS" if drift <= GOAL_DRIFT else "FAIL"
    print(f"drift after warm-up (epoch {base[0]} → {last[0]}): {drift:+.1%} "
          f"({last[2] - base[2]:+.1f} MiB; goal <= {GOAL_DRIFT:.0%}) {verdict}")
    print(f"epochs/s: window {r['window_epochs_per_s']:.0f} over the whole run, engine alone "
          f"{r['engine_epochs_per_s']:.0f} → {r['window_epochs_per_s'] / r['engine_epochs_per_s']:.0%}")
    by_design = (r["history_mib"] + r["loss_view_buffer_mib"]) * (last[0] - base[0]) / last[0]
    print(f"history kept by design: {r['rows_window']} metrics rows × {r['history_copies']} "
          f"({r['row_bytes']:.0f} B a row) {r['history_mib']:.1f} MiB, loss-view curve buffers "
          f"{r['loss_view_buffer_mib']:.1f} MiB; ≈ {by_design:.1f} MiB of the drift's {last[2] - base[2]:.1f} MiB")
    print(f"Python objects grown since warm-up (type, count): {r['types_grown']}")
    print(json.dumps({"bench": "soak", "epochs": r["epochs"], "rss_warm_up_mib": round(base[2], 1),
                  "rss_last_mib": round(last[2], 1), "drift_pct": round(100 * drift, 2), "pass": drift <= GOAL_DRIFT,
                  "window_epochs_per_s": round(r["window_epochs_per_s"], 1),
                  "engine_epochs_per_s": round(r["engine_epochs_per_s"], 1)}))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        main()
