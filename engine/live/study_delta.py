"""A study's progress across the engine process's pipe: only what is new since the last message.

The engine's :class:`~engine.studies.progress.StudyProgress` grows while a study trains (curves and rows only
appended, fields replaced: engine/studies/progress.py). :class:`StudySender` (engine process) turns what is new
into a small dict; :class:`StudyMirror` (window process) applies it to a progress object of its own, which grows
the same way, so the study pages read it exactly as they would read the engine's.
"""

from __future__ import annotations

from engine.studies.progress import Curve, StudyProgress


class StudySender:
    """What the window has not seen of the engine's latest study."""

    def __init__(self) -> None:
        self.progress: StudyProgress | None = None

    def delta(self, progress: StudyProgress | None) -> dict | None:
        """The news since the last call (None: nothing new). A new study object starts over (``"new": True``)."""
        if progress is None:
            return None
        news: dict = {}
        if progress is not self.progress:
            self.progress = progress
            self.rows_sent: list[int] = []
            self.done_sent: list[bool] = []
            self.snapshots_sent: list[object] = []
            self.table_sent: tuple | None = None
            self.head_sent: tuple | None = None
            news = {"new": True, "kind": progress.kind, "title": progress.title}
        head = (progress.metric, progress.message, progress.done)
        if head != self.head_sent:
            self.head_sent = head
            news["head"] = head
        curves = []
        for i, curve in enumerate(list(progress.curves)):
            unseen = i == len(self.rows_sent)
            if unseen:
                self.rows_sent.append(0)
                self.done_sent.append(False)
                self.snapshots_sent.append(None)
            count = len(curve.rows)
            rows = curve.rows[self.rows_sent[i]:count]
            snapshot = curve.snapshot if curve.snapshot is not self.snapshots_sent[i] else None
            if unseen or rows or snapshot is not None or curve.done != self.done_sent[i]:
                curves.append((i, curve.label, rows, curve.done, snapshot))
                self.rows_sent[i] = count
                self.done_sent[i] = curve.done
                if snapshot is not None:
                    self.snapshots_sent[i] = snapshot
        if curves:
            news["curves"] = curves
        table = list(progress.table)
        # The message changes every epoch; the table and result only when a run ends, a result is added (a path's
        # weights, the best value, the test score) or the study ends (a compare puts its rows in order then).
        key = (len(table), progress.done, len(progress.result), len(progress.result.get("lines", ())))
        if key != self.table_sent:
            self.table_sent = key
            news["table"] = table
            news["result"] = dict(progress.result)
        return news or None


class StudyMirror:
    """The window's copy of the engine's latest study, grown from :meth:`StudySender.delta`'s news."""

    def __init__(self) -> None:
        self.progress: StudyProgress | None = None

    def apply(self, news: dict) -> None:
        if news.get("new"):
            self.progress = StudyProgress(news["kind"], news["title"])
        progress = self.progress
        if progress is None:
            return
        if "head" in news:
            progress.metric, progress.message, progress.done = news["head"]
        for i, label, rows, done, snapshot in news.get("curves", ()):
            if i == len(progress.curves):
                progress.curves.append(Curve(label))
            curve = progress.curves[i]
            curve.rows.extend(rows)
            if snapshot is not None:
                curve.snapshot = snapshot
            curve.done = done
        if "table" in news:
            progress.table = news["table"]  # one assignment: a reader sees the old table or the new one
            progress.result = news["result"]
