"""Contours of a decision grid, in numpy: the 0.5 line of a probability grid (marching squares) and the edges
between a multiclass grid's likeliest classes, in data coordinates over the grid's extent."""

from __future__ import annotations

import numpy as np

#: marching squares: the segments of each case, as pairs of the cell's edges — 0 top (row i, columns j … j + 1),
#: 1 left (column j), 2 bottom (row i + 1), 3 right (column j + 1). A case sets bit 1 for corner (i, j), 2 for
#: (i + 1, j), 4 for (i, j + 1), 8 for (i + 1, j + 1) when its value is below the level. Saddles (6, 9) join the
#: top-left and the bottom-right edges, as pyqtgraph's isocurve does.
SEGMENTS = {1: [(0, 1)], 2: [(1, 2)], 3: [(0, 2)], 4: [(0, 3)], 5: [(1, 3)], 6: [(0, 1), (2, 3)], 7: [(2, 3)],
            8: [(2, 3)], 9: [(0, 1), (2, 3)], 10: [(1, 3)], 11: [(0, 3)], 12: [(0, 2)], 13: [(1, 2)], 14: [(0, 1)]}
_EDGE_IDS: dict[tuple[int, int], np.ndarray] = {}


def _edge_ids(rows: int, columns: int) -> np.ndarray:
    """(4, rows - 1, columns - 1): the number of each cell's edges; horizontal edges first, then vertical ones."""
    if (rows, columns) not in _EDGE_IDS:
        horizontal = rows * (columns - 1)
        i, j = np.mgrid[0 : rows - 1, 0 : columns - 1]
        _EDGE_IDS[rows, columns] = np.stack([i * (columns - 1) + j, horizontal + i * columns + j,
                                             (i + 1) * (columns - 1) + j, horizontal + i * columns + j + 1])
    return _EDGE_IDS[rows, columns]


def iso_lines(grid: np.ndarray, level: float) -> list[np.ndarray]:
    """The ``level`` contour of ``grid`` by marching squares: polylines of (row, column) points in pixel units.

    The same lines as ``pg.functions.isocurve(grid, level, connected=True)`` (a closed line repeats its first
    point), in numpy instead of a Python loop over the cells: ~0.3 ms instead of ~4 ms for 64 × 64.
    """
    data = np.asarray(grid, dtype=float)
    rows, columns = data.shape
    if rows < 2 or columns < 2:
        return []
    below = data < level
    case = below[:-1, :-1] * 1 + below[1:, :-1] * 2 + below[:-1, 1:] * 4 + below[1:, 1:] * 8
    edge_id = _edge_ids(rows, columns)
    starts, ends = [], []
    for k, pairs in SEGMENTS.items():
        cells = case == k
        if cells.any():
            for e1, e2 in pairs:
                starts.append(edge_id[e1][cells])
                ends.append(edge_id[e2][cells])
    if not starts:
        return []
    a, b = np.concatenate(starts), np.concatenate(ends)
    ids, point = np.unique(np.concatenate([a, b]), return_inverse=True)  # the crossed edges, as points 0 … n-1
    n, m = len(ids), len(a)
    # each point lies on at most two segments: its neighbours along the line
    other = np.concatenate([point[m:], point[:m]])
    order = np.argsort(point, kind="stable")
    mine, theirs = point[order], other[order]
    first = np.ones(2 * m, bool)
    first[1:] = mine[1:] != mine[:-1]
    neighbours = np.full((n, 2), -1)
    neighbours[mine[first], 0] = theirs[first]
    neighbours[mine[~first], 1] = theirs[~first]
    # where the level crosses each edge, interpolated between its two pixels' centres (k + 0.5)
    horizontal = ids < rows * (columns - 1)
    vertical_id = ids - rows * (columns - 1)
    r = np.where(horizontal, ids // (columns - 1), vertical_id // columns)
    c = np.where(horizontal, ids % (columns - 1), vertical_id % columns)
    r2, c2 = r + ~horizontal, c + horizontal
    v1, v2 = data[r, c], data[r2, c2]
    f = (level - v1) / (v2 - v1)
    points = np.stack([r + f * (r2 - r) + 0.5, c + f * (c2 - c) + 0.5], -1)
    # walk the lines: open ones from an end (a point with one neighbour), then the loops that are left
    n0, n1 = neighbours[:, 0].tolist(), neighbours[:, 1].tolist()
    seen = [False] * n
    lines = []
    for start in [p for p in range(n) if n1[p] < 0] + list(range(n)):
        if seen[start]:
            continue
        seen[start] = True
        line, previous, current = [start], -1, start
        while True:
            step = n0[current] if n0[current] != previous else n1[current]
            if step < 0 or (seen[step] and step != start) or (step == start and len(line) < 3):
                break
            line.append(step)
            if step == start:  # a loop: closed by its first point again
                break
            seen[step] = True
            previous, current = current, step
        lines.append(points[line])
    return lines


def contour_lines(
    grid: np.ndarray, level: float, extent: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the ``level`` contour of ``grid`` (rows = y) over ``extent``, its lines separated by NaN."""
    x_min, x_max, y_min, y_max = extent
    rows, columns = grid.shape
    points = []
    # Vertices come in pixel units, pixel k spanning k … k + 1 (its value sits at its centre, k + 0.5).
    for line in iso_lines(grid, level):
        points.extend([line, np.full((1, 2), np.nan)])
    if not points:
        return np.array([]), np.array([])
    row, column = np.concatenate(points).T
    return x_min + column / columns * (x_max - x_min), y_min + row / rows * (y_max - y_min)


def class_boundaries(grid: np.ndarray, extent: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the lines between the regions of a (64, 64, C) probability grid's likeliest classes, NaN-separated.

    Region k is where p_k beats every other class: its edge is the 0 contour of p_k − max over the others.
    """
    xs, ys = [], []
    for k in range(grid.shape[-1]):
        lead = grid[..., k] - np.delete(grid, k, axis=-1).max(axis=-1)
        x, y = contour_lines(lead, 0.0, extent)
        xs.append(x)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)
