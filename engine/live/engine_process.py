"""The engine process: a :class:`~engine.live.live_engine.LiveEngine` behind one pipe (engine/live/engine_link.py is
the window's end).

The window starts it at launch ("spawn": a fresh interpreter), before building itself, so TensorFlow's import
(seconds of Python holding its lock) runs on the other core while the window is built and shown. Three threads:

- the engine's loop trains (commands handled between epochs);
- a receiver reads the window's messages: ("command", Command, payload), ("cancel_study",), ("quit",);
- the main thread publishes every PUBLISH_S what is new (:meth:`Publisher.news`): every new metrics row, the latest
  snapshot (latest wins: at most 60 a second, what the window's render timer can show), the status, events, the
  study's news (engine/live/study_delta.py).

The transport is one pipe carrying pickled messages (protocol 5): a snapshot of the default preset — weights,
histograms, a 64 × 64 decision grid — is tens of kilobytes, a few at most every frame, well within what a pipe
moves, so shared memory would add machinery for no visible gain. What it carries and costs is counted
(:class:`Sender`) and printed by bench/gui_speed.py.

"quit" (or the window's end of the pipe closing: the window is gone) stops the loop between epochs, lets a file being
written finish, says "bye" and ends the process at once (os._exit: TensorFlow's own teardown takes a second or
more, and there is nothing left to keep).
"""

from __future__ import annotations

import os
import pickle
import threading
import time

PUBLISH_S = 1 / 60
#: how long the loop may take to reach the end of an epoch when told to quit
QUIT_WAIT_S = 0.5


class Publisher:
    """What the window has not been sent yet, as one message's dict (None: nothing new)."""

    def __init__(self, engine):
        from engine.live.study_delta import StudySender

        self.engine = engine
        self.run_id, self.rows_sent = -1, 0
        self.snapshot = self.status = self.uncertainty = self.landscape = self.experiment = None
        self.pending = None
        self.study = StudySender()

    def news(self) -> dict | None:
        engine = self.engine
        updates = engine.take_updates(self.rows_sent, self.run_id)
        news: dict = {}
        if updates.run_id != self.run_id:
            self.run_id, self.rows_sent = updates.run_id, 0
            news["run_id"] = updates.run_id
        if updates.new_rows:
            news["rows"] = updates.new_rows
            self.rows_sent += len(updates.new_rows)
        for name in ("snapshot", "uncertainty", "landscape"):
            value = getattr(updates, name)
            if value is not getattr(self, name):
                setattr(self, name, value)
                news[name] = value
        if updates.status != self.status:
            self.status = updates.status
            news["status"] = updates.status
        pending = (engine.taken, engine.commands_pending)
        if pending != self.pending:
            self.pending = pending
            news["taken"], news["pending"] = pending
        events = engine.take_events()
        if events:
            news["events"] = events
        study = self.study.delta(engine.take_study())
        if study is not None:
            news["study"] = study
        if engine.experiment is not self.experiment:
            self.experiment = engine.experiment
            news["experiment"] = engine.experiment
        return news or None


def serve(conn, first_run_id: int = 0, preload: bool = True) -> None:
    """The engine process's main: until "quit" or the window's end of ``conn`` closes. Run ids go on from
    ``first_run_id`` (a fresh engine after one that ended: the window's curves belong to the old runs)."""
    from engine.live.live_engine import LiveEngine

    engine = LiveEngine(first_run_id=first_run_id, preload=preload)  # TensorFlow now, while the window builds
    engine.start()
    quit_now = threading.Event()
    threading.Thread(target=_receive, args=(conn, engine, quit_now), name="RegLab engine receiver",
                     daemon=True).start()
    publisher = Publisher(engine)
    sender = Sender(conn)
    try:
        while not quit_now.wait(PUBLISH_S):
            news = publisher.news()
            if news is not None:
                sender.send("news", news)
        engine.stop(QUIT_WAIT_S)
        engine.forbid_writes()  # a model or a log being written is finished first
        news = publisher.news()
        if news is not None:
            sender.send("news", news)
        sender.send("bye", None)
    except (OSError, EOFError):  # the window is gone: nobody to tell
        engine.stop(0)
        engine.forbid_writes()
    os._exit(0)


class Sender:
    """Pickles each message itself (protocol 5) and counts what the pipe carries: the transport's cost, which the
    window shows its benchmark (``news["transport"]``: messages, bytes and seconds spent pickling and sending)."""

    def __init__(self, conn):
        self.conn = conn
        self.messages = self.bytes = 0
        self.seconds = 0.0

    def send(self, kind: str, news) -> None:
        start = time.perf_counter()
        if kind == "news":
            news["transport"] = (self.messages, self.bytes, self.seconds)
        data = pickle.dumps((kind, news), protocol=pickle.HIGHEST_PROTOCOL)
        self.conn.send_bytes(data)
        self.messages += 1
        self.bytes += len(data)
        self.seconds += time.perf_counter() - start


def _receive(conn, engine, quit_now: threading.Event) -> None:
    from engine.live.vocabulary import Command

    while True:
        try:
            kind, *rest = conn.recv()
        except (EOFError, OSError):
            quit_now.set()
            return
        if kind == "command":
            command, payload = rest
            engine.send(Command[command], payload)
        elif kind == "cancel_study":
            engine.cancel_study()
        elif kind == "quit":
            quit_now.set()
            return
