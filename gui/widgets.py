"""Small controls shared by the side panels: a log-scale λ slider, a dropout-rate slider, zoom and signal helpers.

No style sheets here: a widget with a style sheet stops following its parent's font, and every panel
zooms by setting one font on itself (``set_zoom``). Colours go through the palette instead.

Both sliders emit ``value_changed(float)`` only for what the user did; ``set_value`` never emits. Each
also counts *gestures* (``gesture``): it changes when a drag ends or a value is typed, so a panel can
put the gesture into its undo merge key — one drag is one undo step, and the next drag is another. What they
share (the slider, the signal, the gesture count) is their base, ``_SliderWithText``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QSlider, QWidget

from gui.plotting import palette

LAMBDA_MIN = 1e-6
LAMBDA_MAX = 10.0
STEPS_PER_DECADE = 100
DEFAULT_LAMBDA = 1e-3
DEFAULT_DROPOUT = 0.2
SLIDER_MAX_DROPOUT = 0.9

HINT_COLOUR = (85, 85, 85)


@contextmanager
def signals_blocked(*objects) -> Iterator[None]:
    """Set controls from the spec without their change signals firing (so no edit is re-emitted)."""
    blockers = [QSignalBlocker(o) for o in objects]
    try:
        yield
    finally:
        for b in blockers:
            b.unblock()


def format_lambda(value: float) -> str:
    """0.001 → "0.001", 1e-05 → "1e-05", 0.00125893 → "0.00126" (three significant digits at most)."""
    return f"{float(f'{value:.3g}'):g}"


def zoomed_font(base: QFont, factor: float) -> QFont:
    """``base`` scaled by ``factor`` (by points when it has a point size, else by pixels)."""
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(max(1.0, base.pointSizeF() * factor))
    elif base.pixelSize() > 0:
        font.setPixelSize(max(1, round(base.pixelSize() * factor)))
    return font


def set_text_colour(widget: QWidget, colour: tuple[int, int, int]) -> None:
    pal = widget.palette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        pal.setColor(role, QColor(*colour))
    widget.setPalette(pal)


def hint_label(text: str = "", colour: tuple[int, int, int] = HINT_COLOUR) -> QLabel:
    """A grey, word-wrapped line of explanation."""
    label = QLabel(text)
    label.setWordWrap(True)
    set_text_colour(label, colour)
    return label


class SteadyLabel(QLabel):
    """A one-line label for text that changes every epoch (an epoch counter, a loss value).

    Qt lays out a label's parents again whenever its text changes (the status bar and the main window, every
    frame), unless the label has a fixed size. This label keeps a fixed size that only grows with its text, so
    a new number repaints the label alone; ``fit_text`` shrinks it to its text again (on a new run or state),
    and so does a change of font (zoom).
    """

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.fit_text()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        hint = self.sizeHint()  # a QLabel's size hint is never below its minimum size: this only grows
        if hint != self.minimumSize():
            self.setFixedSize(hint)

    def fit_text(self) -> None:
        """Shrink (or grow) to the current text exactly."""
        self.setMinimumSize(0, 0)  # a label's size hint is never below its minimum size
        text = self.text()
        super().setText("")  # make the label measure its text again (it keeps the size found last)
        super().setText(text)
        self.setFixedSize(self.sizeHint())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.fit_text()


def align_form_labels(*forms: QFormLayout) -> None:
    """Give the labels of several forms one width, so their fields line up (call again after a font change)."""
    labels = [
        item.widget()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None and item.widget() is not None
    ]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


class LambdaField(QLineEdit):
    """The λ text field; while its text is not a valid λ it is framed in vermillion."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.invalid = False

    def set_invalid(self, invalid: bool) -> None:
        if invalid != self.invalid:
            self.invalid = invalid
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.invalid:
            painter = QPainter(self)
            painter.setPen(QPen(QColor(*palette.VERMILLION), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
            painter.end()


class _SliderWithText(QWidget):
    """A horizontal slider from 0 to ``positions`` and, beside it, the value as text (a subclass adds that widget).

    ``value_changed(float)`` is emitted only for what the user did; ``gesture`` counts the drags (a subclass
    counts typed values too); ``_fit_text`` is called again when the font changes.
    """

    value_changed = Signal(float)

    def __init__(self, value: float, positions: int, page_step: int, parent: QWidget | None = None):
        super().__init__(parent)
        self._value = value
        self.gesture = 0
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, positions)
        self.slider.setPageStep(page_step)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.sliderReleased.connect(self._end_gesture)

    def value(self) -> float:
        return self._value

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_text()

    def _place_text(self, text: QWidget) -> None:
        """``text`` beside the slider, fitted to the font."""
        self._fit_text()
        self.layout().addWidget(text)

    def _fit_text(self) -> None:
        raise NotImplementedError

    def _slider_moved(self, pos: int) -> None:
        raise NotImplementedError

    def _end_gesture(self) -> None:
        self.gesture += 1


class LogSlider(_SliderWithText):
    """λ on a log scale from 1e-6 to 10 (100 slider steps per decade) and a field to type it exactly."""

    def __init__(self, value: float = DEFAULT_LAMBDA, parent: QWidget | None = None):
        super().__init__(value, round(math.log10(LAMBDA_MAX / LAMBDA_MIN)) * STEPS_PER_DECADE, STEPS_PER_DECADE,
                         parent)
        self.slider.setToolTip("Drag: λ on a log scale, 10⁻⁶ … 10")
        self.field = LambdaField()
        self.field.setMaxLength(24)
        self.field.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.field.setToolTip(self._range_text())
        self._place_text(self.field)
        self.field.editingFinished.connect(self._text_entered)
        self.set_value(value)

    # ---------------------------------------------------------------- public
    def set_value(self, value: float) -> None:
        """Show ``value`` without emitting (values outside the slider's range pin it to an end)."""
        self._value = float(value)
        with signals_blocked(self.slider):
            self.slider.setValue(self._position(self._value))
        self._show_text(f"{self._value:g}")
        self._mark_invalid(False)

    def is_invalid(self) -> bool:
        return self.field.invalid

    # ---------------------------------------------------------------- internals
    def _fit_text(self) -> None:
        self.field.setFixedWidth(self.field.fontMetrics().horizontalAdvance("0.000000") + 16)

    def _show_text(self, text: str) -> None:
        self._shown = text
        self.field.setText(text)

    @staticmethod
    def _range_text() -> str:
        return f"λ: type a number from {LAMBDA_MIN:g} to {LAMBDA_MAX:g} and press Enter"

    def _position(self, value: float) -> int:
        if value <= 0:
            return 0
        pos = round((math.log10(value) - math.log10(LAMBDA_MIN)) * STEPS_PER_DECADE)
        return max(self.slider.minimum(), min(self.slider.maximum(), pos))

    def _slider_moved(self, pos: int) -> None:
        value = float(format_lambda(LAMBDA_MIN * 10 ** (pos / STEPS_PER_DECADE)))
        self._value = value
        self._show_text(format_lambda(value))
        self._mark_invalid(False)
        self.value_changed.emit(value)

    def _text_entered(self) -> None:
        text = self.field.text().strip()
        if text == self._shown:  # focus left the field without a change
            self._mark_invalid(False)
            return
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (LAMBDA_MIN <= value <= LAMBDA_MAX):  # also False for nan
            self._mark_invalid(True)
            return
        self._mark_invalid(False)
        self._shown = text
        if value == self._value:
            return
        self._value = value
        with signals_blocked(self.slider):
            self.slider.setValue(self._position(value))
        self.gesture += 1  # a typed value is an undo step of its own
        self.value_changed.emit(value)
        self.gesture += 1

    def _mark_invalid(self, invalid: bool) -> None:
        self.field.set_invalid(invalid)
        allowed = f"Allowed: a number from {LAMBDA_MIN:g} to {LAMBDA_MAX:g}"
        self.field.setToolTip(f"Not a valid λ. {allowed}" if invalid else self._range_text())


class RateSlider(_SliderWithText):
    """A dropout rate from 0 to ``maximum`` in steps of 0.01, with its value beside it ("0.20")."""

    def __init__(self, value: float = 0.0, maximum: float = SLIDER_MAX_DROPOUT, parent: QWidget | None = None):
        super().__init__(value, round(maximum * 100), 10, parent)
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._place_text(self.label)
        self.set_value(value)

    def set_value(self, value: float) -> None:
        self._value = float(value)
        with signals_blocked(self.slider):
            self.slider.setValue(max(0, min(self.slider.maximum(), round(self._value * 100))))
        self.label.setText(f"{self._value:.2f}")

    def _fit_text(self) -> None:
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("0.000") + 4)

    def _slider_moved(self, pos: int) -> None:
        self._value = pos / 100
        self.label.setText(f"{self._value:.2f}")
        self.value_changed.emit(self._value)
