"""Window speed: start-up, first epoch, render timer regularity, and training speed with every view live.

Runs the real window (offscreen unless a display is set) on the default preset at full speed for
RUN_SECONDS and prints:
- time from process start to the window shown (goal <= 1.0 s; the engine process imports TensorFlow meanwhile,
  and this process never does);
- time from Play, pressed as soon as the window shows, to the first epoch (goal <= 2.5 s), and from process start;
- p50/p99 interval of the render timer while the engine starts (from the window shown to the first epoch: TensorFlow
  loading and the model building in the engine process) and while training (goal p99 <= 20 ms in both);
- epochs/s in the window vs the engine alone on the same experiment, measured in the same run (goal >= 90 %);
- what the pipe from the engine carried: messages and bytes per second, and the engine's time to pickle and send;
- then, in the same run, the render interval and epochs/s again for RUN_SECONDS with the loss-landscape dock shown
  (View ▸ Loss landscape, the default pair, computed live: same goals), and what its landscapes cost the worker.

Run: `make bench` or `.venv/bin/python bench/gui_speed.py [seconds]`.
"""

from __future__ import annotations

import os
import sys
import time

from _window_run import engine_epochs_per_s, open_window, print_result, run_child

RUN_SECONDS = 10.0
SETTLE_MS = 1500  # after the dock shows: its first landscape (traced once) and the docks' new widths settle


def child(run_seconds: float) -> None:
    t0 = float(os.environ["REGLAB_T0"])
    from PySide6.QtCore import QTimer

    from gui.presets import default_experiment

    exp = default_experiment()
    exp.training.epochs = 1_000_000
    app, window = open_window(exp)
    result: dict = {}
    ticks: list[float] = []
    loop = window.render_loop
    render = loop.render

    groups: list[int] = []

    def timed_render():
        ticks.append(time.perf_counter())
        groups.append(loop.tick)
        render()

    loop.timer.timeout.disconnect()
    loop.timer.timeout.connect(timed_render)

    def shown():
        result["window_shown_s"] = time.time() - t0
        result["tensorflow_imported_at_show"] = "tensorflow" in sys.modules
        result["play_at"] = time.time()
        ticks.clear()
        window.toggle_play()
        poll.start(5)

    landscapes: list[float] = []  # the worker's seconds for each landscape drawn while measuring
    window.session.landscape_changed.connect(lambda frame: landscapes.append(frame.seconds))

    def check_first_epoch():
        if window.session.rows and "first_epoch_s" not in result:
            result["first_epoch_s"] = time.time() - t0
            result["play_to_first_epoch_s"] = time.time() - result["play_at"]
            intervals = sorted(b - a for a, b in zip(ticks, ticks[1:], strict=False))
            result["startup_render_p99_ms"] = 1000 * intervals[int(len(intervals) * 0.99)] if intervals else 0.0
            result["startup_renders"] = len(ticks)
            late = sorted(((b - a, a - ticks[0]) for a, b in zip(ticks, ticks[1:], strict=False)), reverse=True)[:3]
            result["startup_slowest"] = [(round(1000 * gap), round(at, 2)) for gap, at in late]
            poll.stop()
            start_phase()

    def start_phase():
        result["start_epoch"] = window.session.status.epoch
        result["start_transport"] = transport()
        ticks.clear()
        groups.clear()
        landscapes.clear()
        QTimer.singleShot(int(run_seconds * 1000), finish)

    def finish():
        render()
        phase = "landscape" if window.landscape.shown else "plain"
        result[phase] = phase_result()
        if phase == "plain":
            window.landscape.dock.show()  # as View ▸ Loss landscape does; training goes on at full speed
            QTimer.singleShot(SETTLE_MS, start_phase)
            return
        window.close()
        app.quit()

    def phase_result() -> dict:
        out = {"window_epochs_per_s": (window.session.status.epoch - result["start_epoch"]) / (
            time.perf_counter() - ticks[0])}
        intervals = sorted(b - a for a, b in zip(ticks, ticks[1:], strict=False))
        out["render_p50_ms"] = 1000 * intervals[len(intervals) // 2]
        out["render_p99_ms"] = 1000 * intervals[int(len(intervals) * 0.99)]
        out["renders"] = len(ticks)
        by_group: dict = {}
        for g, a, b in zip(groups, ticks, ticks[1:], strict=False):  # the interval after each group's turn
            by_group.setdefault((g + 1) % len(loop.groups), []).append(b - a)
        turns = loop.turns
        out["p90_ms_after_turn"] = {turns[g]: round(1000 * sorted(v)[int(len(v) * 0.9)], 1)
                                    for g, v in sorted(by_group.items())}
        messages, sent, seconds = (now - then for now, then in zip(transport(), result["start_transport"],
                                                                     strict=True))
        span = time.perf_counter() - ticks[0]
        out["pipe_messages_per_s"], out["pipe_kb_per_s"] = messages / span, sent / 1024 / span
        out["pipe_send_ms_each"] = 1000 * seconds / max(messages, 1)
        out["landscapes"] = len(landscapes)
        out["landscape_ms_median"] = 1000 * sorted(landscapes)[len(landscapes) // 2] if landscapes else 0.0
        return out

    def transport() -> tuple:
        return getattr(window.session.worker.engine, "transport", (0, 0, 0.0))

    poll = QTimer()
    poll.timeout.connect(check_first_epoch)
    window.show()
    QTimer.singleShot(0, shown)
    app.exec()

    result["engine_epochs_per_s"] = engine_epochs_per_s(exp, min(run_seconds, 5.0))
    print_result(result)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else RUN_SECONDS
    r = run_child(__file__, str(seconds), timeout=300, env_extra={"REGLAB_T0": repr(time.time())})
    print(f"platform: {r['platform']}; default preset, all views live")
    print(f"process start → window shown: {r['window_shown_s']:.2f} s (goal <= 1.0 s); "
          f"TensorFlow imported by then: {r['tensorflow_imported_at_show']}")
    print(f"Play (pressed as soon as the window shows) → first epoch: {r['play_to_first_epoch_s']:.2f} s "
          f"(goal <= 2.5 s); process start → first epoch {r['first_epoch_s']:.2f} s")
    print(f"render timer while the engine starts (window shown → first epoch): p99 "
          f"{r['startup_render_p99_ms']:.1f} ms (goal <= 20 ms; {r['startup_renders']} frames; the slowest, "
          "ms at s after the window showed: " + ", ".join(f"{ms} at {at}" for ms, at in r["startup_slowest"]) + ")")
    for phase, title in (("plain", "loss landscape hidden"), ("landscape", "loss landscape shown")):
        print_phase(title, r[phase], r["engine_epochs_per_s"], seconds)


def print_phase(title: str, p: dict, engine: float, seconds: float) -> None:
    print(f"-- {title}, {seconds:.0f} s of training:")
    print(f"render timer interval: p50 {p['render_p50_ms']:.1f} ms, p99 {p['render_p99_ms']:.1f} ms "
          f"(goal p99 <= 20 ms; {p['renders']} frames)")
    print(f"epochs/s: window {p['window_epochs_per_s']:.0f}, engine alone {engine:.0f} "
          f"→ {p['window_epochs_per_s'] / engine:.0%} (goal >= 90 %)")
    print(f"pipe from the engine: {p['pipe_messages_per_s']:.0f} messages/s, {p['pipe_kb_per_s']:.0f} KiB/s, "
          f"{p['pipe_send_ms_each']:.2f} ms of the engine's time each (pickling and sending)")
    print("p90 interval after each turn of the render timer: "
          + ", ".join(f"{turn} {ms:.1f}" for turn, ms in p["p90_ms_after_turn"].items()))
    if p["landscapes"]:
        print(f"landscapes drawn: {p['landscapes']} ({p['landscapes'] / seconds:.1f}/s), "
              f"median {p['landscape_ms_median']:.0f} ms of the worker's time each")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(float(sys.argv[2]))
    else:
        main()
