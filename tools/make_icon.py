"""Draws RegLab's icon (resources/icons/reglab.png and .ico): a small network whose middle layer has one unit
switched off by dropout — the picture the app is about. Run it again only to change the icon:

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/make_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZE = 256
BLUE, ORANGE, GREY, BACKGROUND = QColor("#0072B2"), QColor("#E69F00"), QColor("#9aa5b1"), QColor("#1f2a36")


def draw(size: int = SIZE) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(BACKGROUND)
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 44 * s, 44 * s)
    layers = [[88, 168], [60, 128, 196], [128]]
    xs = [56, 128, 200]
    off = (1, 2)  # layer 1, unit 2: dropped out
    nodes = [[QPointF(x * s, y * s) for y in ys] for x, ys in zip(xs, layers, strict=True)]
    for li in range(2):
        for a_i, a in enumerate(nodes[li]):
            for b_i, b in enumerate(nodes[li + 1]):
                dropped = (li, a_i) == off or (li + 1, b_i) == off
                colour = QColor(GREY if dropped else (BLUE if (a_i + b_i) % 2 else ORANGE))
                colour.setAlpha(70 if dropped else 255)
                p.setPen(QPen(colour, (4 if dropped else 9) * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                p.drawLine(a, b)
    for li, layer in enumerate(nodes):
        for ni, centre in enumerate(layer):
            dropped = (li, ni) == off
            p.setPen(QPen(QColor("white") if not dropped else GREY, 6 * s))
            p.setBrush(BACKGROUND if dropped else QColor("#f4f6f8"))
            p.drawEllipse(centre, 20 * s, 20 * s)
            if dropped:  # the unit dropout switched off: a cross
                p.setPen(QPen(ORANGE, 7 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                d = 11 * s
                p.drawLine(centre + QPointF(-d, -d), centre + QPointF(d, d))
                p.drawLine(centre + QPointF(-d, d), centre + QPointF(d, -d))
    p.end()
    return image


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv)
    ICONS.mkdir(parents=True, exist_ok=True)
    png = ICONS / "reglab.png"
    draw().save(str(png))
    from PIL import Image  # Pillow (matplotlib's dependency) writes the multi-size Windows icon

    Image.open(png).save(ICONS / "reglab.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(f"wrote {png} and {png.with_suffix('.ico')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
