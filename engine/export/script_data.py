"""The data half of the exported Keras script: ``load_data()`` and what it needs, as :mod:`engine.data` does it.

Toy data sets are generated inline by a copy of RegLab's generator (the same seed gives the same arrays; a test
compares them), the rows are split and the features scaled as RegLab does, so the script trains on RegLab's arrays.
"""

from __future__ import annotations

from engine.export.script_text import call, number, py_str

# --------------------------------------------------------------------------- toy generators (as engine/data/bundled.py)

_TWO_CLASSES = '''
def two_classes(n):
    """Labels 0 then 1, half of the rows each."""
    return np.repeat([0, 1], [n // 2, n - n // 2])


def shuffled(rng, x, y):
    order = rng.permutation(len(y))
    return x[order], y[order]
'''

_TOY = {
    "circle": '''
def make_data(n, noise, seed):
    """A disc of one class inside a ring of the other."""
    return make_circles(n_samples=n, noise=0.25 * noise, factor=0.5, random_state=seed)
''',
    "moons": '''
def make_data(n, noise, seed):
    """Two interleaving half circles, centred on the origin."""
    x, y = make_moons(n_samples=n, noise=0.5 * noise, random_state=seed)
    return x - [0.5, 0.25], y
''',
    "tabular": '''
def make_data(n, noise, seed):
    """Ten features, five informative, two redundant; noise flips labels."""
    return make_classification(
        n_samples=n,
        n_features=10,
        n_informative=5,
        n_redundant=2,
        flip_y=0.3 * noise,
        class_sep=1.0,
        random_state=seed,
    )
''',
    "xor": _TWO_CLASSES + '''

def make_data(n, noise, seed):
    """Points in the four quadrants; label 1 where x1 and x2 have the same sign."""
    rng = np.random.default_rng(seed)
    y = two_classes(n)
    signs = rng.choice([-1.0, 1.0], size=n)
    first = signs * rng.uniform(0.05, 1.0, size=n)  # a small gap around the axes
    same_sign = np.where(y == 1, 1.0, -1.0) * np.sign(first)
    second = same_sign * rng.uniform(0.05, 1.0, size=n)
    x = np.column_stack([first, second])
    x += rng.normal(0.0, 0.4 * noise, size=(n, 2))
    return shuffled(rng, x, y)
''',
    "gaussian": _TWO_CLASSES + '''

def make_data(n, noise, seed):
    """Two round blobs on the diagonal."""
    rng = np.random.default_rng(seed)
    y = two_classes(n)
    centres = np.where(y[:, None] == 1, 0.6, -0.6)
    x = centres + rng.normal(0.0, 0.1 + 0.8 * noise, size=(n, 2))
    return shuffled(rng, x, y)
''',
    "spiral": _TWO_CLASSES + '''

def make_data(n, noise, seed):
    """Two interleaved spiral arms, 1.75 turns each."""
    rng = np.random.default_rng(seed)
    y = two_classes(n)
    k = n // 2
    radius = np.concatenate([np.linspace(0.0, 1.0, k), np.linspace(0.0, 1.0, n - k)])
    angle = 1.75 * 2 * np.pi * radius + np.pi * y
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    x += rng.normal(0.0, 0.15 * noise, size=(n, 2))
    return shuffled(rng, x, y)
''',
    "plane": '''
def make_data(n, noise, seed):
    """y = (x1 + x2) / 2 plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = 0.5 * (x[:, 0] + x[:, 1]) + rng.normal(0.0, 0.5 * noise, size=n)
    return x, y
''',
    "ripple": '''
def make_data(n, noise, seed):
    """y = sin(2π·radius) plus noise: rings around the origin."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    radius = np.hypot(x[:, 0], x[:, 1])
    y = np.sin(2 * np.pi * radius) + rng.normal(0.0, 0.5 * noise, size=n)
    return x, y
''',
}
_SKLEARN_MAKERS = {"circle": "make_circles", "moons": "make_moons", "tabular": "make_classification"}

# --------------------------------------------------------------------------- shared pieces of load_data

_SPLIT = '''
def split_rows(y, classification):
    """A seeded random split into training and validation rows (as RegLab does it).

    For classification it is stratified when every class has at least 2 rows: each
    class keeps its share in both parts (largest-remainder rounding, at least one row
    of each class on each side).
    """
    n = len(y)
    n_val = min(max(math.ceil(VALIDATION * n), 1), n - 1)
    rng = np.random.default_rng(SPLIT_SEED)
    stratify = False
    if classification:
        counts = np.bincount(y)
        stratify = counts.min() >= 2 and min(n_val, n - n_val) >= len(counts)
    if not stratify:
        order = rng.permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    classes = [np.flatnonzero(y == c) for c in np.unique(y)]
    exact = np.array([len(rows) * n_val / n for rows in classes])
    take = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - take))[: n_val - take.sum()]:
        take[i] += 1
    take = np.clip(take, 1, [len(rows) - 1 for rows in classes])
    picks = zip(classes, take, strict=True)
    val = np.concatenate([rng.permutation(rows)[:k] for rows, k in picks])
    return np.setdiff1d(np.arange(n), val), np.sort(val)
'''

_CSV_READER = '''
def read_table():
    """The CSV file as (x, y); features: numbers stay, true/false becomes 0/1,
    text becomes one 0/1 column per value (named column=value)."""
    try:
        frame = pd.read_csv(DATA_FILE, encoding="utf-8-sig")
    except UnicodeDecodeError:  # e.g. a spreadsheet's "CSV" in a Windows code page
        frame = pd.read_csv(DATA_FILE, encoding="latin-1")
{drop}    target = frame.pop(TARGET)
    parts = []
    for name, column in frame.items():
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            parts.append(column.to_numpy(dtype=np.float64).reshape(-1, 1))
        else:
            text = column.astype(str)
            one_hot = pd.get_dummies(text, prefix=str(name), prefix_sep="=")
            parts.append(one_hot.to_numpy(dtype=np.float64))
    x = np.hstack(parts)
{target}
    return x, y
'''
_CSV_DROP = """\
    # Drop the rows with a missing value: empty, or infinite in a number column.
    finite = np.isfinite(frame.select_dtypes("float")).all(axis=1)
    frame = frame[frame.notna().all(axis=1) & finite].reset_index(drop=True)
"""
_CSV_TARGET = {
    "regression": "    y = target.to_numpy(dtype=np.float64)",
    "classification": "    # Classes are numbered in sorted order of their values.\n"
                      "    classes, y = np.unique(target.to_numpy(), return_inverse=True)\n"
                      "    y = y.astype(np.int64).reshape(-1)",
}



def data_imports(exp, table) -> tuple[list[str], list[str]]:
    """(standard-library imports, third-party imports) that load_data() needs besides numpy."""
    d = exp.data
    stdlib = ["import math", *(["from pathlib import Path"] if d.kind == "csv" else [])]
    third = ["import pandas as pd"] if d.kind == "csv" else []
    if d.kind == "sklearn":
        third.append(f"from sklearn.datasets import load_{d.name}")
    if d.kind == "toy" and d.name in _SKLEARN_MAKERS:
        third.append(f"from sklearn.datasets import {_SKLEARN_MAKERS[d.name]}")
    if table.scale_features:
        third.append("from sklearn.preprocessing import StandardScaler")
    return stdlib, third


def data_constants(exp) -> list[str]:
    """The constants of the data: where it comes from, and the split."""
    d = exp.data
    consts = []
    if d.kind == "toy":
        consts += [f"SAMPLES = {d.samples}", f"NOISE = {number(d.noise)}", f"DATA_SEED = {d.seed}"]
    if d.kind == "csv":
        path = py_str(str(exp.resolved_data_path().resolve()))
        consts += ["# Change DATA_FILE if you move the CSV file.", *call(0, "DATA_FILE = Path(", [path]),
                   f"TARGET = {py_str(d.target)}"]
    return consts + [f"VALIDATION = {number(d.validation)}  # the fraction of rows held out", f"SPLIT_SEED = {d.seed}"]


def data_code(exp, table) -> list[str]:
    """The data functions of the script, load_data() last."""
    d, task = exp.data, table.task
    blocks = []
    if d.kind == "toy":
        blocks.append(_TOY[d.name].strip("\n"))
        read = ["x, y = make_data(SAMPLES, NOISE, DATA_SEED)"]
        if task != "regression":
            read.append("y = np.asarray(y, dtype=np.int64)")
    elif d.kind == "sklearn":
        kind = "np.float64" if task == "regression" else "np.int64"
        read = [f"bunch = load_{d.name}()", "x = bunch.data.astype(np.float64)", f"y = bunch.target.astype({kind})"]
    else:
        target = _CSV_TARGET["regression" if task == "regression" else "classification"]
        blocks.append(_CSV_READER.format(target=target, drop=_CSV_DROP if d.drop_missing else "").strip("\n"))
        read = ["x, y = read_table()"]
    blocks.append(_SPLIT.strip("\n"))
    body = [*read, *_split_and_scale(table), *_targets(table),
            "x_train, x_val = x_train.astype(np.float32), x_val.astype(np.float32)",
            "return x_train, y[train], x_val, y[val]"]
    blocks.append("\n".join(["def load_data():", '    """(x_train, y_train, x_val, y_val) as float32 arrays."""',
                             *(f"    {line}" for line in body)]))
    return blocks


def _split_and_scale(table) -> list[str]:
    classification = table.task != "regression"
    lines = [f"train, val = split_rows(y, classification={classification})", "x_train, x_val = x[train], x[val]"]
    if table.scale_features:
        lines += ["# Standardize the features with statistics of the training rows only.",
                  "scaler = StandardScaler().fit(x_train)",
                  "x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)"]
    return lines


def _targets(table) -> list[str]:
    """The targets as the loss takes them: a column, or one-hot rows for several classes."""
    if table.task == "regression":
        lines = ["y = y.astype(np.float64)"]
        if table.scale_features:
            lines += ["# The target is standardized the same way for training (so the rmse printed here is",
                      "# in standard deviations of the target; RegLab reports it in the target's units).",
                      "y = (y - np.mean(y[train])) / (np.std(y[train]) or 1.0)"]
        return [*lines, "y = y.astype(np.float32).reshape(-1, 1)"]
    if table.task == "multiclass":
        one_hot = f"y = np.eye({table.n_classes}, dtype=np.float32)[y]"
        return ["# One-hot targets for categorical cross-entropy.", one_hot]
    return ["y = y.astype(np.float64).astype(np.float32).reshape(-1, 1)"]
