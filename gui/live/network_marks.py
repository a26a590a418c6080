"""What the network view writes at its columns: each column's name and size, and small marks for what acts on a
layer besides its weights — its max-norm constraint, batch norm and Gaussian noise (the dropout rate has a line of
its own, at the bottom).

The marks of a column are listed in the order the layer applies them (the constraint on the Dense kernel, batch norm
between the Dense layer and its activation, noise after the activation) and packed on as few lines as the column's
width holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

from engine.spec import HiddenLayer, Network

MARK_PX = 12  # the marks' type (px at zoom 1): a step below the columns' labels, still legible
MARK_LINES = 3  # lines of marks a column can take: one per mark at most (max-norm, batch norm, noise)
SEPARATOR = " · "

MAX_NORM_TIP = ("Max-norm constraint: after every training step, each unit's incoming weight vector is scaled back "
                "to length ‖w‖ ≤ c = {c:g} if it is longer (Keras' MaxNorm({c:g}, axis=0)).")
BATCH_NORM_TIP = ("Batch normalization, between the Dense layer and its activation: while training, each unit's value "
                  "is standardized over the batch, then scaled and shifted by the learned γ and β; at evaluation the "
                  "moving averages of the batch means and variances are used instead.")
NOISE_TIP = ("Gaussian noise σ = {sigma:g}: while training, noise drawn from N(0, σ²) is added to each of {what}, "
             "fresh for every example and step; none at evaluation.")
NOISE_ON = {"inputs": "the inputs as the network sees them (before input dropout)",
            "hidden": "this layer's outputs, after the activation and before dropout"}


@dataclass(frozen=True)
class Mark:
    text: str  # "noise σ 0.1"
    short: str  # "σ 0.1", for a narrow column
    tip: str


def noise_mark(sigma: float, where: str) -> Mark:
    return Mark(f"noise σ {sigma:g}", f"σ {sigma:g}", NOISE_TIP.format(sigma=sigma, what=NOISE_ON[where]))


def layer_marks(layer: HiddenLayer) -> list[Mark]:
    """A hidden layer's marks, in the order the layer applies them."""
    marks = []
    if layer.max_norm is not None:
        c = layer.max_norm
        marks.append(Mark(f"‖w‖ ≤ {c:g}", f"‖w‖≤{c:g}", MAX_NORM_TIP.format(c=c)))
    if layer.batch_norm:
        marks.append(Mark("BN", "BN", BATCH_NORM_TIP))
    if layer.noise:
        marks.append(noise_mark(layer.noise, "hidden"))
    return marks


def column_marks(net: Network) -> list[list[Mark]]:
    """Per column (inputs, hidden layers…, output): its marks; the output layer has none."""
    inputs = [noise_mark(net.input_noise, "inputs")] if net.input_noise else []
    return [inputs, *(layer_marks(layer) for layer in net.hidden), []]


def pack(texts: list[str], room: float, width: Callable[[str], float]) -> list[str]:
    """``texts`` in order on as few lines as fit ``room`` px, joined by SEPARATOR; a text wider than ``room`` takes
    a line of its own."""
    lines: list[str] = []
    for text in texts:
        if lines and width(lines[-1] + SEPARATOR + text) <= room:
            lines[-1] += SEPARATOR + text
        else:
            lines.append(text)
    return lines


def mark_lines(net: Network, metrics: QFontMetricsF, dx: float, left: float, zoom: float) -> list[list[str]]:
    """Per column, its marks packed into lines no wider than the room between it and its neighbours, ``dx`` apart
    (the first ``left`` from the edge), the short forms where a mark alone is wider."""
    lines = []
    for c, marks in enumerate(column_marks(net)):
        room = dx - 8 * zoom if c else min(dx - 8 * zoom, 2 * (left - 2 * zoom))  # the inputs: not past the edge
        full = all(metrics.horizontalAdvance(mark.text) <= room for mark in marks)
        lines.append(pack([mark.text if full else mark.short for mark in marks], room, metrics.horizontalAdvance))
    return lines


def place_marks(items: list[list[pg.TextItem]], lines: list[list[str]], net: Network, xs: list[float],
                bottom: float, height: float) -> None:
    """Each column's lines of marks at its x, the last ending at ``bottom``, ``height`` apart; hovering a line shows
    what its marks do."""
    for x, column_items, column_lines, marks in zip(xs, items, lines, column_marks(net), strict=True):
        tip = "\n\n".join(mark.tip for mark in marks)
        for k, item in enumerate(column_items):
            text = column_lines[k] if k < len(column_lines) else ""
            item.setText(text)
            for target in (item, item.textItem):  # the scene shows the tooltip of the item under the pointer
                target.setToolTip(tip if text else "")
            item.setPos(x, bottom - (len(column_lines) - 1 - k) * height)


def column_labels(net: Network, sizes: list[int], drawn: list[int], short: bool) -> list[tuple[str, str, str, str]]:
    """Per column: name, size (and activation), "… 512 units" when not all are drawn, "dropout 0.2" when on."""
    rates = [net.input_dropout, *(h.dropout for h in net.hidden), 0.0]
    texts = []
    for c, n in enumerate(sizes):
        if c == 0:
            name, info, what = ("in" if short else "inputs"), f"{n} feature{'s' * (n != 1)}", "features"
        elif c == len(sizes) - 1:
            name, info, what = ("out" if short else "output"), f"{n} unit{'s' * (n != 1)}", "units"
        else:
            name, info, what = f"{'h' if short else 'hidden '}{c}", f"{n} {net.hidden[c - 1].activation}", "units"
        if short and c in (0, len(sizes) - 1):
            info = str(n)
        more = "" if drawn[c] == n else f"… {n}" if short else f"… {n} {what}"
        dropout = f"{'drop' if short else 'dropout'} {rates[c]:g}" if rates[c] else ""
        texts.append((name, info, more, dropout))
    return texts
